# Assignment 0 (xonsh): make `scone` available as an alias. Read the lesson first.

# TODO 1: create the CLI's state directories ~/.cas and ~/.scone.
# TODO 2: write ~/.scone/alias, one line in bash syntax:
#         alias scone='<full path of the launcher>'  (the launcher is $SCONE_COURSE_TOOLS/scone)
# TODO 3: make ~/.xonshrc load it with `source-bash ~/.scone/alias`, exactly once.

print("Nothing done yet: work through the TODOs.")
