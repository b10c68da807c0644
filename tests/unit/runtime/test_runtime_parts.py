"""The runtime's parts without a CAS: docker arguments, paths, the file shield, otpqr."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from localcas.runtime.container import Container
from localcas.runtime.docker_args import DockerUsageError, parse_run
from localcas.runtime.otpqr import main as otpqr
from localcas.runtime.shield import FSPF, ShieldError, VolumeSpec, commit, open_volume


def test_docker_run_subset() -> None:
    request = parse_run(
        [
            "run",
            "--rm",
            "-it",
            "-w",
            "/root",
            "-v",
            "/h/w:/root",
            "-e",
            "A=1",
            "-e",
            "B",
            "--env=C=3",
            "otpqr:scone",
            "/bin/otpqr",
            "x",
        ],
        {"B": "from-caller"},
    )
    assert request.image == "otpqr:scone" and request.command == ["/bin/otpqr", "x"]
    assert request.env == {"A": "1", "B": "from-caller", "C": "3"}
    assert request.mounts == [("/h/w", "/root")] and request.workdir == "/root"
    for bad, why in (
        (["ps"], "'docker ps' is not available"),
        (["run", "--privileged", "img"], "unknown flag: --privileged"),
        (["run", "-v", "rel:/root", "img"], "invalid volume specification"),
        (["run", "-e"], "flag needs an argument"),
        (["run", "--rm"], "requires at least 1 argument"),
    ):
        with pytest.raises(DockerUsageError, match=why):
            parse_run(bad, {})


def test_container_paths_follow_the_longest_mount(tmp_path: Path) -> None:
    box = Container(tmp_path / "root", [("/host/w", "/root")], cwd="/root")
    assert box.host("qrcode.svg") == Path("/host/w/qrcode.svg")
    assert box.host("/root") == Path("/host/w")
    assert box.host("/etc/x") == tmp_path / "root" / "etc/x"
    box.overlays.append(("/stage", "/root/single_run"))
    assert box.host("single_run/once") == Path("/stage/once")
    assert box.host("single_run/once", shield=False) == Path("/host/w/single_run/once")
    assert box.host("/root/single_runner") == Path("/host/w/single_runner")


def _spec(tag: str | None, key: bytes = b"k" * 32) -> VolumeSpec:
    return VolumeSpec("/root/v", "ns/s", "v", key, tag)


def test_shield_seals_checks_and_refuses(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    (disk / "old.txt").write_text("taken in")
    tags: list[tuple[str | None, str]] = []
    opened = open_volume(_spec(None), disk, tmp_path / "s1")
    (opened.staging / "sub").mkdir()
    (opened.staging / "sub" / "new").write_text("secret data")
    tag = commit(opened, lambda old, new: tags.append((old, new)))
    assert tag is not None and tags == [(None, tag)]
    assert b"secret data" not in (disk / "sub" / "new").read_bytes()
    again = open_volume(_spec(tag), disk, tmp_path / "s2")
    assert (again.staging / "sub" / "new").read_text() == "secret data"
    assert (again.staging / "old.txt").read_text() == "taken in"
    assert commit(again, lambda old, new: tags.append((old, new))) is None  # unchanged
    with pytest.raises(ShieldError, match="not fresh - suspected replay attack"):
        open_volume(_spec("0" * 32), disk, tmp_path / "s3")
    with pytest.raises(ShieldError, match="cannot be authenticated"):
        open_volume(_spec(tag, b"x" * 32), disk, tmp_path / "s4")
    with pytest.raises(ShieldError, match="belongs to another volume"):
        open_volume(_spec(None, b"x" * 32), disk, tmp_path / "s5")
    (disk / "old.txt").write_bytes((disk / "old.txt").read_bytes()[:-1] + b"!")
    with pytest.raises(ShieldError, match=r"old\.txt of the protected volume 'v' was modified"):
        open_volume(_spec(tag), disk, tmp_path / "s6")
    (disk / "old.txt").unlink()
    with pytest.raises(ShieldError, match=r"old\.txt of the protected volume 'v' is missing"):
        open_volume(_spec(tag), disk, tmp_path / "s7")
    (disk / FSPF).unlink()
    with pytest.raises(ShieldError, match="was removed"):
        open_volume(_spec(tag), disk, tmp_path / "s8")
    with pytest.raises(ShieldError, match="does not exist"):
        open_volume(_spec(tag), tmp_path / "missing", tmp_path / "s9")


def test_refused_tag_keeps_the_old_protection_file(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    tag = commit(open_volume(_spec(None), disk, tmp_path / "a"), lambda o, n: None)
    before = (disk / FSPF).read_bytes()
    opened = open_volume(_spec(tag), disk, tmp_path / "b")
    (opened.staging / "f").write_text("x")

    def refuse(old: str | None, new: str) -> None:
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        commit(opened, refuse)
    assert (disk / FSPF).read_bytes() == before
    assert not any(p.name.endswith(".fspf-tmp") for p in disk.iterdir())


def _env(**extra: str) -> dict[str, str]:
    return {
        "OTP_SINGLE_USE": "/root/single_run/once",
        "OTP_ACCOUNT_NAME": "SCONE OTP",
        "OTP_ACCOUNT_LOGIN": "learner",
        "OTP_SECRET": "JBSWY3DPEHPK3PXP",
        "OTP_OUTPUT_FILE": "qrcode.svg",
        **extra,
    }


def test_otpqr_issues_once_unless_reset(tmp_path: Path) -> None:
    box = Container(tmp_path / "scratch", [(str(tmp_path), "/root")], cwd="/root")
    err = io.StringIO()
    assert otpqr(_env(), [], box, err) == 0 and err.getvalue() == ""
    svg = (tmp_path / "qrcode.svg").read_text()
    assert "otpauth://totp/SCONE%20OTP:learner?secret=JBSWY3DPEHPK3PXP" in svg
    assert (tmp_path / "single_run" / "once").exists()
    assert otpqr(_env(), [], box, err) == 1
    assert err.getvalue().endswith(
        "error: opt_qr:  OTP_SINGLE_USE (=/root/single_run/once) already exists!\n"
    )
    assert otpqr(_env(OTP_RESET="TRUE"), [], box, io.StringIO()) == 0
    env = _env(OTP_URL="1")
    env.pop("OTP_SECRET")
    err = io.StringIO()
    assert otpqr(env, [], box, err) == 1
    assert "error: opt_qr:  environment variable OTP_SECRET not defined" in err.getvalue()
    assert otpqr(_env(OTP_URL="1", OTP_RESET="1"), [], box, io.StringIO()) == 0
    assert (tmp_path / "qrcode.svg").read_text().startswith("open https://")
    err = io.StringIO()
    # What bash makes of an unescaped $$SCONE::otp_secret$$ in a heredoc: its pid.
    assert otpqr(_env(OTP_SECRET="4711SCONE::otp_secret4711", OTP_RESET="1"), [], box, err) == 1
    assert "OTP_SECRET is not a base32 secret" in err.getvalue()
