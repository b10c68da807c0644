# Assignment 3 (xonsh): determine the hash of your namespace policy and read the policy
# by name and hash. Read the lesson first.
import json
from pathlib import Path

source-bash ~/.scone/alias
assert "scone" in aliases, "alias 'scone' undefined: run Assignment 0 first"

# The namespace name from Assignment 2.
source-bash ../a2-namespace/state.env
ns = $NS

# TODO 1: read the policy (!(scone session read @(ns))), save it as session_read.yml and
#         compute its hash with $(scone session verify session_read.yml).
# TODO 2: write NS and NAMESPACE_HASH to this directory's state.env (temp file, replace).
# TODO 3: save the CAS chain (scone cas show-certificate > cas_cert.crt) and write
#         client.pem from the "identity" of ~/.cas/config.json (json.loads).
# TODO 4: read https://cas:8081/v1/sessions/{ns}?hash={hash} with curl
#         (--cacert cas_cert.crt --cert client.pem --connect-to @(f"cas:8081:{$SCONE_CAS_ADDR}:8081"))
#         and print the policy text (the answer's "session").

print("Nothing done yet: work through the TODOs.")
