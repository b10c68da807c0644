#!/usr/bin/env bash
# Assignment 5: a policy in our namespace with a public and a private value, and the
# proof that CAS hands out the first to anyone and the second to nobody.
#
# The policy name is derived from the namespace, so nothing needs remembering before
# the create; read first, create only when the read fails. The checks at the end are
# requests that must FAIL: there, a success is the error.
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

die() { echo "FATAL ERROR: $*." >&2; exit 1; }

shopt -s expand_aliases
[ -r "$HOME/.scone/alias" ] && source "$HOME/.scone/alias"
type -a scone > /dev/null 2>&1 || die "alias 'scone' undefined. Run Assignment 0 first"

# Replaces $1 with stdin in one step (mktemp: readable by us only).
write_file() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat > "$tmp"
  mv "$tmp" "$1"
}

unset NS SESSION SESSION_HASH
[ -f ../a4-update/state.env ] || die "../a4-update/state.env is missing. Run Assignment 4 first"
source ../a4-update/state.env
[ -n "${NS:-}" ] || die "No namespace defined in ../a4-update/state.env. Run Assignment 4 again"
SESSION="$NS/private_public_values"

# No CLI variables this time: bash fills in the name (unquoted heredoc). The values are
# quoted, or YAML would read 007 as the number 7.
cat > session.yml << YAML
name: $SESSION
version: "0.3"
secrets:
  - name: public_value
    kind: ascii
    value: "42"
    export_public: true
  - name: private_value
    kind: ascii
    value: "007"
YAML

if scone session read "$SESSION" > session_read.yml 2> /dev/null; then
  SESSION_HASH=$(scone session verify session_read.yml)
  echo "Policy $SESSION exists already."
else
  scone session check session.yml > /dev/null
  SESSION_HASH=$(scone session create session.yml) || die "Creating policy $SESSION failed"
  echo "Created policy $SESSION."
fi
[[ $SESSION_HASH =~ ^[0-9a-f]{64}$ ]] || die "unexpected hash \"$SESSION_HASH\" for $SESSION"
printf 'export NS="%s"\nexport SESSION="%s"\nexport SESSION_HASH="%s"\n' \
  "$NS" "$SESSION" "$SESSION_HASH" | write_file state.env

scone cas show-certificate | write_file cas_cert.crt
printf '%b\n' "$(jq .identity "$HOME/.cas/config.json" | tr -d '"')" | write_file client.pem
cas=(--cacert cas_cert.crt --connect-to "cas:8081:$SCONE_CAS_ADDR:8081")
url="https://cas:8081/v1/values/session=${SESSION}"

# The public value: anyone may read it, so no client certificate.
curl -sS "${cas[@]}" "$url,secret=public_value" | write_file values.json
VALUE=$(jq -r '.value // empty' values.json)
if [ "$VALUE" != 42 ]; then
  jq -r '.msg[]? // empty' values.json >&2 || cat values.json >&2
  die "Public value is not as expected: expected \"42\" and got \"$VALUE\""
fi
echo "Public value is as expected: $VALUE"

# The private value, as a stranger and as the policy's creator. The original course
# sent HEAD requests (curl -I) and expected 405; CAS answers *every* HEAD on /v1/values
# with 405, so we keep that check and add the one that matters: a GET must be refused
# and its answer must not contain the value.
refuse_private() { # $1: who is asking; the rest: extra curl arguments
  local who=$1 status answer
  shift
  status=$(curl -sS -I -o /dev/null -w '%{http_code}' "${cas[@]}" "$@" "$url,secret=private_value")
  [ "$status" = 405 ] || die "Expected response \"405\" retrieving private secret. Got \"$status\""
  answer=$(curl -sS -w '\n%{http_code}' "${cas[@]}" "$@" "$url,secret=private_value")
  status=${answer##*$'\n'}
  if [[ $status == 2* ]] || grep -qF 007 <<< "$answer"; then
    die "CAS handed out the private value $who (HTTP $status)"
  fi
  echo "Private value refused $who: HEAD 405, GET $status - as expected."
}
refuse_private "without a client certificate"
refuse_private "with the creator's certificate" --cert client.pem

echo OK.
