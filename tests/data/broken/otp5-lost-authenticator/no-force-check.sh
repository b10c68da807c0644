# expect: roll-forward-needs-force failed
# Broken: rolls forward without asking for --force; one typo and every authenticator is
# gone.
# OTP Assignment 5: recover from a lost authenticator (or a broken volume) by rolling
# forward to a new OTP secret and a new volume.
#
#   ./solution.sh [create]                    the namespace and both policies (default)
#   ./solution.sh gen-qr-code                 issue the QR code once: qrcode.svg
#   ./solution.sh test-qr-code                the same for the service "test" (test.svg)
#   ./solution.sh add-authenticator --otp N   issue it again, for a valid OTP N
#   ./solution.sh roll-forward --force        new secret, new volume: old codes are void
#
# Secret and volume carry VOLUME_VERSION in their names (otp_secret_N, single_run_N):
# a new name is a new CAS-generated secret and a new, uninitialised volume. `create`
# brings both policies to the current VOLUME_VERSION, updating them when CAS has an
# older one, so a roll-forward that died half-way is finished by the next `create`.
#
# $NS/otpqr-x issues the QR code once (marker on the protected volume single_run).
# $NS/otpqr-reset runs the same otpqr with OTP_RESET set, and CAS configures it only for
# a valid OTP of the account's secret, once per 30-second step. It shares the volume and
# the secret, which otpqr-x exports to it; only the policy can set OTP_RESET, because the
# runtime ignores the host's environment.
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

die() { echo "FATAL ERROR: $*." >&2; exit 1; }

shopt -s expand_aliases
[ -r "$HOME/.scone/alias" ] && source "$HOME/.scone/alias"
type -a scone > /dev/null 2>&1 || die "alias 'scone' undefined. Run Assignment 0 first"
# The course's docker runs course images on the (emulated) SCONE runtime; with a real
# SCONE installation, call this script with DOCKER=docker.
DOCKER=${DOCKER:-$SCONE_COURSE_TOOLS/docker}

# Replaces $1 with stdin in one step.
write_file() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat > "$tmp"
  mv "$tmp" "$1"
}

# state.env: the namespace, chosen once and written down before anything is created.
load_state() {
  unset NS SESSION SESSION2 MRENCLAVE VOLUME_VERSION
  if [ -f state.env ]; then
    source state.env
  fi
  if [ -z "${NS:-}" ]; then
    [ "${1:-}" = create ] || die "No state.env here yet. Run '$0 create' first"
    NS="otp-$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')"
  fi
  SESSION="$NS/otpqr-x"
  SESSION2="$NS/otpqr-reset"
  if [ -z "${MRENCLAVE:-}" ]; then
    [ "${1:-}" = create ] || die "No MRENCLAVE in state.env. Run '$0 create' first"
    # SCONE_HASH=1: the runtime prints the program's MRENCLAVE instead of running it.
    MRENCLAVE=$("$DOCKER" run --rm -e SCONE_HASH=1 otpqr:scone /bin/otpqr | tr -d '[:space:]')
    [[ $MRENCLAVE =~ ^[0-9a-f]{64}$ ]] || die "unexpected MRENCLAVE \"$MRENCLAVE\""
  fi
  VOLUME_VERSION=${VOLUME_VERSION:-0}
  [[ $VOLUME_VERSION =~ ^[0-9]+$ ]] || die "VOLUME_VERSION in state.env is not a number"
  save_state
}

save_state() {
  printf 'export %s="%s"\n' NS "$NS" SESSION "$SESSION" SESSION2 "$SESSION2" \
    MRENCLAVE "$MRENCLAVE" VOLUME_VERSION "$VOLUME_VERSION" | write_file state.env
}

