#!/usr/bin/env bash
# Assignment 2: create a namespace of your own on the CAS, exactly once.
# Read the lesson first.
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

shopt -s expand_aliases
source "$HOME/.scone/alias"
type -a scone > /dev/null

# TODO 1: load state.env if it exists (`source state.env`): an earlier run may have
#         chosen the namespace name already.
# TODO 2: if NS is still empty, generate a unique name my_exercise-<user>-<random>
#         (careful: $USER may be empty; session names allow only A-Za-z0-9_.~-) and
#         write `export NS="…"` to state.env BEFORE creating anything.
# TODO 3: write the template session.yml with the two lines
#             name: $NS
#             version: "0.2"
# TODO 4: if `scone session read "$NS"` succeeds, compute the hash with
#         `scone session verify` of what you read; otherwise create the namespace with
#         `scone session create -e NS="$NS" session.yml`, which prints the hash.
# TODO 5: write NS and NAMESPACE_SESSION_HASH to state.env (temp file + mv).

echo "Nothing done yet: work through the TODOs."
