"""The ``plan`` subcommand: one instruction in, one validated plan out (JSON with ``--json``)."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from gemma4_ros.cli_text import command_text
from gemma4_ros.planning.loading import load_planner
from gemma4_ros.types import Plan


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "plan",
        help="turn one instruction into a validated plan of tool calls",
        description="Load the model, render the instruction with the declared tools, decode "
                    "under the tool-call grammar and print the plan. Nothing is executed.",
    )
    parser.add_argument("instruction", type=command_text,
                        help="what the robot should do, in plain words")
    parser.add_argument("--model", metavar="DIR",
                        help="Gemma 4 ONNX model directory (default: model_dir in models.yaml; "
                        "empty there: the embedded demo model)")
    parser.add_argument("--tools", metavar="FILE", help="tools.yaml (default: the packaged one)")
    parser.add_argument("--config", metavar="FILE",
                        help="planner.yaml (default: the packaged one)")
    parser.add_argument("--runtime-config", metavar="FILE",
                        help="models.yaml (default: the packaged one)")
    parser.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    parser.add_argument("--thinking", action="store_true", help="let the model think first")
    parser.add_argument("--max-steps", type=int, metavar="N", help="most tool calls allowed")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="token budget")
    parser.add_argument("--deadline", type=float, metavar="SECONDS",
                        help="give up after this long (0 = no deadline)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    planner = load_planner(args.model, args.tools, args.config, args.runtime_config)
    deadline = None if args.deadline is None else (args.deadline or math.inf)
    plan = planner.plan(args.instruction, thinking=args.thinking or None,
                        max_steps=args.max_steps, max_tokens=args.max_tokens,
                        deadline_s=deadline)
    print(plan.model_dump_json() if args.json else describe(plan))
    return 0


def describe(plan: Plan) -> str:
    """A few readable lines: the steps, the model's text, and what the request cost."""
    lines = [f"plan {plan.plan_id} for {plan.instruction!r} ({plan.model})"]
    for step in plan.steps:
        lines.append(f"  {step.index + 1}. {step.call.name} "
                     f"{json.dumps(step.call.arguments, ensure_ascii=False, sort_keys=True)}")
    if not plan.steps:
        lines.append("  (no tool calls)")
    if plan.summary:
        lines.append(f"  model says: {plan.summary}")
    lines.append(f"  {plan.prompt_tokens} prompt + {plan.completion_tokens} generated tokens, "
                 f"first token {plan.latency.time_to_first_token_s:.2f} s, "
                 f"total {plan.latency.total_s:.2f} s")
    return "\n".join(lines)
