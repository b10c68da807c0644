# Assignment 5 (xonsh): a policy in your namespace with a public and a private value.
# Read the lesson first.
import json
from pathlib import Path

source-bash ~/.scone/alias
assert "scone" in aliases, "alias 'scone' undefined: run Assignment 0 first"

# NS from Assignment 4 (the namespace is version 0.3 now, so it can hold policies).
source-bash ../a4-update/state.env
session = f"{$NS}/private_public_values"

# TODO 1: if !(scone session read @(session)) succeeds, take the hash from
#         `scone session verify` of what you read. Otherwise write session.yml with an
#         f-string (name, version "0.3", secrets public_value "42" with
#         export_public: true and private_value "007"), run `scone session check
#         session.yml`, then $(scone session create session.yml) (prints the hash).
# TODO 2: write NS, SESSION and SESSION_HASH to state.env (temp file, then replace).
# TODO 3: write cas_cert.crt and client.pem as in Assignment 3.
# TODO 4: fetch public_value WITHOUT a client certificate into values.json and stop
#         unless its value is "42" (json.loads).
# TODO 5: ask for private_value without and with --cert client.pem; stop when either
#         request gets the value instead of a refusal.

print("Nothing done yet: work through the TODOs.")
