# Fixture reference (xonsh): a namespace created once, its name kept in state.env.
import os, random
scone = $SCONE_COURSE_TOOLS + "/scone"
ns = None
if os.path.exists("state.env"):
    for line in open("state.env"):
        if line.startswith("export NS="):
            ns = line.split("=", 1)[1].strip().strip('"')
if not ns:
    ns = f"fixture-{random.randrange(10**9)}"
    with open("state.env", "w") as out:
        out.write(f'export NS="{ns}"\n')
if !(@(scone) session read @(ns) > session_read.yml).returncode != 0:
    with open("session.yml", "w") as out:
        out.write('name: $NS\nversion: "0.3"\n')
    @(scone) session create -e @(f"NS={ns}") session.yml
print("OK.")
