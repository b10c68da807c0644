#!/usr/bin/env bash
# Assignment 3: determine the hash of your namespace policy and read the policy by
# name and hash. Read the lesson first.
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

shopt -s expand_aliases
source "$HOME/.scone/alias"
type -a scone > /dev/null

# The namespace name from Assignment 2.
source ../a2-namespace/state.env

# TODO 1: read the policy (`scone session read "$NS" > session_read.yml`) and compute its
#         hash with `scone session verify session_read.yml`; call it NAMESPACE_HASH.
# TODO 2: write NS and NAMESPACE_HASH to this directory's state.env (temp file + mv).
# TODO 3: save the CAS chain (`scone cas show-certificate > cas_cert.crt`) and build
#         client.pem from `jq .identity ~/.cas/config.json` (printf turns the "\n"
#         escapes into newlines).
# TODO 4: read https://cas:8081/v1/sessions/$NS?hash=$NAMESPACE_HASH with curl
#         (--cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081")
#         and print the policy text (jq -r .session).

echo "Nothing done yet: work through the TODOs."