# Creates policy $1 from file $2 unless CAS has it already (read first). When CAS has it,
# but without the word $3 (e.g. the current volume's name), it is an older version:
# update it, with the current version's hash as predecessor.
ensure_policy() {
  local name=$1 file=$2 current=${3:-} hash
  if scone session read "$name" > session_read.yml 2> /dev/null; then
    if [ -z "$current" ] || grep -qE "\b${current}\b" session_read.yml; then
      echo "Policy $name exists already."
      return
    fi
    hash=$(scone session verify session_read.yml)
    { echo "predecessor: $hash"; cat "$file"; } | write_file "$file"
    scone session check "$file" > /dev/null
    scone session create "$file" > /dev/null || die "Updating policy $name failed"
    echo "Updated policy $name to volume version $VOLUME_VERSION."
  else
    scone session check "$file" > /dev/null
    scone session create "$file" > /dev/null || die "Creating policy $name failed"
    echo "Created policy $name."
  fi
}

create() {
  load_state create
  # otpqr keeps its marker in single_run/, which the container sees as /root/single_run.
  mkdir -p single_run
  write_file namespace.yml << YAML
name: $NS
version: "0.3"
access_policy:
  read: [CREATOR]
  update: [CREATOR]
  create_sessions: [CREATOR]
YAML
  # Unquoted heredoc: bash fills in $SESSION; the \$\$ keep SCONE's placeholder, which
  # CAS fills in with the secret (base32 without padding, as authenticators want it).
  write_file session.yml << YAML
name: $SESSION
version: "0.3"
access_policy:
  read: [CREATOR]
  update: [CREATOR]
services:
  - name: otpqr
    image_name: otpqr_image
    attestation:
      - mrenclave: ["$MRENCLAVE"]
    environment:
      OTP_SINGLE_USE: /root/single_run/once
      OTP_ACCOUNT_NAME: SCONE OTP
      OTP_ACCOUNT_LOGIN: otp-user
      OTP_SECRET: \$\$SCONE::otp_secret_$VOLUME_VERSION:base32nopad\$\$
      OTP_OUTPUT_FILE: /root/qrcode.svg
    pwd: /root
  - name: test
    image_name: otpqr_image
    attestation:
      - mrenclave: ["$MRENCLAVE"]
    environment:
      OTP_SINGLE_USE: /root/single_run/test
      OTP_ACCOUNT_NAME: otp_test_account
      OTP_ACCOUNT_LOGIN: otp_test_user
      OTP_SECRET: TESTTESTTESTTEST
      OTP_OUTPUT_FILE: /root/test.svg
    pwd: /root
# CAS keeps the volume's key and the tag of its latest state; the runtime keeps the
# files encrypted on disk, listed in single_run/volume.fspf.
volumes:
  - name: single_run_$VOLUME_VERSION
    export:
      - session: $SESSION2
images:
  - name: otpqr_image
    volumes:
      - name: single_run_$VOLUME_VERSION
        path: /root/single_run
secrets:
  - name: otp_secret_$VOLUME_VERSION
    kind: binary
    size: 32
    export:
      - session: $SESSION2
YAML
  # The same otpqr, but with OTP_RESET: it issues the QR code although the marker
  # exists. CAS checks the OTP before anything else; a session-wide OTP secret applies
  # to every service of this policy, which is why this is a policy of its own.
  write_file session2.yml << YAML
name: $SESSION2
version: "0.3"
access_policy:
  read: [CREATOR]
  update: [CREATOR]
services:
  - name: otpqr
    image_name: otpqr_image
    command: /bin/otpqr
    attestation:
      - mrenclave: ["$MRENCLAVE"]
    environment:
      OTP_SINGLE_USE: /root/single_run/once
      OTP_ACCOUNT_NAME: SCONE OTP
      OTP_ACCOUNT_LOGIN: otp-user
      OTP_SECRET: \$\$SCONE::otp_secret_$VOLUME_VERSION:base32nopad\$\$
      OTP_OUTPUT_FILE: /root/qrcode.svg
      OTP_RESET: "TRUE"
    pwd: /root
security:
  attestation:
    one_time_password_shared_secret: \$\$SCONE::otp_secret_$VOLUME_VERSION:base32nopad\$\$
volumes:
  - name: single_run_$VOLUME_VERSION
    import:
      session: $SESSION
      volume: single_run_$VOLUME_VERSION
images:
  - name: otpqr_image
    volumes:
      - name: single_run_$VOLUME_VERSION
        path: /root/single_run
secrets:
  - name: otp_secret_$VOLUME_VERSION
    import:
      session: $SESSION
      secret: otp_secret_$VOLUME_VERSION
YAML
  # Order matters: otpqr-x may export to otpqr-reset before that exists, but otpqr-reset
  # can only import what otpqr-x exports.
  ensure_policy "$NS" namespace.yml
  ensure_policy "$SESSION" session.yml "single_run_$VOLUME_VERSION"
  ensure_policy "$SESSION2" session2.yml "single_run_$VOLUME_VERSION"
}

