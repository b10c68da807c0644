# expect: run2-succeeds failed
# Broken: takes the predecessor from ../a3-hash/state.env instead of reading the active
# policy. That hash is only current until the first upgrade: the re-run is rejected.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
source ../a3-hash/state.env
cat > session.yml << 'YAML'
name: $NS
version: "0.3"
predecessor: $PREDECESSOR
access_policy:
  read: [CREATOR]
  update: [CREATOR]
  create_sessions: [CREATOR]
YAML
NEW_HASH=$(scone session create -e NS="$NS" -e PREDECESSOR="$NAMESPACE_HASH" session.yml)
printf 'export NS="%s"\nexport NAMESPACE_HASH="%s"\n' "$NS" "$NEW_HASH" > state.env
echo "PREDECESSOR is $NAMESPACE_HASH"
echo "No more PREDECESSORs"
echo OK.
