"""What the planner node's Ask answers from besides the question and the camera, and the plan a
``want_plan`` proposes from it.

The manuals (``documents``: indexed at configure, searched per question), and each when its
``ask_*`` parameter is set: the events that stopped or held the plans this node sent (fed by the
node from the executor's topics), the warnings and errors any node logs on ``/rosout``, and the
latest ``/diagnostics`` status of each component. Everything is given to the model as tool
responses, the records first and the manuals fitted beside them, and comes back as citations;
a numbered procedure among the manuals' passages becomes a proposal of its steps. Kept apart from
the node's planning side: none of it touches the robot.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from gemma4_ros.copilot.answers import (consult, consult_diagnostics, consult_events,
                                        consult_logs)
from gemma4_ros.copilot.config import load_copilot_config
from gemma4_ros.copilot.index import DocumentIndex
from gemma4_ros.copilot.loop import (CopilotTool, answer_with_tools, diagnostics_tool,
                                     events_tool, logs_tool, manual_search)
from gemma4_ros.copilot.node_diagnostics import DiagnosticsBoard
from gemma4_ros.copilot.node_logs import LogBuffer
from gemma4_ros.copilot.procedures import find_procedure, plan_procedure
from gemma4_ros.copilot.records import EventLog
from gemma4_ros.interfaces import DiagnosticReport, LogRecord
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.nodes.transport import Endpoints, Logger, Transport
from gemma4_ros.planning.answer import Answer, Consultation
from gemma4_ros.planning.planner import Planner
from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.types import Citation, Plan

RECORD_DEPTH = 100  # the executor's RESULT_DEPTH: a burst of verdicts is kept whole
RECORD_GROUP = "record"  # the callback group of the node's record subscriptions
PROCEDURE_PASSAGES = 3  # passages searched for a procedure (the CLI's --passages default)


class AskSources:
    """Built at configure (a bad copilot.yaml or safety.yaml fails there, with its fix)."""

    def __init__(self, config: PlannerNodeConfig, logger: Logger) -> None:
        self.config = config
        self.events = EventLog(RECORD_DEPTH) if config.ask_events else None
        self.logs = LogBuffer() if config.ask_logs else None
        self.health = DiagnosticsBoard() if config.ask_diagnostics else None
        self.manuals = _index_manuals(config, logger)
        # How a want_plan judges a manual's procedure steps.
        self.procedure_safety = (SafetyConfig.load(config.path("safety_file"))
                                 if self.manuals is not None else None)

    def subscribe(self, transport: Transport, active: Endpoints) -> None:
        """Listen to /rosout and /diagnostics as the parameters ask (the executor's topics are
        the node's: the flight recorder shares them)."""
        if self.logs is not None:
            active.add(transport.subscribe("/rosout", LogRecord, self.logs.add,
                                           depth=RECORD_DEPTH, group=RECORD_GROUP))
        if self.health is not None:
            active.add(transport.subscribe("/diagnostics", DiagnosticReport, self.health.add,
                                           depth=RECORD_DEPTH, group=RECORD_GROUP))

    def consult(self, planner: Planner, question: str
                ) -> tuple[list[Consultation], tuple[Citation, ...]]:
        """The records there are, then the manuals' passages fitted beside them, as the model
        will see them, and their citations (on the worker thread: the index is opened where it
        is read)."""
        consulted: list[Consultation] = []
        citations: tuple[Citation, ...] = ()
        config = self.config
        events = self.events.latest(config.ask_events) if self.events is not None else []
        if events:
            said, citations = consult_events(planner, events, question, config.ask_events)
            consulted.append(said)
        lines = self.logs.latest(config.ask_logs) if self.logs is not None else []
        if lines:
            logged, cited = consult_logs(planner, lines, question, config.ask_logs, consulted)
            consulted.append(logged)
            citations += cited
        statuses = (self.health.latest(config.ask_diagnostics) if self.health is not None
                    else [])
        if statuses:
            reported, cited = consult_diagnostics(planner, statuses, question,
                                                  config.ask_diagnostics, consulted)
            consulted.append(reported)
            citations += cited
        if self.manuals is not None:
            with DocumentIndex(self.manuals) as index:
                passages, cited = consult(planner, index, question, beside=consulted)
            consulted.append(passages)
            citations += cited
        return consulted, citations

    def answer_with_tools(self, planner: Planner, question: str,
                          cancel: threading.Event | None = None) -> Answer:
        """The model's own loop over the sources enabled (``ask_tool_calls`` calls at most),
        citing what it consulted; the index is opened where it is read (this thread)."""
        with contextlib.ExitStack() as stack:
            tools: list[CopilotTool] = []
            if self.manuals is not None:
                tools.append(manual_search(planner,
                                           stack.enter_context(DocumentIndex(self.manuals))))
            if self.events is not None:
                tools.append(events_tool(planner, question, self.events.latest))
            if self.logs is not None:
                tools.append(logs_tool(planner, question, self.logs.latest))
            if self.health is not None:
                tools.append(diagnostics_tool(planner, question, self.health.latest))
            if not tools:
                return planner.ask(question, cancel=cancel)
            return answer_with_tools(planner, question, tools, self.config.ask_tool_calls,
                                     cancel)

    def procedure_plan(self, planner: Planner, question: str,
                       cancel: threading.Event | None = None
                       ) -> tuple[Plan, tuple[Citation, ...]] | None:
        """The plan of a numbered procedure among the manuals' passages for ``question`` and
        its steps' citations (``ask --docs --plan``'s rule); None without manuals or one."""
        safety = self.procedure_safety
        if self.manuals is None or safety is None:
            return None
        with DocumentIndex(self.manuals) as index:
            procedure = find_procedure(index.search(question, PROCEDURE_PASSAGES))
        if procedure is None:
            return None
        steps = tuple(procedure.citation(step) for step in procedure.steps)
        return plan_procedure(planner, procedure, safety, cancel), steps


def _index_manuals(config: PlannerNodeConfig, logger: Logger) -> Path | None:
    """With ``documents``: bring the manuals' index up to date now (configure), naming each file
    it skips; returns the index Ask searches, else None."""
    if not config.documents:
        return None
    copilot = load_copilot_config(config.path("copilot_file"))
    with DocumentIndex(copilot.index) as index:
        report = copilot.refresh_index(index)
    for name, why in report.skipped.items():
        logger.warning(f"manual {name} not indexed: {why}")
    logger.info(f"Ask answers from the manuals in {index.path}: {report.summary()}")
    return index.path
