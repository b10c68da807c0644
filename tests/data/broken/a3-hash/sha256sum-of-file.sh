# expect: state-hash-current failed
# Broken: takes the SHA-256 of the file that `scone session read` wrote. The policy hash
# is computed by the CAS over a normalised description, not over the file's bytes.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
source ../a2-namespace/state.env
scone session read "$NS" > session_read.yml
NAMESPACE_HASH=$(sha256sum session_read.yml | cut -d' ' -f1)
printf 'export NS="%s"\nexport NAMESPACE_HASH="%s"\n' "$NS" "$NAMESPACE_HASH" > state.env
scone cas show-certificate > cas_cert.crt
printf "\n$(jq .identity "$HOME/.cas/config.json" | tr -d '"')" > client.pem
curl -sS --cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/sessions/${NS}?hash=${NAMESPACE_HASH}" | jq -r .session
echo OK.
