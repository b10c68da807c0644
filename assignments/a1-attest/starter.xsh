# Assignment 1 (xonsh): attest the course CAS and read a public value through a secure
# channel. Read the lesson first.
import json
import re
from pathlib import Path

source-bash ~/.scone/alias
assert "scone" in aliases, "alias 'scone' undefined: run Assignment 0 first"

# TODO 1: fetch $SCONE_CAS_PAGE with curl ($(curl -fsS $SCONE_CAS_PAGE)) and find the
#         MRENCLAVE: 64 hex digits (re.findall) on the line with `scone cas attest`.
# TODO 2: attest the CAS at $SCONE_CAS_ADDR with
#         scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug \
#           --mrenclave @(mrenclave) $SCONE_CAS_ADDR
#         and make sure `scone cas list` marks it as the default (*).
# TODO 3: save the CAS certificate chain: scone cas show-certificate > cas_cert.crt
# TODO 4: fetch secret example_value of session example_session with curl, using
#         --cacert cas_cert.crt --connect-to @(f"cas:8081:{$SCONE_CAS_ADDR}:8081")
#         https://cas:8081/v1/values/session=example_session,secret=example_value
#         and save the answer in values.json.
# TODO 5: print `Value is as expected: 42` when the answer's "value" is "42"; otherwise
#         print what you got and exit with a non-zero code (sys.exit(1)).

print("Nothing done yet: work through the TODOs.")
