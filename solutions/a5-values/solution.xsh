# Assignment 5 (xonsh): a policy in our namespace with a public and a private value, and
# the proof that CAS hands out the first to anyone and the second to nobody.
#
# The policy name is derived from the namespace, so nothing needs remembering before
# the create; read first, create only when the read fails. The checks at the end are
# requests that must FAIL: there, a success is the error.
import json
import re
import sys
from pathlib import Path

def die(message):
    print(f"FATAL ERROR: {message}.", file=sys.stderr)
    sys.exit(1)

def write_file(path, text):
    """Replaces path with text in one step, readable by us only (client.pem holds our key)."""
    tmp = Path(f"{path}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.touch(mode=0o600)
    tmp.write_text(text)
    tmp.replace(path)

if Path("~/.scone/alias").expanduser().is_file():
    source-bash ~/.scone/alias
if "scone" not in aliases:
    die("alias 'scone' undefined. Run Assignment 0 first")

for name in ("NS", "SESSION", "SESSION_HASH"):
    ${...}.pop(name, None)
if not Path("../a4-update/state.env").is_file():
    die("../a4-update/state.env is missing. Run Assignment 4 first")
source-bash ../a4-update/state.env
ns = ${...}.get("NS", "")
if not ns:
    die("No namespace defined in ../a4-update/state.env. Run Assignment 4 again")
session = f"{ns}/private_public_values"

# No CLI variables this time: the f-string fills in the name. The values are quoted,
# or YAML would read 007 as the number 7.
Path("session.yml").write_text(f"""\
name: {session}
version: "0.3"
secrets:
  - name: public_value
    kind: ascii
    value: "42"
    export_public: true
  - name: private_value
    kind: ascii
    value: "007"
""")

read = !(scone session read @(session))
if read:
    Path("session_read.yml").write_text(read.out)
    session_hash = $(scone session verify session_read.yml).strip()
    print(f"Policy {session} exists already.")
else:
    scone session check session.yml > /dev/null
    created = !(scone session create session.yml)
    if not created:
        print(created.err, end="", file=sys.stderr)
        die(f"Creating policy {session} failed")
    session_hash = created.out.strip()
    print(f"Created policy {session}.")
if not re.fullmatch(r"[0-9a-f]{64}", session_hash):
    die(f'unexpected hash "{session_hash}" for {session}')
write_file(
    "state.env",
    f'export NS="{ns}"\nexport SESSION="{session}"\nexport SESSION_HASH="{session_hash}"\n',
)

scone cas show-certificate > cas_cert.crt.tmp
Path("cas_cert.crt.tmp").replace("cas_cert.crt")
config = json.loads(Path("~/.cas/config.json").expanduser().read_text())
write_file("client.pem", config["identity"])
cas = ["--cacert", "cas_cert.crt", "--connect-to", f"cas:8081:{$SCONE_CAS_ADDR}:8081"]
url = f"https://cas:8081/v1/values/session={session}"

# The public value: anyone may read it, so no client certificate.
body = $(curl -sS @(cas) @(url + ",secret=public_value"))
write_file("values.json", body)
try:
    answer = json.loads(body)
except json.JSONDecodeError:
    answer = {"msg": [body]}
if answer.get("value") != "42":
    print("\n".join(answer.get("msg", [])), file=sys.stderr)
    die(f'Public value is not as expected: expected "42" and got "{answer.get("value", "")}"')
print(f"Public value is as expected: {answer['value']}")

# The private value, as a stranger and as the policy's creator. The original course
# sent HEAD requests (curl -I) and expected 405; CAS answers *every* HEAD on /v1/values
# with 405, so we keep that check and add the one that matters: a GET must be refused
# and its answer must not contain the value.
for who, cert in (
    ("without a client certificate", []),
    ("with the creator's certificate", ["--cert", "client.pem"]),
):
    head = $(curl -sS -I -o /dev/null -w "%{http_code}" @(cas) @(cert) @(url + ",secret=private_value"))
    if head != "405":
        die(f'Expected response "405" retrieving private secret. Got "{head}"')
    *lines, status = $(curl -sS -w "\n%{http_code}" @(cas) @(cert) @(url + ",secret=private_value")).splitlines()
    if status.startswith("2") or any("007" in line for line in lines):
        die(f"CAS handed out the private value {who} (HTTP {status})")
    print(f"Private value refused {who}: HEAD 405, GET {status} - as expected.")

print("OK.")
