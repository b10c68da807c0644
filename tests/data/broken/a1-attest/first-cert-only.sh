# expect: cas-cert-chain failed
# Broken: keeps only the first certificate of the chain (openssl x509 prints one), so
# cas_cert.crt lacks the CN=cas root.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
MRENCLAVE=$(curl -fsS "$SCONE_CAS_PAGE" | grep 'scone cas attest' | grep -oE '[0-9a-f]{64}' | head -n1)
scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug --mrenclave "$MRENCLAVE" "$SCONE_CAS_ADDR"
scone cas show-certificate | openssl x509 > cas_cert.crt
curl -sS --cacert cas_cert.crt --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/values/session=example_session,secret=example_value" > values.json
VALUE=$(jq -r .value values.json)
[ "$VALUE" == "42" ] || { echo "Value is not as expected: got \"$VALUE\""; exit 1; }
echo "Value is as expected: $VALUE"
echo OK.
