"""``gemma4-ros replay``: flight records asked again of a model and config, and what changed.

Exit code: 0 when no mission changed for the worse; 1 when some call would now run without an
operator that did not before (``newly_approved``: a weaker safety file, a model that plans what
it used to decline); 2 for bad input (no readable record at all, bad model or config).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gemma4_ros.cli.arguments import add_config_options, add_model_option
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.pipeline.model import load_cli_planner
from gemma4_ros.pipeline.plan_check import PlanChecker
from gemma4_ros.pipeline.replay import (
    Comparison,
    call_text,
    record_files,
    replay_files,
    summary,
)

EPILOG = ("exit code: 0 if no call newly runs without an operator, 1 if one does "
          "(newly_approved), 2 for bad input")
FIX = "pass flight records written by gemma4-ros run --record, or folders of them"
DECISION_MARKS = {"APPROVED": "ok", "NEEDS_CONFIRMATION": "ask", "REJECTED": "no", None: "-"}
WIDTH = 120  # when stdout is no terminal (a log file, a pipe)
LABEL_STYLES = {"newly_approved": "bold red", "newly_refused": "yellow", "different": "cyan",
                "same": "dim"}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "replay", help="replay flight records against a model and config; say what changed",
        description="Plan every recorded mission's inputs again with the given model, tools "
                    "and safety file, judge the new plans with the gate (nothing is executed), "
                    "and compare with what was recorded.", epilog=EPILOG)
    parser.add_argument("records", nargs="+", type=Path, metavar="RECORD",
                        help="an MCAP flight record (run --record), or a folder of them")
    add_model_option(parser)
    add_config_options(parser, "tools", "safety", "sim", "planner-config", "runtime-config")
    parser.add_argument("--mode", help="the gate's operating mode (default: safety.yaml's)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object: every mission and the summary")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    problems: list[str] = []
    files = record_files(args.records, problems)  # before the model loads: bad paths fail fast
    if not files:
        raise Gemma4RosError("no flight record to replay: " + "; ".join(problems), FIX)
    planner = load_cli_planner(args.model, args.tools, args.planner_config, args.runtime_config)
    checker = PlanChecker.from_files(planner, args.safety, args.sim, args.mode)
    comparisons = replay_files(files, checker, problems)
    if not comparisons and problems:
        raise Gemma4RosError("no mission could be read: " + "; ".join(problems), FIX)
    counts = summary(comparisons)
    if args.json:
        print(json.dumps({"missions": [c.as_json() for c in comparisons], "summary": counts,
                          "problems": problems}, ensure_ascii=False))
    else:
        _print_table(comparisons, problems, counts)
    return 1 if counts["newly_approved"] else 0


def _print_table(comparisons: list[Comparison], problems: list[str],
                 counts: dict[str, int]) -> None:
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else WIDTH)
    table = Table(title="replay: recorded → replayed", show_lines=False)
    for column in ("record", "#", "instruction", "recorded", "replayed", "change"):
        table.add_column(column, overflow="fold")
    for comparison in comparisons:
        mission = comparison.mission
        replayed = comparison.replayed
        table.add_row(
            escape(mission.path.name), str(mission.index), escape(mission.plan.instruction),
            escape(_calls(mission.plan.steps, mission.verdicts)),
            escape(_calls(replayed.plan.steps, replayed.verdicts) if replayed.plan is not None
                   else f"no plan: {replayed.error}"),
            f"[{LABEL_STYLES[comparison.label]}]{comparison.label}[/]")
    console.print(table)
    for problem in problems:
        console.print(f"[yellow]skipped:[/] {escape(problem)}", highlight=False)
    console.print(
        f"{counts['missions']} missions: {counts['same']} same, {counts['different']} "
        f"different, {counts['newly_refused']} newly refused, {counts['newly_approved']} newly "
        f"approved; {counts['verdict_changes']} verdict changes", highlight=False)


def _calls(steps: Any, verdicts: Any) -> str:
    if not steps:
        return "(no calls)"
    by_step = {v.step_index: v.decision.value for v in verdicts}
    return "\n".join(f"{call_text(s.call.name, s.call.arguments)} "
                     f"[{DECISION_MARKS[by_step.get(s.index)]}]" for s in steps)
