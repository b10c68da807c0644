#!/usr/bin/env bash
# Assignment 5: a policy in your namespace with a public and a private value.
# Read the lesson first.
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

shopt -s expand_aliases
source "$HOME/.scone/alias"
type -a scone > /dev/null

# NS from Assignment 4 (the namespace is version 0.3 now, so it can hold policies).
source ../a4-update/state.env
SESSION="$NS/private_public_values"

# TODO 1: if `scone session read "$SESSION" > session_read.yml` succeeds, take the hash
#         from `scone session verify session_read.yml`. Otherwise write session.yml
#         (name: $SESSION, version: "0.3", secrets public_value "42" with
#         export_public: true and private_value "007"), run `scone session check
#         session.yml`, then `scone session create session.yml` (prints the hash).
# TODO 2: write NS, SESSION and SESSION_HASH to state.env (temp file + mv).
# TODO 3: write cas_cert.crt and client.pem as in Assignment 3.
# TODO 4: fetch public_value WITHOUT a client certificate into values.json
#         (https://cas:8081/v1/values/session=${SESSION},secret=public_value) and stop
#         unless its value is 42.
# TODO 5: ask for private_value without and with --cert client.pem; stop when either
#         request gets the value instead of a refusal.

echo "Nothing done yet: work through the TODOs."
