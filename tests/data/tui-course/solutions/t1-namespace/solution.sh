#!/usr/bin/env bash
# Fixture reference: a namespace created once, its name kept in state.env.
set -euo pipefail
scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }
touch state.env
source state.env
if [ -z "${NS:-}" ]; then
  NS="fixture-$RANDOM$RANDOM"
  echo "export NS=\"$NS\"" > state.env   # remember the name before creating anything
fi
if ! scone session read "$NS" > session_read.yml 2>/dev/null; then
  printf 'name: $NS\nversion: "0.3"\n' > session.yml
  scone session create -e NS="$NS" session.yml
fi
echo OK.
