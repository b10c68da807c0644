# expect: idempotent failed
# Broken: appends the alias to ~/.bashrc on every run.
set -euo pipefail
mkdir -p "$HOME/.cas" "$HOME/.scone"
echo "alias scone='$SCONE_COURSE_TOOLS/scone'" > "$HOME/.scone/alias"
cat "$HOME/.scone/alias" >> "$HOME/.bashrc"
echo OK.
