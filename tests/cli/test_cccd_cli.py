"""``hongheo cccd check``: exit codes and output exactly as in shared/contracts/cli.md."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hongheo.cli import main


@pytest.mark.parametrize(
    ("argv", "code", "out"),
    [
        (["001090012345"], 0, "valid\n"),
        (["001090012345", "--dob", "1990-01-02", "--sex", "male"], 0, "valid\n"),
        (["079312345678", "--dob", "2012-12-31", "--sex", "female"], 0, "valid\n"),
        (["00109001234"], 1, "invalid: length: expected 12 digits, got 11 characters\n"),
        (["0010900123456"], 1, "invalid: length: expected 12 digits, got 13 characters\n"),
        (["0010900a2345"], 1, "invalid: non-digit character 'a' at position 8\n"),
        (["003090012345"], 1, "invalid: unknown province code 003\n"),
        (["001090012345", "--sex", "female"], 1, "invalid: sex mismatch: digit 4 means male, given female\n"),
        (
            ["001090012345", "--dob", "1991-01-02"],
            1,
            "invalid: birth-year mismatch: digits 5–6 are 90, date of birth is 1991-01-02\n",
        ),
        (
            ["001090012345", "--dob", "2090-01-02"],
            1,
            "invalid: century mismatch: digit 4 means born 1900–1999, date of birth is 2090-01-02\n",
        ),
    ],
)
def test_check(argv: list[str], code: int, out: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cccd", "check", *argv]) == code
    captured = capsys.readouterr()
    assert captured.out == out
    assert captured.err == ""


@pytest.mark.parametrize("dob", ["1990-1-2", "02/01/1990", "1990-02-30", "yesterday", "19900102"])
def test_bad_dob_is_exit_2(dob: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cccd", "check", "001090012345", "--dob", dob]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--dob must be a date written YYYY-MM-DD" in captured.err


def test_bad_sex_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["cccd", "check", "001090012345", "--sex", "M"])
    assert exc.value.code == 2


def test_console_entry_point() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hongheo",
            "cccd",
            "check",
            "096185123456",
            "--dob",
            "1985-07-01",
            "--sex",
            "female",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "valid\n")
    done = subprocess.run(
        [sys.executable, "-m", "hongheo", "cccd", "check", "064185123456", "--sex", "male"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "invalid: sex mismatch: digit 4 means female, given male\n")
