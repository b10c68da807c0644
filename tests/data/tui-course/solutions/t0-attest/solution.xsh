# Fixture reference (xonsh): attest the course CAS and keep its certificate chain.
import re
scone = $SCONE_COURSE_TOOLS + "/scone"
page = $(curl -fsS $SCONE_CAS_PAGE)
mrenclave = re.search(r"\b[0-9a-f]{64}\b", page).group(0)
@(scone) cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug --mrenclave @(mrenclave) $SCONE_CAS_ADDR
@(scone) cas show-certificate > cas_cert.crt
