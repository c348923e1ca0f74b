"""A file of operator commands, read one way for ``gemma4-ros run --commands`` and ``plan``.

Two forms: plain text, one command per line (blank lines and ``#`` comments skipped), which is
what an operator writes; and ``.jsonl``, one JSON object per line whose ``command`` is planned,
which is the form of the hand-written evaluation set (its other keys, the expected calls, are
for the scorer and ignored here). A file that cannot be read or decoded is a
:class:`Gemma4RosError` naming the file, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

from gemma4_ros.cli.text import read_utf8
from gemma4_ros.errors import Gemma4RosError


def read_commands(path: str | Path) -> list[str]:
    """The commands in ``path``, in order; raises when there are none or the file is unusable."""
    file = Path(path).expanduser()
    text = read_utf8(file, "commands file", "pass a text file with one command per line")
    lines = [line.strip() for line in text.splitlines()]
    if file.suffix == ".jsonl":
        commands = [_json_command(line, path, number)
                    for number, line in enumerate(lines, 1) if line]
    else:
        commands = [line for line in lines if line and not line.startswith("#")]
    if not commands:
        raise Gemma4RosError(f"commands file {path} holds no commands",
                             "write one command per line (# starts a comment)")
    return commands


def _json_command(line: str, path: str | Path, number: int) -> str:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        raise Gemma4RosError(f"{path}:{number}: not JSON ({error.msg})",
                             'write one object per line: {"command": "..."}') from None
    command = value.get("command") if isinstance(value, dict) else None
    if not isinstance(command, str) or not command.strip():
        raise Gemma4RosError(f"{path}:{number}: no \"command\" text in this line",
                             'write one object per line: {"command": "..."}')
    return command.strip()
