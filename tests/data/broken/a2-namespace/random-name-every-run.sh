# expect: idempotent failed
# Broken: generates a new name on every run instead of reusing the one in state.env,
# so every run creates another namespace.
set -euo pipefail
shopt -s expand_aliases
source "$HOME/.scone/alias"
NS="my_exercise-$(id -un)-$RANDOM$RANDOM"
printf 'name: $NS\nversion: "0.2"\n' > session.yml
if scone session read "$NS" > session_read.yml; then
  NAMESPACE_SESSION_HASH=$(scone session verify session_read.yml)
else
  NAMESPACE_SESSION_HASH=$(scone session create -e NS="$NS" session.yml)
fi
printf 'export NS="%s"\nexport NAMESPACE_SESSION_HASH="%s"\n' "$NS" "$NAMESPACE_SESSION_HASH" > state.env
echo OK.
