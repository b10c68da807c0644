#!/usr/bin/env bash
# Assignment 0: make `scone` an alias that every new shell knows.
#
# Idempotent by construction: the alias file is rewritten only when its content differs
# from what we want, and ~/.bashrc gets its loading line only when the line is missing.
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

alias_file="$HOME/.scone/alias"
wanted="alias scone='$SCONE_COURSE_TOOLS/scone'"
loader='source "$HOME/.scone/alias"'

# The CLI keeps attested CASes and its identity in ~/.cas, its own state in ~/.scone.
mkdir -p "$HOME/.cas" "$HOME/.scone"

# Write through a temporary file: a crash never leaves half an alias behind.
if [ "$(cat "$alias_file" 2>/dev/null || true)" != "$wanted" ]; then
  tmp=$(mktemp "$alias_file.XXXXXX")
  printf '%s\n' "$wanted" > "$tmp"
  mv "$tmp" "$alias_file"
fi

# The exact loading line is its own marker: append it only when it is not there yet.
touch "$HOME/.bashrc"
if ! grep -qxF "$loader" "$HOME/.bashrc"; then
  printf '%s\n' "$loader" >> "$HOME/.bashrc"
fi

echo OK.
