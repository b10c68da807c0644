"""``python -m localcas.runtime run …``: the course's ``docker`` stand-in (see run.py)."""

from __future__ import annotations

import os
import sys

from localcas.runtime.run import launch

if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:], os.environ))
