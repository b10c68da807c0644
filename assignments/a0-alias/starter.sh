#!/usr/bin/env bash
# Assignment 0: make `scone` available as an alias. Read the lesson first.
set -euo pipefail

# TODO 1: create the CLI's state directories ~/.cas and ~/.scone.
# TODO 2: write ~/.scone/alias, one line: alias scone='<full path of the launcher>'
#         (the launcher is "$SCONE_COURSE_TOOLS/scone").
# TODO 3: make ~/.bashrc load ~/.scone/alias, exactly once, however often this runs.

echo "Nothing done yet: work through the TODOs."
