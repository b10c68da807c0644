"""The course's own session files (spec §1.2, §4) must parse and validate as expected."""

from __future__ import annotations

import pytest

from localcas.errors import PolicyError
from localcas.policy import load_session, read_form, session_hash, validate, version_at_least_03

PRED = "5297ee7bf668836addda1bf89438da43211d049ecb9a42dbfaa7bf9de620698f"
MRENCLAVE = "bb79c285" * 8
OTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"


def load(text: str, **variables: str) -> dict[str, object]:
    return load_session(text, filename="session.yml", variables=variables)


A2 = 'name: $NS\nversion: "0.2"\n'

A4 = """\
name: $NS
version: "0.3"
predecessor: $PREDECESSOR
access_policy:
  read: [CREATOR]
  update: [CREATOR]
  create_sessions: [CREATOR]
"""

A5 = """\
name: my_exercise-joe-4711/private_public_values
version: "0.3"
secrets:
  - {name: public_value, kind: ascii, value: "42", export_public: true}
  - {name: private_value, kind: ascii, value: "007"}
"""

EXAMPLE_SESSION = """\
name: example_session
version: "0.3"
predecessor: 1ffb67d636570ccae5b2e8f8a6c8c6f912f69cc1fe138443e69e42dc783793eb
secrets:
  - name: example_value
    export_public: true
    kind: ascii
    value: "42"
access_policy: {read: [CREATOR], update: [CREATOR]}
"""


def test_a2_namespace_template_with_a_tty_value() -> None:
    out = load(A2, NS="my_exercise-joe-12345\r")
    assert out == {
        "version": "0.2",
        "name": "my_exercise-joe-12345",
        "predecessor": None,
        "access_policy": {"read": ["CREATOR"], "update": ["CREATOR"]},
    }
    assert not version_at_least_03(out)


def test_a2_without_version_is_treated_as_02() -> None:
    assert load("name: $NS\n", NS="ns")["version"] == "0.2"


def test_a2_with_empty_user_still_forms_a_valid_name() -> None:
    assert load(A2, NS="my_exercise--12345")["name"] == "my_exercise--12345"


def test_a2_with_odd_user_name_is_rejected_with_the_allowed_characters() -> None:
    with pytest.raises(PolicyError) as info:
        load(A2, NS="my_exercise-joe doe-1")
    assert "A-Z, a-z, 0-9" in info.value.message
    assert (info.value.line, info.value.column) == (1, 7)


def test_a2_without_the_variable_gives_the_documented_error() -> None:
    with pytest.raises(PolicyError) as info:
        load(A2)
    assert info.value.describe() == "name: Value for variable $NS is missing at line 1 column 7"


def test_a4_upgrade_template() -> None:
    out = load(A4, NS="my_exercise-joe-12345", PREDECESSOR=PRED + "\n")
    assert out["predecessor"] == PRED
    assert out["access_policy"] == {
        "read": ["CREATOR"],
        "update": ["CREATOR"],
        "create_sessions": ["CREATOR"],
    }
    assert version_at_least_03(out)


def test_a5_values_keep_007_and_public_flag() -> None:
    out = load(A5)
    assert out["secrets"] == [
        {"name": "public_value", "kind": "ascii", "value": "42", "export_public": True},
        {"name": "private_value", "kind": "ascii", "value": "007", "export_public": False},
    ]


def test_a5_with_unquoted_007_still_keeps_the_leading_zeros() -> None:
    assert load(A5.replace('"007"', "007"))["secrets"] == load(A5)["secrets"]


def test_a1_example_session_round_trips_through_read_form(cert: str) -> None:
    out = validate({**load(EXAMPLE_SESSION), "creator": cert})
    text = read_form(out)
    assert "predecessor: 1ffb67d6" in text
    assert load(text) == out
    assert len(session_hash(out)) == 64


NAMESPACE_DOC = """\
name: my-namespace
version: "0.3"
access_policy: {read: [CREATOR], update: [CREATOR], create_sessions: [CREATOR]}
"""


def test_namespace_doc_example_and_children() -> None:
    assert load(NAMESPACE_DOC)["name"] == "my-namespace"
    for child in ("my-namespace/hello-world", "my-namespace/hello-world/project-1"):
        assert load(NAMESPACE_DOC.replace("my-namespace", child, 1))["name"] == child


# --- OTP reference templates (spec §4.7), rendered by hand ---------------------------

OTP_HEADER = """\
name: {name}
version: "0.3"
{predecessor_line}
access_policy:
  read: [CREATOR]
  update: [CREATOR]
  create_sessions: [CREATOR]
"""

OTP_SESSION = """\
services:
  - name: otpqr
    image_name: otpqr_image
    # attestation:   (enable for release mode)
    #   - mrenclave: [$MRENCLAVE]
    environment:
      OTP_SINGLE_USE: /root/single_run/once
      OTP_ACCOUNT_NAME: SCONE OTP
      OTP_ACCOUNT_LOGIN: joe
      OTP_SECRET: $$SCONE::otp_secret$$
      OTP_OUTPUT_FILE: /root/qrcode.svg
    pwd: /root
  - name: test
    image_name: otpqr_image
    environment:
      OTP_SINGLE_USE: /root/single_run/test
      OTP_ACCOUNT_NAME: otp_test_account
      OTP_ACCOUNT_LOGIN: otp_test_user
      OTP_SECRET: test
      OTP_OUTPUT_FILE: /root/test.svg
    pwd: /root
security:
  attestation:
    mode: none
volumes:
  - name: single_run_0
    export:
      - session: Ab3dE6gH9jK2mN5pQ8sT/otpqr-reset
images:
  - name: otpqr_image
    volumes:
      - {name: single_run_0, path: /root/single_run}
secrets:
  - name: otp_secret
    kind: ascii
    value: {secret}
    export:
      - session: Ab3dE6gH9jK2mN5pQ8sT/otpqr-reset
"""

