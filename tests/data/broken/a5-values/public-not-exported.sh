# expect: public-value-anonymous failed
# Broken: forgets export_public on public_value, so nobody can read it; the script
# prints whatever curl returns and does not check it.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
source ../a4-update/state.env
SESSION="$NS/private_public_values"
cat > session.yml << YAML
name: $SESSION
version: "0.3"
secrets:
  - name: public_value
    kind: ascii
    value: "42"
  - name: private_value
    kind: ascii
    value: "007"
YAML
if scone session read "$SESSION" > session_read.yml; then
  SESSION_HASH=$(scone session verify session_read.yml)
else
  SESSION_HASH=$(scone session create session.yml)
fi
printf 'export NS="%s"\nexport SESSION="%s"\nexport SESSION_HASH="%s"\n' "$NS" "$SESSION" "$SESSION_HASH" > state.env
scone cas show-certificate > cas_cert.crt
curl -sS --cacert cas_cert.crt --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/values/session=${SESSION},secret=public_value" | tee values.json
echo
echo OK.
