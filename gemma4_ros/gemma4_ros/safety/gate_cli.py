"""``gemma4-ros gate check``: run mission or call files through the safety gate without a robot.

For operators checking a mission file before it runs, and for tests. Each input line is one JSON
object ``{"instruction": ..., "calls": [{"name": ..., "arguments": {...}}, ...], "mode": ...,
"source": ..., "robot": {...}}`` and is judged as a fresh plan submitted to an idle robot with no
history (no earlier calls, no e-stop), stamped now; ``robot`` is ``{"place": NAME}`` or
``{"x", "y", "yaw_deg", "frame_id", "battery", "gripper_holding"}`` and defaults to (0, 0, 0) in
``map`` with a full battery. Each line gets one JSON object on stdout:
``{"line": n, "verdicts": [{"step", "tool", "decision", "rules", "reasons"}, ...]}``, or
``{"line": n, "error": ...}`` when the line is malformed; the command goes on either way.

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
from gemma4_ros.types import Decision, Plan, PlanSource, Pose2D, RobotState, ToolCall

EPILOG = ("exit code: 0 if every call is approved or needs confirmation, 1 if any call is "
          "rejected or any line is malformed, 2 if a file cannot be used")


class CallLine(StrictModel):
    """One call as written in the input file."""

    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)


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
        return check_lines(sys.stdin, registry, config, sys.stdout)
    try:
        with open(args.input, encoding="utf-8") as stream:
            return check_lines(stream, registry, config, sys.stdout)
    except OSError as error:
        raise Gemma4RosError(f"cannot read {args.input}: {error.strerror}",
                             "pass an existing JSONL file with --input") from None


def check_lines(lines: Iterable[str], registry: ToolRegistry, config: SafetyConfig,
                out: TextIO) -> int:
    """Judge every line, print one object per line and a summary on stderr; the exit code."""
    tally: Counter[str] = Counter()
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            result = {"line": number, **_judge(text, registry, config)}
            tally.update(v["decision"] for v in result["verdicts"])
        except (ValueError, ValidationError, Gemma4RosError) as error:
            result = {"line": number, "error": _describe(error)}
            tally["malformed"] += 1
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    print(f"gate check: {tally[Decision.APPROVED.value]} approved, "
          f"{tally[Decision.NEEDS_CONFIRMATION.value]} need confirmation, "
          f"{tally[Decision.REJECTED.value]} rejected, {tally['malformed']} malformed lines",
          file=sys.stderr)
    return 1 if tally[Decision.REJECTED.value] or tally["malformed"] else 0


def _judge(text: str, registry: ToolRegistry, config: SafetyConfig) -> dict[str, Any]:
    data = json.loads(text, parse_constant=_no_constant)
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    line = MissionLine.model_validate(data)
    now = time.time()
    gate = SafetyGate(registry, config, EStopLatch())
    if line.mode is not None:
        gate.set_mode(line.mode)
    calls = [ToolCall(name=call.name, arguments=call.arguments) for call in line.calls]
    plan = Plan.from_calls(calls, instruction=line.instruction, source=line.source, stamp=now)
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


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(line)"
        return f"{where}: {first['msg']}"
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON: {error.msg} at column {error.colno}"
    return str(error)
