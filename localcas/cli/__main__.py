"""Runs the `scone` CLI stand-in."""

import sys

from localcas.cli.app import main

sys.exit(main())
