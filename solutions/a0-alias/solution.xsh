# Assignment 0 (xonsh): make `scone` an alias that every new xonsh knows.
#
# The alias file keeps the bash syntax of the original course, so bash scripts can load
# it too; xonsh imports it with `source-bash`. Both files change only when they must.
from pathlib import Path

home = Path($HOME)
alias_file = home / ".scone" / "alias"
wanted = f"alias scone='{$SCONE_COURSE_TOOLS}/scone'\n"
loader = "source-bash ~/.scone/alias"

# The CLI keeps attested CASes and its identity in ~/.cas, its own state in ~/.scone.
for directory in (home / ".cas", home / ".scone"):
    directory.mkdir(parents=True, exist_ok=True)

# Replace the file in one step (write a temporary, then rename) and only when it differs.
if not alias_file.exists() or alias_file.read_text() != wanted:
    tmp = alias_file.with_name(alias_file.name + ".tmp")
    tmp.write_text(wanted)
    tmp.replace(alias_file)

# The loading line is its own marker: append it only when it is missing.
rc = home / ".xonshrc"
lines = rc.read_text().splitlines() if rc.exists() else []
if loader not in lines:
    with rc.open("a") as out:
        out.write(loader + "\n")

print("OK.")
