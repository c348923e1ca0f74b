"""The ``plan`` subcommand: plans without a robot — one instruction, or a file of commands judged
by the safety gate.

``plan "..."`` prints one validated plan (JSON with ``--json``), optionally planned with an image.
``plan --commands FILE`` plans every command of the file in one process and judges each plan with
the gate as the executor would on arrival, from an idle robot at the sim's start place: for an
operator checking a command list before a shift, and for the evaluation on the hand-written set.
Nothing is executed either way.

Exit code: 0 when every command got a plan with calls and no call was rejected; 1 when a command
got no plan, the model declined it (no calls), or the gate rejected a call; 2 for bad input
(files, image, config).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any

from gemma4_ros.cli.arguments import add_config_options, add_model_option
from gemma4_ros.cli.text import command_text
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.frame import frame_from_bgr
from gemma4_ros.cli.command_file import read_commands
from gemma4_ros.pipeline.console import plan_lines, step_line
from gemma4_ros.pipeline.model import load_cli_planner
from gemma4_ros.pipeline.plan_check import CheckedCommand, PlanChecker
from gemma4_ros.planning.errors import InvalidRequestError, MediaUnavailableError, PlanningError
from gemma4_ros.media.decode import load_image
from gemma4_ros.types import Plan

EPILOG = ("exit code: 0 if every command got a plan with calls and no call was rejected, 1 if a "
          "command got no plan, no calls or a rejected call, 2 for bad input")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "plan", help="plan one instruction, or a file of commands judged by the gate",
        description="Load the model, render the instruction with the declared tools, decode "
                    "under the tool-call grammar and print the plan. With --commands, plan "
                    "every line of a file and add the safety gate's verdicts. Nothing is "
                    "executed.", epilog=EPILOG)
    parser.add_argument("instruction", nargs="?", type=command_text,
                        help="what the robot should do, in plain words")
    parser.add_argument("--commands", metavar="FILE",
                        help="plan every command in FILE (one per line, # comments; or .jsonl "
                        "objects with a \"command\") and judge each plan with the gate")
    parser.add_argument("--image", metavar="FILE",
                        help="plan with this image (needs a model with a vision encoder)")
    add_model_option(parser)
    add_config_options(parser, "tools")
    parser.add_argument("--safety", metavar="FILE",
                        help="safety.yaml for --commands (default: the packaged one)")
    parser.add_argument("--sim", metavar="FILE",
                        help="sim.yaml whose start place --commands judges from (default: the "
                        "packaged one)")
    parser.add_argument("--mode", help="the gate's mode for --commands (default: safety.yaml's)")
    parser.add_argument("--config", metavar="FILE",
                        help="planner.yaml (default: the packaged one)")
    parser.add_argument("--runtime-config", metavar="FILE",
                        help="models.yaml (default: the packaged one)")
    parser.add_argument("--json", action="store_true",
                        help="print the plan as one JSON object (with --commands: one per line)")
    parser.add_argument("--thinking", action="store_true", help="let the model think first")
    parser.add_argument("--max-steps", type=int, metavar="N", help="most tool calls allowed")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="token budget")
    parser.add_argument("--deadline", type=float, metavar="SECONDS",
                        help="give up after this long (0 = no deadline)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if (args.instruction is None) == (args.commands is None):
        raise Gemma4RosError("give either an instruction or --commands FILE",
                             'e.g. gemma4-ros plan "go to the dock", or plan --commands cmds.txt')
    # Inputs are read before the model loads, so a wrong path fails at once.
    commands = read_commands(args.commands) if args.commands is not None else []
    image = None if args.image is None else frame_from_bgr(load_image(args.image), time.time()).rgb
    planner = load_cli_planner(args.model, args.tools, args.config, args.runtime_config)
    deadline = None if args.deadline is None else (args.deadline or math.inf)
    options = {"thinking": args.thinking or None, "max_steps": args.max_steps,
               "max_tokens": args.max_tokens, "deadline_s": deadline}
    if args.commands is not None:
        checker = PlanChecker.from_files(planner, args.safety, args.sim, args.mode)
        return check_commands(checker, commands, image, args.json, options)
    try:
        plan = planner.plan(args.instruction, image, **options)
    except (InvalidRequestError, MediaUnavailableError):
        raise  # the request itself is unusable: exit 2 with the fix
    except PlanningError as error:
        print(f"gemma4-ros plan: no plan: {error}", file=sys.stderr)
        return 1
    print(plan.model_dump_json() if args.json else describe(plan))
    return 0 if plan.steps else 1


def check_commands(checker: PlanChecker, commands: list[str], image: Any, as_json: bool,
                   options: dict[str, Any]) -> int:
    """Plan and judge each command, printing as it goes; the exit code of the whole file."""
    ok = True
    for line, command in enumerate(commands, 1):
        checked = checker.check(command, image, **options)
        ok = ok and checked.outcome in ("approved", "needs_confirmation")
        if as_json:
            print(json.dumps(checked.as_json(line), ensure_ascii=False), flush=True)
        else:
            print("\n".join(checked_lines(line, checked)), flush=True)
    return 0 if ok else 1


def checked_lines(line: int, checked: CheckedCommand) -> list[str]:
    """A command's plan and verdicts as readable lines."""
    if checked.plan is None:
        return [f"{line}: {checked.command!r}: no plan — {checked.error}"]
    lines = [f"{line}: " + plan_lines(checked.plan)[0]] + plan_lines(checked.plan)[1:]
    for verdict in checked.verdicts:
        reasons = "; ".join(verdict.reasons)
        lines.append(f"  gate: step {verdict.step_index + 1} {verdict.tool} "
                     f"{verdict.decision.value}" + (f" — {reasons}" if reasons else ""))
    return lines + [f"  => {checked.outcome}"]


def describe(plan: Plan) -> str:
    """A few readable lines: the steps, the model's text, and what the request cost."""
    lines = [f"plan {plan.plan_id} for {plan.instruction!r} ({plan.model})"]
    lines.extend(step_line(step) for step in plan.steps)
    if not plan.steps:
        lines.append("  (no tool calls)")
    if plan.summary:
        lines.append(f"  model says: {plan.summary}")
    lines.append(f"  {plan.prompt_tokens} prompt + {plan.completion_tokens} generated tokens, "
                 f"first token {plan.latency.time_to_first_token_s:.2f} s, "
                 f"total {plan.latency.total_s:.2f} s")
    return "\n".join(lines)
