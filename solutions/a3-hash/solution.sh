#!/usr/bin/env bash
# Assignment 3: find the current hash of our namespace policy, keep it in state.env,
# and prove it by reading exactly that version over the CAS REST API.
#
# Read-only towards the CAS, so re-running is always safe. The hash is recomputed on
# every run: someone (or an earlier run of Assignment 4) may have updated the policy
# since Assignment 2 stored its hash.
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

die() { echo "FATAL ERROR: $*." >&2; exit 1; }

shopt -s expand_aliases
[ -r "$HOME/.scone/alias" ] && source "$HOME/.scone/alias"
type -a scone > /dev/null 2>&1 || die "alias 'scone' undefined. Run Assignment 0 first"

# Replaces $1 with stdin in one step; mktemp makes it readable by us only (client.pem
# holds our private key).
write_file() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat > "$tmp"
  mv "$tmp" "$1"
}

# The namespace name (and the hash Assignment 2 saw) come from Assignment 2's state.
unset NS NAMESPACE_SESSION_HASH NAMESPACE_HASH
[ -f ../a2-namespace/state.env ] || die "../a2-namespace/state.env is missing. Run Assignment 2 first"
source ../a2-namespace/state.env
[ -n "${NS:-}" ] || die "No namespace defined in ../a2-namespace/state.env. Run Assignment 2 again"

# The hash of the active policy: `session verify` computes it from the read output
# (and checks on the way that the file matches the active version on the CAS).
scone session read "$NS" > session_read.yml \
  || die "Namespace $NS does not exist - or we do not have access. Run Assignment 2 again"
NAMESPACE_HASH=$(scone session verify session_read.yml | tr -d '[:space:]')
[[ $NAMESPACE_HASH =~ ^[0-9a-f]{64}$ ]] || die "unexpected hash \"$NAMESPACE_HASH\" for $NS"
if [ -n "${NAMESPACE_SESSION_HASH:-}" ] && [ "$NAMESPACE_SESSION_HASH" != "$NAMESPACE_HASH" ]; then
  echo "Namespace hash has changed: was \"$NAMESPACE_SESSION_HASH\" and it is now \"$NAMESPACE_HASH\""
else
  echo "Namespace hash is as expected: $NAMESPACE_HASH"
fi
printf 'export NS="%s"\nexport NAMESPACE_HASH="%s"\n' "$NS" "$NAMESPACE_HASH" | write_file state.env

# curl needs the CAS chain to trust the CAS, and our CLI identity (private key followed
# by certificate) as its client certificate: reading a policy needs read permission.
# `jq .identity` keeps the JSON escapes ("\n"); printf's %b turns them into newlines.
scone cas show-certificate | write_file cas_cert.crt
printf '%b\n' "$(jq .identity "$HOME/.cas/config.json" | tr -d '"')" | write_file client.pem

# Read the policy by name *and* hash: the CAS keeps every version, so this returns
# exactly the version we computed the hash of, or fails.
curl -sS --cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/sessions/${NS}?hash=${NAMESPACE_HASH}" | write_file session_by_hash.json
if ! jq -e --arg h "$NAMESPACE_HASH" '.hash == $h and (.session | type) == "string"' \
  session_by_hash.json > /dev/null; then
  jq -r '.msg[]? // empty' session_by_hash.json >&2 || cat session_by_hash.json >&2
  die "Reading policy $NS with hash $NAMESPACE_HASH over REST failed"
fi
jq -r .session session_by_hash.json | write_file read_session.txt
echo "Retrieved policy $NS using its name and hash: $NAMESPACE_HASH"
cat read_session.txt

echo OK.
