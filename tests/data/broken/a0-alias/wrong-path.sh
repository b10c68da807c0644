# expect: new-bash-has-scone failed
# Broken: the alias points at a launcher that does not exist.
set -euo pipefail
mkdir -p "$HOME/.cas" "$HOME/.scone"
echo "alias scone='$SCONE_COURSE_TOOLS/scone-cli'" > "$HOME/.scone/alias"
grep -q '.scone/alias' "$HOME/.bashrc" 2>/dev/null || echo 'source "$HOME/.scone/alias"' >> "$HOME/.bashrc"
echo OK.
