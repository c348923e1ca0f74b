"""The hand-written evaluation set: commands as operators type them, with the calls they mean.

Written by hand, never generated and never trained on (tests check that the corpus code does not
read it and that none of its commands occurs in generated training text), so it measures what the
generator's own held-out split cannot: wording, typos, units, fractions and refusals the
phrasebook never had. The file (``eval/handwritten_commands.jsonl`` in the package's share
directory) holds one JSON object per line:

* ``command`` — the text as an operator would type it;
* ``calls`` — the expected calls in order, ``[{"name": ..., "arguments": {...}}]``; ``[]`` means
  the command must be refused: no tool can do it, it is unsafe, the place is not declared, a value
  is beyond what the tool takes, or one of its steps is impossible (nothing half-executes);
* ``also`` (optional) — other call lists that are just as right (``dock`` for "park at the
  charger", or ``navigate_to`` the dock);
* ``tag`` — what the line tests (``typo``, ``units``, ``chore``, ...), for the failure breakdown.

Every expected call is validated against the tools.yaml it is scored with, so a renamed tool or a
tightened schema fails loudly here instead of scoring every model as wrong.

A second, smaller set in the same format (``eval/handwritten_dev.jsonl``) is the *development*
set: written separately, it is what recipe choices for the demo model (size, vocabulary, corpus)
are made on, so that the evaluation set stays a measurement nobody tuned against. It is kept out
of training exactly as the evaluation set is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gemma4_ros.demo.steps import Call
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.paths import share_dir
from gemma4_ros.tools import ToolRegistry

EVAL_FILE = Path("eval") / "handwritten_commands.jsonl"
DEV_FILE = Path("eval") / "handwritten_dev.jsonl"


class _CallLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    command: str = Field(min_length=1)
    calls: list[_CallLine]
    also: list[list[_CallLine]] = Field(default_factory=list)
    tag: str = Field(min_length=1)


@dataclass(frozen=True)
class EvalCommand:
    """One line of the set: the command, every right answer (the first is ``calls``), the tag."""

    line: int
    command: str
    answers: tuple[tuple[Call, ...], ...]
    tag: str

    @property
    def calls(self) -> tuple[Call, ...]:
        return self.answers[0]

    @property
    def is_refusal(self) -> bool:
        return not self.calls


def default_eval_file() -> Path:
    return share_dir() / EVAL_FILE


def default_dev_file() -> Path:
    return share_dir() / DEV_FILE


def load_eval_set(path: str | Path | None = None,
                  registry: ToolRegistry | None = None) -> tuple[EvalCommand, ...]:
    """Every command of the set, each expected call checked against ``registry`` (default: the
    packaged tools.yaml); raises naming the line of the first bad entry."""
    file = Path(path) if path is not None else default_eval_file()
    registry = registry if registry is not None else ToolRegistry.load()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise Gemma4RosError(f"cannot read the evaluation set {file}: {error}",
                             "pass a UTF-8 .jsonl file of {command, calls, tag} lines") from None
    commands = [_command(file, number, raw, registry)
                for number, raw in enumerate(text.splitlines(), 1) if raw.strip()]
    if not commands:
        raise Gemma4RosError(f"the evaluation set {file} is empty",
                             "write one {command, calls, tag} object per line")
    return tuple(commands)


def _command(file: Path, number: int, raw: str, registry: ToolRegistry) -> EvalCommand:
    where = f"{file}:{number}"
    try:
        line = _Line.model_validate(json.loads(raw))
    except (json.JSONDecodeError, ValidationError) as error:
        raise Gemma4RosError(f"{where}: not a {{command, calls, tag}} object: {error}",
                             'e.g. {"command": "dock", "calls": [{"name": "dock"}], '
                             '"tag": "dock"}') from None
    answers = tuple(tuple(Call(c.name, c.arguments) for c in calls)
                    for calls in [line.calls, *line.also])
    for answer in answers:
        for call in answer:
            problems = registry.problems(call.name, call.arguments)
            if problems:
                raise Gemma4RosError(f"{where}: expected call {call.name} is not valid for "
                                     f"these tools: {'; '.join(problems)}",
                                     "fix the line, or score with the tools.yaml it was "
                                     "written for")
    if line.also and (not line.calls or not all(line.also)):
        raise Gemma4RosError(f"{where}: a refusal cannot have alternatives",
                             "drop \"also\", or give the calls every answer makes")
    return EvalCommand(number, line.command.strip(), answers, line.tag)