# Runs otpqr as service $1 (with @OTP, if any) of policy $3 (default: $SESSION). The
# runtime ignores everything we pass except SCONE_*: the policy defines the rest.
run_otpqr() {
  local code=0
  "$DOCKER" run --rm -w /root -v "$PWD:/root" -e SCONE_CAS_ADDR="$SCONE_CAS_ADDR" \
    -e SCONE_CONFIG_ID="${3:-$SESSION}/$1" otpqr:scone /bin/otpqr > qr.output || code=$?
  [ "$code" = 0 ] || die "executing '$2' failed (exit code $code)"
}

gen_qr_code() {
  load_state
  run_otpqr otpqr gen-qr-code
  echo "Written QR code to file qrcode.svg."
  echo "Scan it (scone-course otp qrcode.svg), then remove it: shred -n 3 -z -u qrcode.svg"
}

# The OTP comes from --otp (or, at a terminal, from a prompt); it is used at most once.
add_authenticator() {
  local otp=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --otp) [ $# -ge 2 ] || die "--otp needs a value"; otp=$2; shift 2 ;;
      --otp=*) otp=${1#--otp=}; shift ;;
      *) die "unknown option '$1' for add-authenticator (use: --otp N)" ;;
    esac
  done
  if [ -z "$otp" ]; then
    [ -t 0 ] || die "add-authenticator needs the OTP of an existing authenticator: --otp N"
    echo "Adding a new authenticator requires an OTP from an existing authenticator."
    read -r -p "Type OTP and press enter: " otp
  fi
  otp=$(tr -d '[:space:]' <<< "$otp")
  [[ $otp =~ ^[0-9]{6}$ ]] || die "an OTP is 6 digits, not \"$otp\""
  load_state
  run_otpqr "otpqr@$otp" add-authenticator "$SESSION2"
  echo "Written QR code to file qrcode.svg."
  echo "Scan it with the new authenticator, then remove it: shred -n 3 -z -u qrcode.svg"
}

# A new secret (all authenticators become useless) and a new, empty volume (whatever
# happened to the old one no longer matters). VOLUME_VERSION is written down first, so
# that a re-run after a crash finishes the same roll-forward.
roll_forward() {
  load_state
  VOLUME_VERSION=$((VOLUME_VERSION + 1))
  save_state
  # The old volume's files cannot be read without its key; the new volume starts empty.
  find single_run -mindepth 1 -delete 2> /dev/null || true
  create
  echo "Rolled forward to volume version $VOLUME_VERSION: run gen-qr-code for the new secret."
}

test_qr_code() {
  load_state
  run_otpqr test test-qr-code
  echo "Written test QR code to file test.svg. - This cannot be used for authorization."
}

case "${1:-create}" in
  create) create ;;
  gen-qr-code) gen_qr_code ;;
  test-qr-code) test_qr_code ;;
  add-authenticator) shift; add_authenticator "$@" ;;
  roll-forward) shift; roll_forward "$@" ;;
  *) die "unknown command '$1' (use: create, gen-qr-code, test-qr-code, add-authenticator, roll-forward)" ;;
esac
echo OK.
