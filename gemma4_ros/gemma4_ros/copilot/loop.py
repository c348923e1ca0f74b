"""The copilot's own loop: the model calls the read-only tools it needs (search the manuals, read
the robot's recent events), reads their responses and answers — instead of having everything put
in front of it before it speaks.

Bounded twice: at most ``max_calls`` tool calls (then the model must answer from what it has,
under the text-only grammar), and each turn under the planner's deadline and ``cancel``. Only
the tools given are declared and the grammar admits only them, so the copilot can never call a
robot tool; what it consulted comes back as citations, in the order it was consulted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gemma4_ros.copilot.answers import SEARCH_MANUAL, consult, consult_events
from gemma4_ros.copilot.index import DocumentIndex
from gemma4_ros.copilot.records import RECENT_EVENTS, recent_events
from gemma4_ros.planning.answer import Answer, Consultation
from gemma4_ros.planning.planner import Planner
from gemma4_ros.types import Citation

MAX_CALLS = 4  # tool calls one question may make before it must be answered

# (the model's arguments, what it consulted before) -> (the response as it will read it, citations)
Run = Callable[[dict[str, Any], Sequence[Consultation]],
               tuple[Consultation, tuple[Citation, ...]]]


@dataclass(frozen=True)
class CopilotTool:
    """A read-only tool: its declaration as the model sees it, and what running it gives (the
    response as the model will read it, and the citations of what it holds)."""

    declaration: dict[str, Any]
    run: Run

    @property
    def name(self) -> str:
        return str(self.declaration["name"])


def answer_with_tools(planner: Planner, question: str, tools: Sequence[CopilotTool],
                      max_calls: int = MAX_CALLS,
                      cancel: threading.Event | None = None) -> Answer:
    """The model's answer after the calls it chose (each run here, its response shown to it),
    citing everything it consulted. Raises the planner's PlanningError when a turn fails."""
    by_name = {tool.name: tool for tool in tools}
    declared = [tool.declaration for tool in tools]
    consulted: list[Consultation] = []
    cited: tuple[Citation, ...] = ()
    for _ in range(max_calls):
        turn = planner.consult_turn(question, declared, consulted, cancel=cancel)
        if isinstance(turn, Answer):
            return turn.model_copy(update={"citations": cited})
        # the grammar admits only the declared names
        consultation, citations = by_name[turn.name].run(turn.arguments, consulted)
        consulted.append(consultation)
        cited += citations
    answer = planner.ask(question, consulted=consulted, cancel=cancel)
    return answer.model_copy(update={"citations": cited})


def manual_search(planner: Planner, index: DocumentIndex, passages: int = 3) -> CopilotTool:
    """``search_manual(query)``: the best passages for the model's own query, fitted beside
    what it consulted before, cited."""
    return CopilotTool(SEARCH_MANUAL, lambda arguments, beside: consult(
        planner, index, str(arguments["query"]), passages, beside))


def audit_events(planner: Planner, audit: Path, question: str) -> CopilotTool:
    """``recent_events(count)``: the audit log's latest events that stopped or held a plan."""
    def run(arguments: dict[str, Any], beside: Sequence[Consultation]
            ) -> tuple[Consultation, tuple[Citation, ...]]:
        count = int(arguments["count"])
        return consult_events(planner, recent_events(audit, count), question, count, beside)
    return CopilotTool(RECENT_EVENTS, run)
