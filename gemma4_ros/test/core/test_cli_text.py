"""Text the user gives the CLI: a byte that is not UTF-8 is one clean error, never a traceback."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gemma4_ros.cli import main
from gemma4_ros.cli.text import command_text, read_utf8, text_problem
from gemma4_ros.errors import Gemma4RosError

PACKAGE_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, problem", [
    ("go to the kitchen", ""),
    ("café ✓", ""),
    ("go to the \udcffkitchen", "not UTF-8 text: byte 0xff at character 11"),  # argv's \xff
    ("\ud800", "not UTF-8 text: lone surrogate U+D800 at character 1"),
])
def test_text_problem_names_the_first_bad_character(text: str, problem: str) -> None:
    assert text_problem(text) == problem


def test_command_text_is_an_argparse_type() -> None:
    assert command_text("dock") == "dock"
    with pytest.raises(argparse.ArgumentTypeError, match="byte 0xfe at character 1; type or"):
        command_text("\udcfe")


@pytest.mark.parametrize("argv", [
    ["run", "--once", "go \udcff"], ["plan", "go \udcff"], ["ask", "what \udcff?"],
])
def test_cli_refuses_non_utf8_text_before_loading_anything(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "not UTF-8 text: byte 0xff" in capsys.readouterr().err


def test_a_real_non_utf8_argv_byte_gives_no_traceback() -> None:
    # The bytes as a shell passes them, through a real interpreter (surrogateescape decoding).
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)}
    done = subprocess.run([sys.executable, "-m", "gemma4_ros.cli", "plan", b"go \xff"],
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert b"not UTF-8 text: byte 0xff at character 4" in done.stderr


def test_read_utf8_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "commands.txt"
    path.write_bytes(b"go to the kitchen\nwait \xff2 seconds\n")
    with pytest.raises(Gemma4RosError) as caught:
        read_utf8(path, "commands file", "one command per line")
    assert f"commands file {path} is not UTF-8 text: byte 0xff at line 2, column 6" in str(
        caught.value)
    assert caught.value.hint == "save the file as UTF-8"


def test_read_utf8_accepts_a_bom_and_reports_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "commands.txt"
    path.write_bytes(b"\xef\xbb\xbfdock\n")
    assert read_utf8(path, "commands file", "") == "dock\n"
    with pytest.raises(Gemma4RosError, match="cannot read commands file"):
        read_utf8(tmp_path / "absent.txt", "commands file", "")
