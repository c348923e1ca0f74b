"""``gemma4-ros ask``: the maintenance copilot from the command line — a question, optionally
about an image, answered by the model (and with ``--plan``, a proposed plan that is never run).
With ``--docs DIR`` the folder's manuals are indexed (only what changed) and searched first: the
model answers with the best passages before it, and the answer cites them; with ``--plan`` too,
a numbered procedure among those passages becomes the proposed plan, step by step."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from gemma4_ros.cli.arguments import add_config_options, add_model_option
from gemma4_ros.cli.text import command_text
from gemma4_ros.copilot.answers import consult, consult_record
from gemma4_ros.copilot.config import CopilotConfig, load_copilot_config
from gemma4_ros.copilot.index import DocumentIndex
from gemma4_ros.copilot.loop import (ConsultedError, answer_with_tools, audit_events,
                                     manual_search)
from gemma4_ros.copilot.procedures import Procedure, find_procedure, plan_procedure
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.planning.answer import Answer, Consultation
from gemma4_ros.planning.errors import PlanningError
from gemma4_ros.planning.planner import Planner
from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.types import Citation, CitationKind
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
                        help="also propose a plan of tool calls (shown, never run); with --docs, "
                             "a numbered procedure in the passages found becomes the plan: each "
                             "step the model does surely and as written is its calls, the rest "
                             "go to the operator as report prompts, each citing its line")
    parser.add_argument("--docs", action="append", type=Path, metavar="DIR",
                        help="answer from these manuals (Markdown, text, PDF; repeatable): they "
                             "are indexed, searched for the question, and cited")
    parser.add_argument("--passages", type=int, default=3, choices=range(1, 11), metavar="N",
                        help="passages of --docs given to the model and cited (1-10, default 3)")
    parser.add_argument("--audit", type=Path, metavar="FILE",
                        help="answer from the executor's audit log too (gemma4-ros run --audit "
                             "FILE): its latest refusals, failed steps and e-stops, cited with "
                             "their rule ids and reasons")
    parser.add_argument("--events", type=int, default=5, choices=range(1, 21), metavar="N",
                        help="latest events of --audit given to the model (1-20, default 5)")
    parser.add_argument("--tool-calls", type=int, default=0, choices=range(0, 9), metavar="N",
                        help="let the model call search_manual (--docs) and recent_events "
                             "(--audit) itself, up to N times, instead of being given them "
                             "first (0-8, default 0: given first); a model taught the calls "
                             "asks for what the question needs")
    parser.add_argument("--db", type=Path, metavar="FILE",
                        help="the index file of --docs (default: index of copilot.yaml)")
    parser.add_argument("--copilot-config", metavar="FILE",
                        help="copilot.yaml: index file, passage size, limits (default: packaged)")
    add_model_option(parser)
    add_config_options(parser, "tools", "planner-config", "runtime-config", "safety")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    # The image is read before the model loads, so a wrong path fails at once.
    image = None if args.image is None else frame_from_bgr(load_image(args.image), time.time()).rgb
    planner = load_cli_planner(args.model, args.tools, args.planner_config, args.runtime_config)
    if args.tool_calls and (args.docs or args.audit):
        if image is not None or args.plan:
            raise Gemma4RosError("--tool-calls answers from the manuals and the audit log alone",
                                 "leave out --image and --plan, or --tool-calls")
        answer = _ask_with_tools(planner, args)
        if answer is None:
            return 1
    elif args.docs or args.audit:
        consulted, citations, procedure = _consult(planner, args)
        # read before the model runs, so a wrong --safety fails at once
        safety = SafetyConfig.load(args.safety) if procedure is not None else None
        try:
            answer = planner.ask(args.question, image, want_plan=args.plan and procedure is None,
                                 consulted=consulted)
        except PlanningError as error:  # the sources were found all the same: show them
            print(f"gemma4-ros ask: error: {error}", file=sys.stderr)
            if safety is None:
                if args.json:
                    empty = Answer(question=args.question, citations=citations)
                    print(json.dumps({**empty.model_dump(mode="json"), "error": str(error)}))
                else:
                    _print_citations(citations)
                return 1
            answer = Answer(question=args.question)  # the procedure is planned without it
        answer = answer.model_copy(update={"citations": citations})
        if procedure is not None and safety is not None:
            answer = answer.model_copy(update={
                "plan": plan_procedure(planner, procedure, safety),
                "citations": citations + tuple(procedure.citation(s) for s in procedure.steps)})
    else:
        answer = planner.ask(args.question, image, want_plan=args.plan)
    if args.json:
        print(answer.model_dump_json())
        return 0
    print(answer.text or "(no answer text)")
    _print_citations(answer.citations)
    if answer.plan is not None:
        print("\n".join(plan_lines(answer.plan)))
    return 0


def _ask_with_tools(planner: Planner, args: argparse.Namespace) -> Answer | None:
    """The model's own loop over the manuals' search and the audit log's events; None (the
    error named on stderr) when it gives no answer."""
    config = load_copilot_config(args.copilot_config)
    with contextlib.ExitStack() as stack:
        tools = []
        if args.docs:
            index = stack.enter_context(DocumentIndex((args.db or config.index).expanduser()))
            _refresh(index, config, args)
            tools.append(manual_search(planner, index, args.passages))
        if args.audit:
            tools.append(audit_events(planner, args.audit, args.question))
        try:
            return answer_with_tools(planner, args.question, tools, args.tool_calls)
        except ConsultedError as error:  # the sources consulted are printed all the same
            print(f"gemma4-ros ask: error: {error}", file=sys.stderr)
            if args.json:
                empty = Answer(question=args.question, citations=error.citations)
                print(json.dumps({**empty.model_dump(mode="json"), "error": str(error)}))
            else:
                _print_citations(error.citations)
            return None


def _consult(planner: Planner, args: argparse.Namespace
             ) -> tuple[list[Consultation], tuple[Citation, ...], Procedure | None]:
    """The audit log's latest events, then the manuals' best passages for the question (fitted
    beside them), as the model will see them, their citations, and with ``--plan`` the numbered
    procedure among the passages found, if one is."""
    consulted: list[Consultation] = []
    citations: tuple[Citation, ...] = ()
    procedure = None
    if args.audit:
        events, citations = consult_record(planner, args.audit, args.question, args.events)
        consulted.append(events)
    if args.docs:
        passages, cited, procedure = _consult_documents(planner, args, consulted)
        consulted.append(passages)
        citations += cited
    return consulted, citations, procedure


def _consult_documents(planner: Planner, args: argparse.Namespace, beside: list[Consultation]
                       ) -> tuple[Consultation, tuple[Citation, ...], Procedure | None]:
    """Bring the index of ``--docs`` up to date (files it cannot read are named on stderr and
    left out), then search it for the question (whole passages for a procedure: the model's
    are fitted to its context)."""
    config = load_copilot_config(args.copilot_config)
    with DocumentIndex((args.db or config.index).expanduser()) as index:
        _refresh(index, config, args)
        consulted, cited = consult(planner, index, args.question, args.passages, beside)
        procedure = (find_procedure(index.search(args.question, args.passages)) if args.plan
                     else None)
    if not cited:
        print(f"gemma4-ros ask: nothing in the manuals matches {args.question!r}; the model "
              "answers from the question alone (the search takes the question's words as "
              "written: ask in the manuals' language, or check --docs)", file=sys.stderr)
    return consulted, cited, procedure


def _refresh(index: DocumentIndex, config: CopilotConfig, args: argparse.Namespace) -> None:
    """Bring the index up to date with ``--docs``, naming on stderr each file it skips."""
    report = config.refresh_index(index, [folder.expanduser().resolve() for folder in args.docs])
    for name, why in report.skipped.items():
        print(f"gemma4-ros ask: skipped {name}: {why}", file=sys.stderr)


def _print_citations(citations: tuple[Citation, ...]) -> None:
    if not citations:
        return
    print("\nSources:")
    for rank, cited in enumerate(citations, 1):
        where = f"{cited.source} > {cited.locator}" if cited.kind is CitationKind.DOCUMENT else (
            f"{cited.kind.value} {cited.source} ({cited.locator})")
        print(f"  [{rank}] {where}")
        if cited.quote:
            print(f"      {cited.quote}")