OTP_RESET = """\
services:
  - name: otpqr
    image_name: otpqr_image
    command: /bin/otpqr
    environment:
      OTP_SINGLE_USE: /root/single_run/once
      OTP_ACCOUNT_NAME: SCONE OTP
      OTP_ACCOUNT_LOGIN: joe
      OTP_SECRET: $$SCONE::otp_secret$$
      OTP_OUTPUT_FILE: /root/qrcode.svg
      OTP_RESET: "TRUE"
    pwd: /root
security:
  attestation:
    one_time_password_shared_secret: {secret}
    mode: none
volumes:
  - name: single_run_0
    import:
      session: Ab3dE6gH9jK2mN5pQ8sT/otpqr-x
      volume: single_run_0
images:
  - name: otpqr_image
    volumes:
      - {{name: single_run_0, path: /root/single_run}}
secrets:
  - name: otp_secret
    import:
      session: Ab3dE6gH9jK2mN5pQ8sT/otpqr-x
      secret: otp_secret
"""

PREDECESSOR_LINES = ["#: ", "# predecessor: ~", "predecessor: ~", f"predecessor: {PRED}"]


def render(body: str, name: str, predecessor_line: str) -> str:
    header = OTP_HEADER.format(name=name, predecessor_line=predecessor_line)
    return header + body.replace("{secret}", OTP_SECRET).replace("{{", "{").replace("}}", "}")


@pytest.mark.parametrize("predecessor_line", PREDECESSOR_LINES)
def test_otp_namespace_template(predecessor_line: str) -> None:
    out = load(render("", "Ab3dE6gH9jK2mN5pQ8sT", predecessor_line))
    assert out["predecessor"] == (PRED if PRED in predecessor_line else None)


@pytest.mark.parametrize("predecessor_line", PREDECESSOR_LINES)
def test_otp_session_template(predecessor_line: str) -> None:
    out = load(render(OTP_SESSION, "Ab3dE6gH9jK2mN5pQ8sT/otpqr-x", predecessor_line))
    services = out["services"]
    assert isinstance(services, list)
    assert [s["name"] for s in services] == ["otpqr", "test"]
    assert services[0]["environment"]["OTP_SECRET"] == "$$SCONE::otp_secret$$"
    assert out["volumes"] == [
        {"name": "single_run_0", "export": [{"session": "Ab3dE6gH9jK2mN5pQ8sT/otpqr-reset"}]}
    ]
    assert out["secrets"] == [
        {
            "name": "otp_secret",
            "kind": "ascii",
            "value": OTP_SECRET,
            "export": [{"session": "Ab3dE6gH9jK2mN5pQ8sT/otpqr-reset"}],
            "export_public": False,
        }
    ]


def test_otp_reset_template() -> None:
    out = load(render(OTP_RESET, "Ab3dE6gH9jK2mN5pQ8sT/otpqr-reset", "# predecessor: ~"))
    assert out["security"] == {
        "attestation": {"mode": "none", "one_time_password_shared_secret": OTP_SECRET}
    }
    services = out["services"]
    assert isinstance(services, list)
    assert services[0]["environment"]["OTP_RESET"] == "TRUE"
    assert out["secrets"] == [
        {
            "name": "otp_secret",
            "import": {"session": "Ab3dE6gH9jK2mN5pQ8sT/otpqr-x", "secret": "otp_secret"},
            "export_public": False,
        }
    ]


def test_otp_session_with_release_attestation_enabled() -> None:
    text = (
        render(OTP_SESSION, "ns/otpqr-x", "")
        .replace(
            "    # attestation:   (enable for release mode)\n    #   - mrenclave: [$MRENCLAVE]\n",
            "    attestation:\n      - mrenclave: [$MRENCLAVE]\n",
        )
        .replace("    mode: none\n", "    mode: hardware\n")
    )
    with pytest.raises(PolicyError, match="service 'test' has no attestation"):
        load(text, MRENCLAVE=MRENCLAVE)
    with pytest.raises(PolicyError, match=r"\$MRENCLAVE"):
        load(text)


OTP_DEMO = f"""\
name: otp-demo
version: "0.3.10"
services:
  - name: service
    mrenclaves: [{MRENCLAVE}]
    one_time_password_shared_secret: $$SCONE::otp_secret$$
secrets:
  - name: otp_secret
    kind: ascii
    value: JJBFGV2ZGNCFARKIKBFTGUCYKBNFKVQK
security:
  attestation:
    one_time_password_shared_secret: BASE32SECRET3232BASE32SECRET3232
    tolerate: [hyperthreading, insecure-igpu, outdated-tcb, software-hardening-needed,
               insecure-configuration, debug-mode]
    ignore_advisories: "*"
"""


def test_otp_demo_security_section() -> None:
    out = load(OTP_DEMO)
    security = out["security"]
    assert isinstance(security, dict)
    assert security["attestation"]["mode"] == "hardware"
    assert security["attestation"]["ignore_advisories"] == "*"
