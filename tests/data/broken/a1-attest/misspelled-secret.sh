# expect: expected-value failed
# Broken: asks for a misspelled secret and reports the mismatch, but still ends with OK.
# (the original course's behaviour: a wrong value was only a message)
shopt -s expand_aliases
source "$HOME/.scone/alias"
MRENCLAVE=$(curl -fsS "$SCONE_CAS_PAGE" | grep 'scone cas attest' | grep -oE '[0-9a-f]{64}' | head -n1)
scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug --mrenclave "$MRENCLAVE" "$SCONE_CAS_ADDR"
scone cas show-certificate > cas_cert.crt
curl -sS --cacert cas_cert.crt --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/values/session=example_session,secret=example_valeu" > values.json
VALUE=$(jq -r .value values.json)
if [ "$VALUE" == "42" ]; then
  echo "Value is as expected: $VALUE"
else
  echo "Value is not as expected: expected \"42\" and got \"$VALUE\""
fi
echo OK.
