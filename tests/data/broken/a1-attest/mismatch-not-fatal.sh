# expect: fails-on-wrong-value failed
# Broken: fetches the right value, but a different value would only be a message: the
# script exits 0 with OK either way.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
MRENCLAVE=$(curl -fsS "$SCONE_CAS_PAGE" | grep 'scone cas attest' | grep -oE '[0-9a-f]{64}' | head -n1)
scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug --mrenclave "$MRENCLAVE" "$SCONE_CAS_ADDR"
scone cas show-certificate > cas_cert.crt
curl -sS --cacert cas_cert.crt --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/values/session=example_session,secret=example_value" > values.json
VALUE=$(jq -r .value values.json)
if [ "$VALUE" == "42" ]; then
  echo "Value is as expected: $VALUE"
else
  echo "Value is not as expected: expected \"42\" and got \"$VALUE\""
fi
echo OK.
