"""``gemma4-ros ask``: the maintenance copilot from the command line — a question, optionally
about an image, answered by the model (and with ``--plan``, a proposed plan that is never run)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from gemma4_ros.cli.arguments import add_config_options, add_model_option
from gemma4_ros.cli.text import command_text
from gemma4_ros.perception.frame import frame_from_bgr
from gemma4_ros.pipeline.console import plan_lines
from gemma4_ros.pipeline.model import load_cli_planner
from gemma4_ros.media.decode import load_image


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "ask", help="ask the copilot a question, optionally about an image",
        description="Answer a question briefly from the image (if given) and the question. "
                    "Nothing is executed.")
    parser.add_argument("question", type=command_text, help="the question, in plain words")
    parser.add_argument("--image", metavar="FILE", help="an image to ask about (PNG, JPEG...)")
    parser.add_argument("--plan", action="store_true",
                        help="also propose a plan of tool calls (shown, never run)")
    add_model_option(parser)
    add_config_options(parser, "tools", "planner-config", "runtime-config")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    # The image is read before the model loads, so a wrong path fails at once.
    image = None if args.image is None else frame_from_bgr(load_image(args.image), time.time()).rgb
    planner = load_cli_planner(args.model, args.tools, args.planner_config, args.runtime_config)
    answer = planner.ask(args.question, image, want_plan=args.plan)
    if args.json:
        print(answer.model_dump_json())
        return 0
    print(answer.text or "(no answer text)")
    if answer.plan is not None:
        print("\n".join(plan_lines(answer.plan)))
    return 0
