# expect: new-bash-has-scone failed
# Broken: writes the alias file but never makes a new shell load it.
set -euo pipefail
mkdir -p "$HOME/.cas" "$HOME/.scone"
echo "alias scone='$SCONE_COURSE_TOOLS/scone'" > "$HOME/.scone/alias"
touch "$HOME/.bashrc"
echo OK.
