#!/usr/bin/env bash
# Broken: keeps the name, but creates without reading first (run 2 fails).
set -euo pipefail
scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }
touch state.env; source state.env
if [ -z "${NS:-}" ]; then NS="fixture-$RANDOM$RANDOM"; echo "export NS=\"$NS\"" > state.env; fi
printf 'name: $NS\nversion: "0.3"\n' > session.yml
scone session create -e NS="$NS" session.yml
