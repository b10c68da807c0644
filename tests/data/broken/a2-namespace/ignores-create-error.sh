# expect: fails-when-create-fails failed
# Broken: no error handling; when `scone session create` fails, the script carries on
# and says OK. anyway.
shopt -s expand_aliases
source "$HOME/.scone/alias"
unset NS
[ -f state.env ] && source state.env
if [ -z "$NS" ]; then
  NS="my_exercise-$(id -un)-$RANDOM$RANDOM"
  printf 'export NS="%s"\n' "$NS" > state.env
fi
printf 'name: $NS\nversion: "0.2"\n' > session.yml
if scone session read "$NS" > session_read.yml; then
  NAMESPACE_SESSION_HASH=$(scone session verify session_read.yml)
else
  NAMESPACE_SESSION_HASH=$(scone session create -e NS="$NS" session.yml)
fi
printf 'export NS="%s"\nexport NAMESPACE_SESSION_HASH="%s"\n' "$NS" "$NAMESPACE_SESSION_HASH" > state.env
echo OK.
