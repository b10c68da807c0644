# expect: client-pem failed
# Broken: puts only the certificate into client.pem (openssl x509 drops the private key),
# so curl cannot authenticate; the script ignores curl's failure.
set -eu
shopt -s expand_aliases
source "$HOME/.scone/alias"
source ../a2-namespace/state.env
scone session read "$NS" > session_read.yml
NAMESPACE_HASH=$(scone session verify session_read.yml)
printf 'export NS="%s"\nexport NAMESPACE_HASH="%s"\n' "$NS" "$NAMESPACE_HASH" > state.env
scone cas show-certificate > cas_cert.crt
jq -r .identity "$HOME/.cas/config.json" | openssl x509 > client.pem
curl -sS --cacert cas_cert.crt --cert client.pem --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/sessions/${NS}?hash=${NAMESPACE_HASH}" | jq -r .session || true
echo OK.
