# expect: run2-succeeds failed
# Broken: reuses the name, but creates the namespace on every run without reading it
# first; the second create fails because the namespace exists.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
unset NS
[ -f state.env ] && source state.env
if [ -z "${NS:-}" ]; then
  NS="my_exercise-$(id -un)-$RANDOM$RANDOM"
  printf 'export NS="%s"\n' "$NS" > state.env
fi
printf 'name: $NS\nversion: "0.2"\n' > session.yml
NAMESPACE_SESSION_HASH=$(scone session create -e NS="$NS" session.yml)
printf 'export NS="%s"\nexport NAMESPACE_SESSION_HASH="%s"\n' "$NS" "$NAMESPACE_SESSION_HASH" > state.env
echo OK.
