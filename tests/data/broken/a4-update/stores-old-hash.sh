# expect: state-stores-new-hash failed
# Broken: the original course's bug. state.env gets the hash from before the upgrade,
# so whoever updates next uses a predecessor that is no longer current.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
source ../a3-hash/state.env
scone session read "$NS" > session_read.yml
COMPUTED_NAMESPACE_HASH=$(scone session verify session_read.yml)
VERSION=$(python3 -c "import yaml; print(yaml.safe_load(open('session_read.yml'))['version'])")
cat > session.yml << 'YAML'
name: $NS
version: "0.3"
predecessor: $PREDECESSOR
access_policy:
  read: [CREATOR]
  update: [CREATOR]
  create_sessions: [CREATOR]
YAML
if [ "$VERSION" != "0.3" ]; then
  scone session check -e NS="$NS" -e PREDECESSOR="$COMPUTED_NAMESPACE_HASH" session.yml > /dev/null
  scone session create -e NS="$NS" -e PREDECESSOR="$COMPUTED_NAMESPACE_HASH" session.yml
fi
printf 'export NS="%s"\nexport NAMESPACE_HASH="%s"\n' "$NS" "$COMPUTED_NAMESPACE_HASH" > state.env
scone cas show-certificate > cas_cert.crt
printf "\n$(jq .identity "$HOME/.cas/config.json" | tr -d '"')" > client.pem
url="https://cas:8081/v1/sessions/${NS}"
PRED=$(curl -sS --cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" "$url" \
  | jq -r .session | python3 -c "import sys, yaml; print(yaml.safe_load(sys.stdin)['predecessor'])")
while [ "$PRED" != "None" ]; do
  echo "PREDECESSOR is $PRED"
  PRED=$(curl -sS --cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" "$url?hash=$PRED" \
    | jq -r .session | python3 -c "import sys, yaml; print(yaml.safe_load(sys.stdin)['predecessor'])")
done
echo "No more PREDECESSORs"
echo OK.
