"""``gemma4-ros gate check``: run mission or call files through the safety gate without a robot.

For operators checking a mission file before it runs, and for tests. Each input line is one JSON
object ``{"instruction": ..., "calls": [{"name": ..., "arguments": {...}, "confidence": ...}, ...],
"mode": ..., "source": ..., "robot": {...}}`` and is judged as a fresh plan submitted to an idle
robot with no history (no earlier calls, no e-stop), stamped now. A call's ``confidence`` is the
model's, as the planner records it (0..1); left out it is unknown, which the gate counts as unsure
for a model's plan (every source but ``mission``; rule ``plan.low_confidence``). ``robot`` is
``{"place": NAME}`` or ``{"x", "y", "yaw_deg", "frame_id", "battery", "gripper_holding"}`` and
defaults to (0, 0, 0) in ``map`` with a full battery. Each line gets one JSON object on stdout:
``{"line": n, "verdicts": [{"step", "tool", "decision", "rules", "reasons"}, ...]}``, or
``{"line": n, "error": ...}`` when the line is malformed; the command goes on either way.
A line is malformed when it is not UTF-8, not one JSON object, writes a key twice in one object
(JSON would keep the last one silently), writes NaN or Infinity, or holds an integer too long to
read; everything else is judged, however wrong, so the gate gives the reason.

Exit code: 0 when every call was APPROVED or NEEDS_CONFIRMATION; 1 when any call was REJECTED or
any line was malformed; 2 when the tools/safety files or the input file cannot be used.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from pydantic import Field, ValidationError

from gemma4_ros.config import StrictModel
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.safety.estop import EStopLatch
from gemma4_ros.safety.gate import SafetyGate
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import Decision, Plan, PlanSource, PlanStep, Pose2D, RobotState, ToolCall

EPILOG = ("exit code: 0 if every call is approved or needs confirmation, 1 if any call is "
          "rejected or any line is malformed, 2 if a file cannot be used")
MAX_INT_DIGITS = 1000  # far past any argument; int() of a longer one is slow, past 4,300 it raises


class CallLine(StrictModel):
    """One call as written in the input file."""

    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)


class RobotLine(StrictModel):
    """Where the robot is for this line: a named place, or x/y/yaw_deg in ``frame_id``."""

    place: str | None = None
    x: float = 0.0
    y: float = 0.0
    yaw_deg: float = 0.0
    frame_id: str = "map"
    battery: float = Field(default=1.0, ge=0.0, le=1.0)
    gripper_holding: bool = False


class MissionLine(StrictModel):
    """One input line: a plan to judge."""

    instruction: str = ""
    calls: list[CallLine]
    mode: str | None = None
    source: PlanSource = PlanSource.TEXT
    robot: RobotLine = RobotLine()


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("gate", help="the safety gate: dry-run checks of tool calls")
    actions = parser.add_subparsers(dest="gate_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="judge every line of a JSONL file of planned calls", epilog=EPILOG,
        description="Judge each line of a JSONL mission/calls file with the safety gate and "
                    "print one verdict object per line.")
    check.add_argument("--tools", type=Path, default=None,
                       help="tools.yaml (default: the packaged one)")
    check.add_argument("--safety", type=Path, default=None,
                       help="safety.yaml (default: the packaged one)")
    check.add_argument("--input", required=True,
                       help="JSONL file, one plan per line ('-' reads standard input)")
    check.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    registry = ToolRegistry.load(args.tools)
    config = SafetyConfig.load(args.safety)
    SafetyGate(registry, config, EStopLatch())  # cross-check the config once, before any line
    if args.input == "-":
        return check_lines(sys.stdin.buffer, registry, config, sys.stdout)
    try:
        stream = open(args.input, "rb")  # bytes: each line is decoded on its own
    except OSError as error:
        raise Gemma4RosError(f"cannot read {args.input}: {error.strerror}",
                             "pass an existing JSONL file with --input") from None
    with stream:
        return check_lines(stream, registry, config, sys.stdout)


def check_lines(lines: Iterable[str | bytes], registry: ToolRegistry, config: SafetyConfig,
                out: TextIO) -> int:
    """Judge every line, print one object per line and a summary on stderr; the exit code.
    Lines may be bytes (a file): one that is not UTF-8 is malformed and the rest are judged."""
    tally: Counter[str] = Counter()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
            result = {"line": number, **_judge(text, registry, config)}
            tally.update(v["decision"] for v in result["verdicts"])
        except (ValueError, ValidationError, Gemma4RosError, RecursionError) as error:
            result = {"line": number, "error": _describe(error)}
            tally["malformed"] += 1
        out.write(_json_line(result, out))
    print(f"gate check: {tally[Decision.APPROVED.value]} approved, "
          f"{tally[Decision.NEEDS_CONFIRMATION.value]} need confirmation, "
          f"{tally[Decision.REJECTED.value]} rejected, {tally['malformed']} malformed lines",
          file=sys.stderr)
    return 1 if tally[Decision.REJECTED.value] or tally["malformed"] else 0


def _judge(text: str, registry: ToolRegistry, config: SafetyConfig) -> dict[str, Any]:
    data = json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int,
                      object_pairs_hook=_unique_keys)
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    line = MissionLine.model_validate(data)
    now = time.time()
    gate = SafetyGate(registry, config, EStopLatch())
    if line.mode is not None:
        gate.set_mode(line.mode)
    steps = tuple(PlanStep(index=i, call=ToolCall(name=call.name, arguments=call.arguments),
                           confidence=call.confidence) for i, call in enumerate(line.calls))
    plan = Plan(steps=steps, instruction=line.instruction, source=line.source, stamp=now)
    verdicts = gate.check_plan(plan, _robot(line.robot, registry, now))
    return {
        "instruction": line.instruction,
        "mode": gate.mode,
        "verdicts": [{"step": v.step_index, "tool": v.tool, "decision": v.decision.value,
                      "rules": list(v.rules), "reasons": list(v.reasons)} for v in verdicts],
    }


def _robot(spec: RobotLine, registry: ToolRegistry, now: float) -> RobotState:
    if spec.place is not None:
        if spec.place not in registry.places:
            raise ValueError(f"robot.place {spec.place!r} is not a declared place "
                             f"({', '.join(registry.places)})")
        pose = registry.places[spec.place]
    else:
        pose = Pose2D(x=spec.x, y=spec.y, yaw=math.radians(spec.yaw_deg), frame_id=spec.frame_id)
    return RobotState(stamp=now, pose=pose, battery=spec.battery,
                      gripper_holding=spec.gripper_holding)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON; write a finite number")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(digits.lstrip('-'))} digits is too long to read "
                         f"(at most {MAX_INT_DIGITS})")
    return int(digits)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different: JSON would silently keep the last value of
    a key written twice, so the plan judged would not be the plan written."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"key {key!r} appears twice in one object; write it once")
        data[key] = value
    return data


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(line)"
        return f"{where}: {first['msg']}"
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON: {error.msg} at column {error.colno}"
    if isinstance(error, UnicodeDecodeError):
        return (f"not UTF-8 text: byte {error.object[error.start]:#04x} at column "
                f"{error.start + 1}; save the file as UTF-8")
    if isinstance(error, RecursionError):
        return "values nested too deeply to read"
    return str(error)


def _json_line(result: dict[str, Any], out: TextIO) -> str:
    """One output line; readable UTF-8 where the output can hold it, else ASCII escapes (a lone
    surrogate from the input cannot be encoded, but ``\\ud800`` is the same JSON string)."""
    line = json.dumps(result, ensure_ascii=False)
    try:
        line.encode(getattr(out, "encoding", None) or "utf-8")
    except UnicodeEncodeError:
        line = json.dumps(result)
    return line + "\n"
