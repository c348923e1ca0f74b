"""Answers grounded in the robot's documents: the manual is searched for the question first, the
passages go to the model as the response of a ``search_manual`` call it can see, and the answer
comes back with those passages as its citations.

The search runs before the model speaks, whatever the model: a planner that has never been taught
the copilot's tools (the embedded demo model) still answers next to the right passages, and a
model that has been reads them as its own tool's response. The citations are the passages the
model was given, best match first, so an operator can check every answer against the manual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from gemma4_ros.copilot.index import DocumentIndex, Hit
from gemma4_ros.copilot.node_diagnostics import diagnostic_citations, diagnostics_consultation
from gemma4_ros.copilot.node_logs import log_citations, logs_consultation
from gemma4_ros.copilot.records import event_citations, events_consultation, recent_events
from gemma4_ros.interfaces import DiagnosticStatus, LogRecord
from gemma4_ros.planning.answer import Answer, Consultation
from gemma4_ros.planning.planner import Planner
from gemma4_ros.types import Citation

T = TypeVar("T")

QUOTE_CHARS = 300  # a citation's quote; the model is given the whole passage
MIN_WORDS = 20  # a passage cut to fit the context keeps at least this many words

SEARCH_MANUAL: dict[str, Any] = {
    "name": "search_manual",
    "description": "Search the robot's manuals and procedures; returns the passages that best "
                   "match the query, each with its document and section.",
    "parameters": {
        "type": "object",
        "properties": {"query": {"type": "string", "description": "what to look for"}},
        "required": ["query"],
    },
}


def citation(hit: Hit) -> Citation:
    words = " ".join(hit.text.split())
    quote = words if len(words) <= QUOTE_CHARS else words[:QUOTE_CHARS].rsplit(" ", 1)[0] + " ..."
    where = hit.locator if hit.locator.startswith("page ") else f"{hit.locator}, line {hit.line}"
    return Citation(source=hit.document, locator=where, quote=quote)


def consultation(question: str, hits: list[Hit]) -> Consultation:
    """The search as the model sees it: its call, and every passage with where it is from."""
    found = [{"document": hit.document, "section": hit.locator, "line": hit.line,
              "text": hit.text} for hit in hits]
    return Consultation(declaration=SEARCH_MANUAL, arguments={"query": question},
                        response={"passages": found} if found else {
                            "passages": [], "note": "nothing in the manuals matches"})


def fitted(planner: Planner, question: str, hits: list[Hit],
           beside: Sequence[Consultation] = ()) -> list[Hit]:
    """The passages that fit the model's context beside what else it consults, with room for a
    whole answer: the worst match is left out first, the best one cut short last (a small
    model's context is short: the demo planner's holds 1,024 tokens)."""
    hits = list(hits)
    needed = planner.config.ask_max_tokens
    while hits and planner.answer_room(question, [*beside, consultation(question, hits)]
                                       ) < needed:
        words = hits[-1].text.split()
        if len(hits) > 1 or len(words) < 2 * MIN_WORDS:
            hits.pop()
        else:
            hits[-1] = replace(hits[-1], text=" ".join(words[: len(words) // 2]) + " ...")
    return hits


def consult(planner: Planner, index: DocumentIndex, question: str, passages: int = 3,
            beside: Sequence[Consultation] = ()) -> tuple[Consultation, tuple[Citation, ...]]:
    """The search for ``question`` as the model will see it (beside what else it consults), and
    the citations of what it holds (known before the model answers, so they survive an answer
    that fails)."""
    hits = fitted(planner, question, index.search(question, passages), beside)
    return consultation(question, hits), tuple(citation(hit) for hit in hits)


def consult_record(planner: Planner, audit: Path, question: str,
                   count: int = 5) -> tuple[Consultation, tuple[Citation, ...]]:
    """The audit log's latest events as the model will see them (:func:`consult_events`)."""
    return consult_events(planner, recent_events(audit, count), question, count)


def consult_events(planner: Planner, events: list[dict[str, Any]], question: str,
                   count: int = 5, beside: Sequence[Consultation] = ()
                   ) -> tuple[Consultation, tuple[Citation, ...]]:
    """``events`` (newest first) as the model will see them, and their citations."""
    kept = _fit(planner, question, events, lambda e: events_consultation(e, count), beside)
    return events_consultation(kept, count), event_citations(kept)


def consult_logs(planner: Planner, lines: list[LogRecord], question: str, count: int = 5,
                 beside: Sequence[Consultation] = ()) -> tuple[Consultation, tuple[Citation, ...]]:
    """Logged lines (newest first) as the model will see them, and their citations."""
    kept = _fit(planner, question, lines, lambda x: logs_consultation(x, count), beside)
    return logs_consultation(kept, count), log_citations(kept)


def consult_diagnostics(planner: Planner, statuses: list[DiagnosticStatus], question: str,
                        count: int = 5, beside: Sequence[Consultation] = ()
                        ) -> tuple[Consultation, tuple[Citation, ...]]:
    """Components' statuses (troubled first) as the model will see them, and their
    citations."""
    kept = _fit(planner, question, statuses, lambda x: diagnostics_consultation(x, count),
                beside)
    return diagnostics_consultation(kept, count), diagnostic_citations(kept)


def _fit(planner: Planner, question: str, items: Sequence[T],
         shown: Callable[[list[T]], Consultation], beside: Sequence[Consultation]) -> list[T]:
    """``items`` less the last ones until, shown beside what else the model consults, they
    leave room for a whole answer in its context."""
    kept = list(items)
    needed = planner.config.ask_max_tokens
    while kept and planner.answer_room(question, [*beside, shown(kept)]) < needed:
        kept.pop()
    return kept


def ask_documents(planner: Planner, index: DocumentIndex, question: str, *, image: Any = None,
                  want_plan: bool = False, passages: int = 3, **options: Any) -> Answer:
    """``planner.ask`` after searching ``index`` for ``question``; the answer cites what it was
    given (no citations when nothing matched: the model then answers from the question alone).
    Raises the planner's PlanningError when the model gives no valid answer."""
    consulted, citations = consult(planner, index, question, passages)
    answer = planner.ask(question, image, want_plan, consulted=[consulted], **options)
    return answer.model_copy(update={"citations": citations})
