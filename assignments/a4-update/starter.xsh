# Assignment 4 (xonsh): upgrade your namespace policy to version "0.3" through
# `predecessor`, then print every version back to the first. Read the lesson first.
import json
from pathlib import Path

import yaml

source-bash ~/.scone/alias
assert "scone" in aliases, "alias 'scone' undefined: run Assignment 0 first"

# NS (and the hash Assignment 3 saw) from Assignment 3.
source-bash ../a3-hash/state.env
ns = $NS

# TODO 1: read the active policy and compute its hash with `scone session verify`:
#         that is the predecessor (the file from Assignment 3 may be out of date).
# TODO 2: if yaml.safe_load(...)["version"] is not "0.3" yet: write the template
#         session.yml (name: $NS, version: "0.3", predecessor: $PREDECESSOR, and an
#         access_policy with read, update and create_sessions, each [CREATOR]), then
#         scone session check / scone session create -e @(f"NS={ns}") -e @(f"PREDECESSOR={h}") session.yml
# TODO 3: write NS and NAMESPACE_HASH (the hash of the policy as it is NOW) to state.env.
# TODO 4: walk the history over REST (https://cas:8081/v1/sessions/{ns}?hash={h}, with
#         cas_cert.crt and client.pem as in Assignment 3): print `PREDECESSOR is <hash>`
#         for each older version and finally `No more PREDECESSORs`.

print("Nothing done yet: work through the TODOs.")
