#!/usr/bin/env bash
# Assignment 4: upgrade our namespace policy to version "0.3" with an explicit
# CREATOR-only access policy, then print its whole history.
#
# An update names the version it replaces (`predecessor`), so the CAS rejects it when
# someone changed the policy in between: optimistic concurrency. We therefore take the
# predecessor from what the CAS holds *now*, never from a file written earlier, and
# upload only when the active policy is not what we want yet: a re-run changes nothing.
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

die() { echo "FATAL ERROR: $*." >&2; exit 1; }

shopt -s expand_aliases
[ -r "$HOME/.scone/alias" ] && source "$HOME/.scone/alias"
type -a scone > /dev/null 2>&1 || die "alias 'scone' undefined. Run Assignment 0 first"

# Replaces $1 with stdin in one step (mktemp: readable by us only).
write_file() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat > "$tmp"
  mv "$tmp" "$1"
}

# YAML is parsed with Python (PyYAML), not with grep: `version: '0.3'` and
# `version: "0.3"` are the same value.
yaml_field() { python3 -c 'import sys, yaml; v = yaml.safe_load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$1"; }

# Is the policy on stdin already what we want (0.3, every operation CREATOR only)?
is_upgraded() {
  python3 -c '
import sys, yaml
policy = yaml.safe_load(sys.stdin)
acl = policy.get("access_policy") or {}
wanted = str(policy.get("version")) == "0.3" and all(
    acl.get(op) == ["CREATOR"] for op in ("read", "update", "create_sessions"))
sys.exit(0 if wanted else 1)'
}

unset NS NAMESPACE_HASH
[ -f ../a3-hash/state.env ] || die "../a3-hash/state.env is missing. Run Assignment 3 first"
source ../a3-hash/state.env
[ -n "${NS:-}" ] || die "No namespace defined in ../a3-hash/state.env. Run Assignment 3 again"

# 1. The active policy and its hash, from the CAS.
scone session read "$NS" > session_read.yml \
  || die "Namespace $NS does not exist - or we do not have access. Run Assignment 2 again"
PREDECESSOR=$(scone session verify session_read.yml | tr -d '[:space:]')
if [ "$PREDECESSOR" != "${NAMESPACE_HASH:-}" ]; then
  echo "Namespace hash has changed since Assignment 3: now \"$PREDECESSOR\""
fi

# 2. Upgrade, unless that has happened already. The template keeps $NS and
#    $PREDECESSOR literal; the CLI substitutes them (-e). `create` with a predecessor
#    updates the session when the predecessor is its current version.
cat > session.yml << 'YAML'
name: $NS
version: "0.3"
predecessor: $PREDECESSOR
access_policy:
  read: [CREATOR]
  update: [CREATOR]
  create_sessions: [CREATOR]
YAML
if is_upgraded < session_read.yml; then
  echo "Namespace has already been upgraded to version 0.3"
  NAMESPACE_HASH=$PREDECESSOR
else
  scone session check -e NS="$NS" -e PREDECESSOR="$PREDECESSOR" session.yml > /dev/null
  NAMESPACE_HASH=$(scone session create -e NS="$NS" -e PREDECESSOR="$PREDECESSOR" session.yml) \
    || die "Upgrading namespace $NS failed (did someone else update it? Then run again)"
  echo "Upgraded namespace $NS to version 0.3: $NAMESPACE_HASH"
fi
[[ $NAMESPACE_HASH =~ ^[0-9a-f]{64}$ ]] || die "unexpected hash \"$NAMESPACE_HASH\" for $NS"

# 3. The state names the policy as it is *now* (the original course stored the hash
#    from before the upgrade, which the next update would be rejected with).
printf 'export NS="%s"\nexport NAMESPACE_HASH="%s"\n' "$NS" "$NAMESPACE_HASH" | write_file state.env

# 4. The history: CAS keeps every version and each names its predecessor. Walk back
#    from the active version over REST until a version without predecessor.
scone cas show-certificate | write_file cas_cert.crt
printf '%b\n' "$(jq .identity "$HOME/.cas/config.json" | tr -d '"')" | write_file client.pem
hash=$NAMESPACE_HASH
echo "Active policy is $hash"
while :; do
  curl -sS --cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
    "https://cas:8081/v1/sessions/${NS}?hash=${hash}" | write_file version.json
  jq -e --arg h "$hash" '.hash == $h' version.json > /dev/null \
    || die "Reading version $hash of $NS failed: $(jq -c '.msg? // .' version.json)"
  jq -r .session version.json | sed 's/^/    /'
  hash=$(jq -r .session version.json | yaml_field predecessor)
  [ -n "$hash" ] || break
  echo "PREDECESSOR is $hash"
done
echo "No more PREDECESSORs"

echo OK.
