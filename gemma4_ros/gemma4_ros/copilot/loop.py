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
from typing import Any, TypeVar

from gemma4_ros.copilot.answers import (SEARCH_MANUAL, consult, consult_diagnostics,
                                        consult_events, consult_logs)
from gemma4_ros.copilot.index import DocumentIndex
from gemma4_ros.copilot.node_diagnostics import DIAGNOSTICS
from gemma4_ros.copilot.node_logs import RECENT_LOGS
from gemma4_ros.copilot.records import RECENT_EVENTS, recent_events
from gemma4_ros.interfaces import DiagnosticStatus, LogRecord
from gemma4_ros.planning.answer import Answer, Consultation
from gemma4_ros.planning.errors import PlanningError
from gemma4_ros.planning.planner import Planner
from gemma4_ros.types import Citation

T = TypeVar("T")

MAX_CALLS = 4  # tool calls one question may make before it must be answered

# (the model's arguments, what it consulted before) -> (the response as it will read it, citations)
Run = Callable[[dict[str, Any], Sequence[Consultation]],
               tuple[Consultation, tuple[Citation, ...]]]


class ConsultedError(PlanningError):
    """The model gave no answer after consulting: the planner's error, with the citations of
    what it consulted before (sent all the same: the operator can read the sources)."""

    def __init__(self, error: PlanningError, citations: tuple[Citation, ...]) -> None:
        super().__init__(error.problem, error.hint)
        self.citations = citations


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
    citing everything it consulted, each source once. Raises ConsultedError (a PlanningError with the citations
    so far) when a turn fails."""
    by_name = {tool.name: tool for tool in tools}
    declared = [tool.declaration for tool in tools]
    consulted: list[Consultation] = []
    cited: tuple[Citation, ...] = ()
    try:
        for _ in range(max_calls):
            turn = planner.consult_turn(question, declared, consulted, cancel=cancel)
            if isinstance(turn, Answer):
                return turn.model_copy(update={"citations": cited})
            # the grammar admits only the declared names
            consultation, citations = by_name[turn.name].run(turn.arguments, consulted)
            consulted.append(consultation)
            cited += tuple(c for c in citations if c not in cited)  # a source read twice: once
        answer = planner.ask(question, consulted=consulted, cancel=cancel)
    except PlanningError as error:
        raise ConsultedError(error, cited) from None
    return answer.model_copy(update={"citations": cited})


def manual_search(planner: Planner, index: DocumentIndex, passages: int = 3) -> CopilotTool:
    """``search_manual(query)``: the best passages for the model's own query, fitted beside
    what it consulted before, cited."""
    return CopilotTool(SEARCH_MANUAL, lambda arguments, beside: consult(
        planner, index, str(arguments["query"]), passages, beside))


def audit_events(planner: Planner, audit: Path, question: str) -> CopilotTool:
    """``recent_events(count)``: the audit log's latest events that stopped or held a plan."""
    return events_tool(planner, question, lambda count: recent_events(audit, count))


def events_tool(planner: Planner, question: str,
                latest: Callable[[int], list[dict[str, Any]]]) -> CopilotTool:
    """``recent_events(count)`` over any source of events (the audit log, a node's EventLog)."""
    return CopilotTool(RECENT_EVENTS, _counted(planner, question, latest, consult_events))


def logs_tool(planner: Planner, question: str,
              latest: Callable[[int], list[LogRecord]]) -> CopilotTool:
    """``recent_logs(count)``: the nodes' latest warnings and errors."""
    return CopilotTool(RECENT_LOGS, _counted(planner, question, latest, consult_logs))


def diagnostics_tool(planner: Planner, question: str,
                     latest: Callable[[int], list[DiagnosticStatus]]) -> CopilotTool:
    """``diagnostics(count)``: the components' latest statuses, the troubled first."""
    return CopilotTool(DIAGNOSTICS, _counted(planner, question, latest, consult_diagnostics))


def _counted(planner: Planner, question: str, latest: Callable[[int], list[T]],
             consult_records: Callable[..., tuple[Consultation, tuple[Citation, ...]]]) -> Run:
    """A tool whose one argument is how many of the latest records to read."""
    def run(arguments: dict[str, Any], beside: Sequence[Consultation]
            ) -> tuple[Consultation, tuple[Citation, ...]]:
        count = int(arguments["count"])
        return consult_records(planner, latest(count), question, count, beside)
    return run
