#!/usr/bin/env bash
# Fixture reference: attest the course CAS and keep its certificate chain.
set -euo pipefail
scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }
mrenclave=$(curl -fsS "$SCONE_CAS_PAGE" | grep -oE '\b[0-9a-f]{64}\b' | head -n1)
scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug \
  --mrenclave "$mrenclave" "$SCONE_CAS_ADDR"
scone cas show-certificate > cas_cert.crt
