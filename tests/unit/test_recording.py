"""The recorder's pure parts: cutting a script into typed steps, the typing rhythm, and
transcript normalisation."""

from __future__ import annotations

from course.recording.steps import split_script
from course.recording.transcript import normalise_transcript
from course.recording.typist import Typist
from grader.cast import redaction_forms

BASH = """#!/usr/bin/env bash
# About the whole script.

set -e
# Explains f.
f() {
  echo in f

  echo after a blank line
}
cat > x.yml << 'YAML'
# not a comment: YAML
name: x

YAML
curl -sS a \\
  b
if true; then echo y
fi
# trailing words
"""

XONSH = '''import sys
# Explains die.
def die(message):
    print(message)

    sys.exit(1)
Path("x").write_text(f"""\\
name: {1}

version: 2
""")
if x:
    pass
else:
    print((1,
2))
value = $(echo a)
'''


def test_bash_steps_are_complete_statements_with_their_comments() -> None:
    steps = split_script(BASH, "bash")
    assert [s.label for s in steps] == [
        "set -e",
        "f() {",
        "cat > x.yml << 'YAML'",
        "curl -sS a \\",
        "if true; then echo y",
        "",
    ]
    assert steps[0].comments == ("# About the whole script.",)
    assert steps[1].comments == ("# Explains f.",)
    assert steps[1].lines[-1] == "}" and "" in steps[1].lines  # the blank line stays inside
    assert steps[2].lines == (
        "cat > x.yml << 'YAML'",
        "# not a comment: YAML",
        "name: x",
        "",
        "YAML",
    )
    assert steps[3].lines == ("curl -sS a \\", "  b")
    assert steps[-1].lines == () and steps[-1].comments == ("# trailing words",)


def test_xonsh_steps_follow_indentation_brackets_and_strings() -> None:
    steps = split_script(XONSH, "xonsh")
    assert [s.label for s in steps] == [
        "import sys",
        "def die(message):",
        'Path("x").write_text(f"""\\',
        "if x:",
        "value = $(echo a)",
    ]
    die = steps[1]
    assert die.comments == ("# Explains die.",)
    # Blank lines inside a block are dropped; one closes the statement.
    assert die.lines == ("def die(message):", "    print(message)", "    sys.exit(1)", "")
    # Inside a triple-quoted string every line counts, the blank one too.
    assert steps[2].lines[1:4] == ("name: {1}", "", "version: 2")
    assert steps[3].lines[-3:] == ("    print((1,", "2))", "")
    assert steps[4].lines == ("value = $(echo a)",)


def test_typing_rhythm_is_seeded_and_human() -> None:
    one, two, other = Typist("s"), Typist("s"), Typist("t")
    text = "scone session create -e NS=$NS session.yml"
    delays = one.keystrokes(text)
    assert delays == two.keystrokes(text) != other.keystrokes(text)
    assert len(delays) == len(text) and all(0.02 < d < 1.0 for d in delays)
    assert 0.5 < one.think() < 1.5


def test_run_specific_values_become_stable_placeholders() -> None:
    h1, h2 = "a" * 64, "0123456789abcdef" * 4
    text = (
        f"Namespace my_exercise-root-1a2b3c4d has hash {h1}\n"
        f"PREDECESSOR is {h2}; active {h1}\n"
        "CAS 127.3.0.1 at https://127.3.0.1:8081/\n"
        "alias scone='/tmp/scone-grader-0/boxes/0123456789ab/tools/scone'\n"
        "Created policy otp-d57e121baffa4b63b895.\n"
        "key 2rAQ9ojt5LpdpZsQtZxMEmn5dEjdgHJkGrMYKdxKYpzfxZcxJS\n"
        "wrote state.env.Ab12Cd\n"
        "  -----BEGIN CERTIFICATE-----\n  MIIB\n  AB==\n  -----END CERTIFICATE-----\n"
    )
    assert normalise_transcript(text) == (
        "Namespace my_exercise-<user>-<suffix> has hash <hash-1>\n"
        "PREDECESSOR is <hash-2>; active <hash-1>\n"
        "CAS <cas-address> at https://<cas-address>:8081/\n"
        "alias scone='<sandbox>/tools/scone'\n"
        "Created policy otp-<suffix>.\n"
        "key <key-hash-1>\n"
        "wrote state.env.XXXXXX\n"
        "  -----BEGIN CERTIFICATE-----\n  <certificate-1>\n  -----END CERTIFICATE-----\n"
    )


def test_a_secret_is_hidden_in_every_form_it_reaches_the_screen_in() -> None:
    forms = redaction_forms(["00ff10ab20cd30ef", 'a"b\\cdefg'])
    # JSON answers escape quotes and backslashes; binary values show as Base32 or Base64.
    assert {'a"b\\cdefg', 'a\\"b\\\\cdefg'} <= forms
    assert {"00ff10ab20cd30ef", "AD7RBKZAZUYO6===", "AD7RBKZAZUYO6", "AP8QqyDNMO8="} <= forms


def test_a_one_time_password_in_a_config_id_becomes_a_placeholder() -> None:
    line = "using service ID otp-1a2b3c4d/otpqr-reset/otpqr@042917\nexit code 134 of 123456\n"
    assert normalise_transcript(line) == (
        "using service ID otp-1a2b3c4d/otpqr-reset/otpqr@<otp>\nexit code 134 of 123456\n"
    )
