# expect: idempotent failed
# Broken: stamps the alias file with the time, so every run changes it.
set -euo pipefail
mkdir -p "$HOME/.cas" "$HOME/.scone"
{ echo "# Created on $(date +%s%N)"; echo "alias scone='$SCONE_COURSE_TOOLS/scone'"; } > "$HOME/.scone/alias"
grep -q '.scone/alias' "$HOME/.bashrc" 2>/dev/null || echo 'source "$HOME/.scone/alias"' >> "$HOME/.bashrc"
echo OK.
