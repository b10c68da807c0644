# expect: prints-predecessor failed
# Broken: looks for `predecessor` in the JSON answer of the REST API; it is a field of
# the policy (the YAML text in .session), so the history seems to end at once.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
source ../a3-hash/state.env
scone session read "$NS" > session_read.yml
PREDECESSOR=$(scone session verify session_read.yml)
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
  NAMESPACE_HASH=$(scone session create -e NS="$NS" -e PREDECESSOR="$PREDECESSOR" session.yml)
else
  NAMESPACE_HASH=$PREDECESSOR
fi
printf 'export NS="%s"\nexport NAMESPACE_HASH="%s"\n' "$NS" "$NAMESPACE_HASH" > state.env
scone cas show-certificate > cas_cert.crt
printf "\n$(jq .identity "$HOME/.cas/config.json" | tr -d '"')" > client.pem
PRED=$(curl -sS --cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/sessions/${NS}" | jq -r '.predecessor // empty')
while [ -n "$PRED" ]; do
  echo "PREDECESSOR is $PRED"
  PRED=$(curl -sS --cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
    "https://cas:8081/v1/sessions/${NS}?hash=$PRED" | jq -r '.predecessor // empty')
done
echo "No more PREDECESSORs"
echo OK.
