# expect: attested-with-mrenclave failed
# Broken: skips the MRENCLAVE and attests with --only_for_testing-trust-any, so it would
# trust any CAS code at all.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug --only_for_testing-trust-any "$SCONE_CAS_ADDR"
scone cas show-certificate > cas_cert.crt
curl -sS --cacert cas_cert.crt --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/values/session=example_session,secret=example_value" > values.json
VALUE=$(jq -r .value values.json)
[ "$VALUE" == "42" ] || { echo "Value is not as expected: got \"$VALUE\""; exit 1; }
echo "Value is as expected: $VALUE"
echo OK.
