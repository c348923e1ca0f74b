"""The robot's own record as the copilot reads it: what stopped or held its plans (the gate's
refusals and confirmations with their rule ids, steps that failed, were cancelled or timed out,
e-stops, the planner falling silent), from the executor's audit log or, on a planner node, from
the executor's verdicts and results as they are published (:class:`EventLog`, fed records of the
audit log's shape, so both read alike).

Given to the model as the response of a ``recent_events`` call, newest first, and cited exactly
(rule ids and reasons as the gate wrote them), so "why was my last command refused?" is answered
from what happened rather than from what a model guesses.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict, deque
from pathlib import Path
from typing import Any

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.planning.answer import Consultation
from gemma4_ros.safety.audit import read_audit
from gemma4_ros.types import (Citation, CitationKind, Decision, Plan, ResultStatus, SafetyVerdict,
                              ToolResult)

RECENT_EVENTS: dict[str, Any] = {
    "name": "recent_events",
    "description": "The robot's latest events that stopped or held a plan, newest first: the "
                   "safety gate's refusals and confirmations (rule ids and reasons), steps that "
                   "failed or were cancelled, e-stops, the planner falling silent.",
    "parameters": {
        "type": "object",
        "properties": {"count": {"type": "integer", "minimum": 1, "maximum": 20,
                                 "description": "how many events"}},
        "required": ["count"],
    },
}
# Every way a step ends other than success stopped its plan.
STOPPING_RESULTS = frozenset(s.value for s in ResultStatus if s is not ResultStatus.SUCCEEDED)


PLANS_KEPT = 64  # plans whose command and steps an event log remembers, newest kept


class EventLog:
    """The latest events that stopped or held a plan, at most ``depth``: records of the audit
    log's shape go in (:meth:`add`, or the typed ``add_*`` of a node's topics), events as
    ``recent_events`` gives them come out, newest first. A plan's verdict repeated when its step
    is rechecked before running is one event. Thread-safe: a node's topics feed it while Ask
    reads it."""

    def __init__(self, depth: int | None = None) -> None:
        self._lock = threading.Lock()
        self._events: deque[tuple[tuple[Any, ...], dict[str, Any]]] = deque()
        self._depth = depth
        self._keys: set[tuple[Any, ...]] = set()
        self._instructions: OrderedDict[str, str] = OrderedDict()
        self._calls: OrderedDict[str, tuple[int, str]] = OrderedDict()

    def add(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._add(record)

    def _add(self, record: dict[str, Any]) -> None:
        event = _event(record, self._instructions)
        self._trim(self._instructions)
        if event is None:
            return
        key = (event["what"], event.get("plan_id"), event.get("step"),
               tuple(event.get("rules", ())))
        if key in self._keys:
            return
        self._keys.add(key)
        self._events.append((key, event))
        if self._depth is not None and len(self._events) > self._depth:
            self._keys.discard(self._events.popleft()[0])

    def add_plan(self, plan: Plan) -> None:
        """A plan sent to the executor: its command names later events, its calls the results."""
        with self._lock:
            for step in plan.steps:
                self._calls[step.call.id] = (step.index, step.call.name)
            self._trim(self._calls, PLANS_KEPT * 8)
        self.add({"kind": "plan", "time": plan.stamp,
                  "plan": {"plan_id": plan.plan_id, "instruction": plan.instruction}})

    def add_verdict(self, verdict: SafetyVerdict) -> None:
        self.add({"kind": "verdict", "time": verdict.stamp,
                  "verdict": verdict.model_dump(mode="json")})

    def add_result(self, result: ToolResult) -> None:
        with self._lock:
            step, tool = self._calls.get(result.call_id, (None, None))
        self.add({"kind": "step_result", "time": result.stamp, "plan_id": result.plan_id,
                  "status": result.status.value, "step_index": step, "tool": tool,
                  "error": result.error})

    def add_estop(self, stamp: float) -> None:
        self.add({"kind": "estop", "time": stamp})

    def latest(self, count: int) -> list[dict[str, Any]]:
        with self._lock:
            return [event for _, event in reversed(self._events)][:count]

    @staticmethod
    def _trim(kept: OrderedDict[str, Any], most: int = PLANS_KEPT) -> None:
        while len(kept) > most:
            kept.popitem(last=False)


def recent_events(path: Path, count: int) -> list[dict[str, Any]]:
    """The last ``count`` events of the audit log at ``path``, newest first."""
    try:
        records = read_audit(path).records
    except OSError as error:
        raise Gemma4RosError(f"cannot read audit log {path}: {error.strerror}",
                             "give the executor's audit_file (gemma4-ros run --audit FILE)"
                             ) from None
    log = EventLog()
    for record in records:
        log.add(record)
    return log.latest(count)


def _event(record: dict[str, Any], instructions: dict[str, str]) -> dict[str, Any] | None:
    """One record as an event, or None for what did not stop or hold anything."""
    kind, when = record.get("kind"), _time(record.get("time"))
    if kind == "plan" and isinstance(record.get("plan"), dict):
        plan = record["plan"]
        instructions[str(plan.get("plan_id"))] = str(plan.get("instruction", ""))
        return None
    if kind == "verdict" and isinstance(record.get("verdict"), dict):
        verdict = record["verdict"]
        if verdict.get("decision") == Decision.APPROVED.value:
            return None
        plan_id = str(verdict.get("plan_id", ""))
        return {"what": f"gate {verdict.get('decision')}", "time": when, "plan_id": plan_id,
                "command": instructions.get(plan_id, ""), "step": verdict.get("step_index"),
                "tool": verdict.get("tool"), "rules": list(verdict.get("rules", [])),
                "reasons": list(verdict.get("reasons", []))}
    if kind == "step_result" and record.get("status") in STOPPING_RESULTS:
        plan_id = str(record.get("plan_id", ""))
        return {"what": f"step {record.get('status')}", "time": when, "plan_id": plan_id,
                "command": instructions.get(plan_id, ""), "step": record.get("step_index"),
                "tool": record.get("tool"), "reasons": [str(record.get("error", ""))]}
    if kind == "estop":
        plan_id = str(record.get("plan_id") or "")
        return {"what": "e-stop", "time": when, "plan_id": plan_id,
                "command": instructions.get(plan_id, ""),
                "reasons": ["the e-stop latched and stopped the running plan"]}
    if kind == "planner_silent":
        return {"what": "planner silent", "time": when,
                "reasons": [f"no planner heartbeat for {record.get('silent_s')} s"]}
    return None


def _step(event: dict[str, Any]) -> str:
    """"step 2 (move)": numbered from 1, as the CLI and the operator count steps."""
    step, tool = event.get("step"), event.get("tool")
    if not tool:
        return ""
    return f"step {step + 1} ({tool})" if isinstance(step, int) else f"({tool})"


def _time(stamp: Any) -> str:
    if not isinstance(stamp, (int, float)):
        return ""
    moment = datetime.datetime.fromtimestamp(stamp, tz=datetime.timezone.utc)
    return moment.isoformat(timespec="seconds")


def events_consultation(events: list[dict[str, Any]], count: int) -> Consultation:
    return Consultation(declaration=RECENT_EVENTS, arguments={"count": count},
                        response={"events": events} if events else {
                            "events": [], "note": "nothing stopped or held a plan"})


def event_citations(events: list[dict[str, Any]]) -> tuple[Citation, ...]:
    """One citation per rule of each gate event (the rule id as the source, its reason quoted
    as written), one per other event."""
    cited: list[Citation] = []
    for event in events:
        where = ", ".join(part for part in (
            f"plan {event['plan_id']}" if event.get("plan_id") else "",
            _step(event),
            event["time"]) if part)
        reasons = event.get("reasons") or [""]
        for index, rule in enumerate(event.get("rules") or []):
            quote = reasons[index] if index < len(reasons) else reasons[-1]
            cited.append(Citation(kind=CitationKind.RULE, source=rule, locator=where,
                                  quote=quote))
        if not event.get("rules"):
            cited.append(Citation(kind=CitationKind.AUDIT, source=event["what"], locator=where,
                                  quote="; ".join(r for r in reasons if r)))
    return tuple(cited)
