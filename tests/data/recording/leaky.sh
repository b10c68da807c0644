#!/usr/bin/env bash
# A solution that shows everything a screencast must hide (tests of the recorder only):
# a value the CAS generates, and the learner's private key.
source "$HOME/.scone/alias"
source ../a2-namespace/state.env
cat > leak.yml << YAML
name: $NS-leak
version: "0.3"
secrets:
  - name: generated
    kind: ascii
    size: 24
    export_public: true
YAML
scone session create leak.yml
scone cas show-certificate > cas_cert.crt
curl -sS --cacert cas_cert.crt --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" \
  "https://cas:8081/v1/values/session=$NS-leak,secret=generated"
echo
jq -r .identity ~/.cas/config.json
echo done.
