"""Finding the executable, and drnet's failures as DrnetError."""

from __future__ import annotations

import os
import stat
import textwrap

import pytest

import drnet


def fake_drnet(tmp_path, body: str) -> str:
    """A stand-in executable (a shell script) for statuses a real run cannot be made to give."""
    path = tmp_path / "fake-drnet"
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_find_executable_uses_drnet_bin(drnet_bin):
    assert drnet.find_executable() == os.path.abspath(drnet_bin)


def test_missing_drnet_bin_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DRNET_BIN", str(tmp_path / "no-such-drnet"))
    with pytest.raises(drnet.DrnetNotFoundError, match="DRNET_BIN.*does not exist"):
        drnet.find_executable()
    with pytest.raises(drnet.DrnetNotFoundError):
        drnet.check(tmp_path)


def test_no_drnet_anywhere_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("DRNET_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no drnet on PATH
    with pytest.raises(drnet.DrnetNotFoundError, match="DRNET_BIN is not set and there is no drnet on PATH") as info:
        drnet.solve(tmp_path, tmp_path / "out")
    assert isinstance(info.value, FileNotFoundError)


def test_drnet_on_path_is_found(monkeypatch, tmp_path, drnet_bin):
    monkeypatch.delenv("DRNET_BIN", raising=False)
    link = tmp_path / "drnet"
    link.symlink_to(drnet_bin)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert drnet.find_executable() == str(link)


def test_missing_library_is_status_2(tmp_path):
    missing = tmp_path / "no-such-library"
    with pytest.raises(drnet.DrnetError) as info:
        drnet.solve(missing, tmp_path / "out", device="cpu")
    e = info.value
    assert e.status == 2 and e.meaning == "bad input"
    assert e.command[1] == "solve" and str(missing) in e.command
    assert str(missing) in e.message and "no such folder" in e.message
    assert not e.message.startswith("error:")
    assert "exit status 2 (bad input)" in str(e)


def test_missing_solution_is_status_2(tmp_path):
    with pytest.raises(drnet.DrnetError) as info:
        drnet.check(tmp_path / "nothing-here")
    assert info.value.status == 2 and "no such file or folder" in info.value.message
    with pytest.raises(drnet.DrnetError) as info:
        drnet.evaluate(tmp_path / "nothing-here", tmp_path / "truth.csv")
    assert info.value.status == 2


def test_usage_error_is_status_64():
    with pytest.raises(drnet.DrnetError) as info:
        drnet.run(["solve", "--no-such-option"])
    assert info.value.status == 64
    assert "--no-such-option" in info.value.message


def test_other_statuses_keep_message_and_stderr(tmp_path):
    exe = fake_drnet(tmp_path, """\
        echo "drnet: device auto → opencl" >&2
        echo "error: the run on opencl:0.0 failed and wrote nothing: CL_OUT_OF_RESOURCES" >&2
        exit 3
        """)
    with pytest.raises(drnet.DrnetError) as info:
        drnet.solve(tmp_path, tmp_path / "out", executable=exe)
    e = info.value
    assert (e.status, e.meaning) == (3, "device failure")
    assert e.message == "the run on opencl:0.0 failed and wrote nothing: CL_OUT_OF_RESOURCES"
    assert "device auto" in e.stderr


def test_check_exit_1_is_a_result(tmp_path):
    exe = fake_drnet(tmp_path, """\
        echo '{"violated": true, "brokenRules": ["gibbs"]}'
        exit 1
        """)
    report = drnet.check(tmp_path, executable=exe)
    assert report == {"violated": True, "brokenRules": ["gibbs"]}
