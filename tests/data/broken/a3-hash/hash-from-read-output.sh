# expect: state-defines-hash failed
# Broken: looks for a hash line in the read output, but `scone session read` prints no
# hash of the session itself, so NAMESPACE_HASH ends up empty.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
source ../a2-namespace/state.env
scone session read "$NS" > session_read.yml
NAMESPACE_HASH=$(grep '^hash:' session_read.yml | cut -d' ' -f2 || true)
printf 'export NS="%s"\nexport NAMESPACE_HASH="%s"\n' "$NS" "$NAMESPACE_HASH" > state.env
scone cas show-certificate > cas_cert.crt
printf "\n$(jq .identity "$HOME/.cas/config.json" | tr -d '"')" > client.pem
curl -sS --cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/sessions/${NS}?hash=${NAMESPACE_HASH}" | jq -r .session
echo OK.
