#!/usr/bin/env bash
# Broken: a new random namespace on every run (not idempotent).
set -euo pipefail
scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }
NS="fixture-$RANDOM$RANDOM"
printf 'name: $NS\nversion: "0.3"\n' > session.yml
scone session create -e NS="$NS" session.yml
echo "export NS=\"$NS\"" > state.env
