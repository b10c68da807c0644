# Assignment 3 (xonsh): find the current hash of our namespace policy, keep it in
# state.env, and prove it by reading exactly that version over the CAS REST API.
#
# Read-only towards the CAS, so re-running is always safe. The hash is recomputed on
# every run: someone (or an earlier run of Assignment 4) may have updated the policy
# since Assignment 2 stored its hash.
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

# The namespace name (and the hash Assignment 2 saw) come from Assignment 2's state.
for name in ("NS", "NAMESPACE_SESSION_HASH", "NAMESPACE_HASH"):
    ${...}.pop(name, None)
if not Path("../a2-namespace/state.env").is_file():
    die("../a2-namespace/state.env is missing. Run Assignment 2 first")
source-bash ../a2-namespace/state.env
ns = ${...}.get("NS", "")
if not ns:
    die("No namespace defined in ../a2-namespace/state.env. Run Assignment 2 again")

# The hash of the active policy: `session verify` computes it from the read output
# (and checks on the way that the file matches the active version on the CAS).
read = !(scone session read @(ns))
if not read:
    die(f"Namespace {ns} does not exist - or we do not have access. Run Assignment 2 again")
Path("session_read.yml").write_text(read.out)
namespace_hash = $(scone session verify session_read.yml).strip()
if not re.fullmatch(r"[0-9a-f]{64}", namespace_hash):
    die(f'unexpected hash "{namespace_hash}" for {ns}')
earlier = ${...}.get("NAMESPACE_SESSION_HASH", "")
if earlier and earlier != namespace_hash:
    print(f'Namespace hash has changed: was "{earlier}" and it is now "{namespace_hash}"')
else:
    print(f"Namespace hash is as expected: {namespace_hash}")
write_file("state.env", f'export NS="{ns}"\nexport NAMESPACE_HASH="{namespace_hash}"\n')

# curl needs the CAS chain to trust the CAS, and our CLI identity (private key followed
# by certificate) as its client certificate: reading a policy needs read permission.
scone cas show-certificate > cas_cert.crt.tmp
Path("cas_cert.crt.tmp").replace("cas_cert.crt")
config = json.loads(Path("~/.cas/config.json").expanduser().read_text())
write_file("client.pem", config["identity"])

# Read the policy by name *and* hash: the CAS keeps every version, so this returns
# exactly the version we computed the hash of, or fails.
url = f"https://cas:8081/v1/sessions/{ns}?hash={namespace_hash}"
body = $(curl -sS --cacert cas_cert.crt --cert client.pem --connect-to @(f"cas:8081:{$SCONE_CAS_ADDR}:8081") @(url))
try:
    answer = json.loads(body)
except json.JSONDecodeError:
    answer = {"msg": [body]}
if answer.get("hash") != namespace_hash or not isinstance(answer.get("session"), str):
    print("\n".join(answer.get("msg", [])), file=sys.stderr)
    die(f"Reading policy {ns} with hash {namespace_hash} over REST failed")
write_file("read_session.txt", answer["session"] + "\n")
print(f"Retrieved policy {ns} using its name and hash: {namespace_hash}")
print(answer["session"])

print("OK.")
