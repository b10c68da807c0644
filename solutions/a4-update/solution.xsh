# Assignment 4 (xonsh): upgrade our namespace policy to version "0.3" with an explicit
# CREATOR-only access policy, then print its whole history.
#
# An update names the version it replaces (`predecessor`), so the CAS rejects it when
# someone changed the policy in between: optimistic concurrency. We therefore take the
# predecessor from what the CAS holds *now*, never from a file written earlier, and
# upload only when the active policy is not what we want yet: a re-run changes nothing.
import json
import re
import sys
from pathlib import Path

import yaml

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

def is_upgraded(policy):
    """Already what we want: version 0.3, every operation for CREATOR only."""
    acl = policy.get("access_policy") or {}
    return str(policy.get("version")) == "0.3" and all(
        acl.get(op) == ["CREATOR"] for op in ("read", "update", "create_sessions")
    )

if Path("~/.scone/alias").expanduser().is_file():
    source-bash ~/.scone/alias
if "scone" not in aliases:
    die("alias 'scone' undefined. Run Assignment 0 first")

for name in ("NS", "NAMESPACE_HASH"):
    ${...}.pop(name, None)
if not Path("../a3-hash/state.env").is_file():
    die("../a3-hash/state.env is missing. Run Assignment 3 first")
source-bash ../a3-hash/state.env
ns = ${...}.get("NS", "")
if not ns:
    die("No namespace defined in ../a3-hash/state.env. Run Assignment 3 again")

# 1. The active policy and its hash, from the CAS.
read = !(scone session read @(ns))
if not read:
    die(f"Namespace {ns} does not exist - or we do not have access. Run Assignment 2 again")
Path("session_read.yml").write_text(read.out)
predecessor = $(scone session verify session_read.yml).strip()
if predecessor != ${...}.get("NAMESPACE_HASH", ""):
    print(f'Namespace hash has changed since Assignment 3: now "{predecessor}"')

# 2. Upgrade, unless that has happened already. The template keeps $NS and
#    $PREDECESSOR literal; the CLI substitutes them (-e). `create` with a predecessor
#    updates the session when the predecessor is its current version.
Path("session.yml").write_text(
    "name: $NS\n"
    'version: "0.3"\n'
    "predecessor: $PREDECESSOR\n"
    "access_policy:\n"
    "  read: [CREATOR]\n"
    "  update: [CREATOR]\n"
    "  create_sessions: [CREATOR]\n"
)
variables = ["-e", f"NS={ns}", "-e", f"PREDECESSOR={predecessor}"]
if is_upgraded(yaml.safe_load(read.out)):
    print("Namespace has already been upgraded to version 0.3")
    namespace_hash = predecessor
else:
    scone session check @(variables) session.yml > /dev/null
    created = !(scone session create @(variables) session.yml)
    if not created:
        print(created.err, end="", file=sys.stderr)
        die(f"Upgrading namespace {ns} failed (did someone else update it? Then run again)")
    namespace_hash = created.out.strip()
    print(f"Upgraded namespace {ns} to version 0.3: {namespace_hash}")
if not re.fullmatch(r"[0-9a-f]{64}", namespace_hash):
    die(f'unexpected hash "{namespace_hash}" for {ns}')

# 3. The state names the policy as it is *now* (the original course stored the hash
#    from before the upgrade, which the next update would be rejected with).
write_file("state.env", f'export NS="{ns}"\nexport NAMESPACE_HASH="{namespace_hash}"\n')

# 4. The history: CAS keeps every version and each names its predecessor. Walk back
#    from the active version over REST until a version without predecessor.
scone cas show-certificate > cas_cert.crt.tmp
Path("cas_cert.crt.tmp").replace("cas_cert.crt")
config = json.loads(Path("~/.cas/config.json").expanduser().read_text())
write_file("client.pem", config["identity"])
connect = f"cas:8081:{$SCONE_CAS_ADDR}:8081"

def version(digest):
    """The policy text of version `digest` of the namespace, read over REST."""
    url = f"https://cas:8081/v1/sessions/{ns}?hash={digest}"
    body = $(curl -sS --cacert cas_cert.crt --cert client.pem --connect-to @(connect) @(url))
    answer = json.loads(body)
    if answer.get("hash") != digest:
        die(f"Reading version {digest} of {ns} failed: {answer.get('msg', body)}")
    return answer["session"]

digest = namespace_hash
print(f"Active policy is {digest}")
while digest:
    text = version(digest)
    print("\n".join("    " + line for line in text.splitlines()))
    digest = yaml.safe_load(text).get("predecessor")
    if digest:
        print(f"PREDECESSOR is {digest}")
print("No more PREDECESSORs")

print("OK.")
