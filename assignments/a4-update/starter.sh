#!/usr/bin/env bash
# Assignment 4: upgrade your namespace policy to version "0.3" through `predecessor`,
# then print every version back to the first. Read the lesson first.
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

shopt -s expand_aliases
source "$HOME/.scone/alias"
type -a scone > /dev/null

# NS (and the hash Assignment 3 saw) from Assignment 3.
source ../a3-hash/state.env

# TODO 1: read the active policy and compute its hash with `scone session verify`:
#         that is PREDECESSOR (the file from Assignment 3 may be out of date).
# TODO 2: if its version is not "0.3" yet: write the template session.yml
#             name: $NS
#             version: "0.3"
#             predecessor: $PREDECESSOR
#             access_policy: read, update and create_sessions, each [CREATOR]
#         then `scone session check -e NS=… -e PREDECESSOR=… session.yml` and
#         `scone session create -e NS=… -e PREDECESSOR=… session.yml` (prints the new hash).
# TODO 3: write NS and NAMESPACE_HASH (the hash of the policy as it is NOW) to state.env.
# TODO 4: walk the history over REST (https://cas:8081/v1/sessions/$NS?hash=$H, with
#         cas_cert.crt and client.pem as in Assignment 3): print `PREDECESSOR is <hash>`
#         for each older version and finally `No more PREDECESSORs`.

echo "Nothing done yet: work through the TODOs."
