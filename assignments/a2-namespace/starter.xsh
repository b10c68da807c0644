# Assignment 2 (xonsh): create a namespace of your own on the CAS, exactly once.
# Read the lesson first.
import secrets
from pathlib import Path

source-bash ~/.scone/alias
assert "scone" in aliases, "alias 'scone' undefined: run Assignment 0 first"

# TODO 1: load state.env if it exists (`source-bash state.env`, then ${...}.get("NS")):
#         an earlier run may have chosen the namespace name already.
# TODO 2: if there is no name yet, generate a unique one, my_exercise-<user>-<random>
#         (careful: $USER may be unset; session names allow only A-Za-z0-9_.~-), and
#         write `export NS="…"` to state.env BEFORE creating anything.
# TODO 3: write the template session.yml with the two lines
#             name: $NS
#             version: "0.2"
# TODO 4: if !(scone session read @(ns)) succeeds, compute the hash with
#         `scone session verify` of what you read; otherwise create the namespace with
#         $(scone session create -e @(f"NS={ns}") session.yml), which prints the hash.
# TODO 5: write NS and NAMESPACE_SESSION_HASH to state.env (temp file, then replace).

print("Nothing done yet: work through the TODOs.")
