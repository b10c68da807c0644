#!/usr/bin/env bash
# Broken: idempotent on clean re-runs, but remembers the name only after creating it,
# so a crash in between makes the re-run create a second namespace.
set -euo pipefail
scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }
touch state.env; source state.env
if [ -z "${NS:-}" ]; then NS="fixture-$RANDOM$RANDOM"; fi
if ! scone session read "$NS" > /dev/null 2>&1; then
  printf 'name: $NS\nversion: "0.3"\n' > session.yml
  scone session create -e NS="$NS" session.yml
fi
echo "export NS=\"$NS\"" > state.env
