"""Bookkeeping of the plan being executed, and the answers the executor gives its callers.

Only the executor's worker thread touches a :class:`PlanRun`; what other threads may read or set
(the pending confirmation and its answer) lives in :class:`ConfirmationSlot` behind a lock that is
held for a field assignment and nothing else.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from gemma4_ros.execution.binding import Binding
from gemma4_ros.types import Plan, PlanStep, ResultStatus, ToolResult


class ConfirmReply(NamedTuple):
    """The Confirm channel's answer: whether the decision was taken, and why (not)."""

    accepted: bool
    message: str


@dataclass
class PlanRun:
    """A plan in execution: which step, which attempt, what is in flight, what has ended."""

    plan: Plan
    future: Future[list[ToolResult]]
    results: list[ToolResult] = field(default_factory=list)
    index: int = 0
    attempt: int = 0
    confirmed: bool = False
    binding: Binding | None = None
    deadline: float = 0.0
    started: bool = False  # the current step's start is audited and its end not yet
    feedback: dict[str, Any] = field(default_factory=dict)  # the running step's last, reported
    feedback_reported_at: float = float("-inf")

    @property
    def step(self) -> PlanStep:
        return self.plan.steps[self.index]

    @property
    def finished(self) -> bool:
        return self.index >= len(self.plan.steps)

    def next_step(self) -> None:
        self.index += 1
        self.attempt = 0
        self.confirmed = False
        self.binding = None
        self.started = False
        self.feedback = {}


def step_result(plan: Plan, step: PlanStep, status: ResultStatus, stamp: float,
                error: str = "", result: dict[str, Any] | None = None) -> ToolResult:
    return ToolResult(stamp=stamp, plan_id=plan.plan_id, call_id=step.call.id, status=status,
                      result=result, error=error)


@dataclass(frozen=True)
class PendingConfirmation:
    plan_id: str
    step_index: int
    tool: str
    deadline: float


@dataclass(frozen=True)
class ConfirmationAnswer:
    approve: bool
    operator: str


class ConfirmationSlot:
    """The one step (if any) awaiting an operator, and the operator's answer once given."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: PendingConfirmation | None = None
        self._answer: ConfirmationAnswer | None = None

    def open(self, pending: PendingConfirmation) -> None:
        with self._lock:
            self._pending, self._answer = pending, None

    def close(self) -> tuple[PendingConfirmation | None, ConfirmationAnswer | None]:
        with self._lock:
            taken = self._pending, self._answer
            self._pending, self._answer = None, None
            return taken

    def peek(self) -> tuple[PendingConfirmation | None, ConfirmationAnswer | None]:
        with self._lock:
            return self._pending, self._answer

    def answer(self, plan_id: str, step_index: int, approve: bool, operator: str) -> ConfirmReply:
        """Record an operator's decision if it matches the pending step; say why not otherwise."""
        if not operator.strip():
            return ConfirmReply(False, "operator is empty; say who decides")
        with self._lock:
            pending = self._pending
            if pending is None:
                return ConfirmReply(False, "no step is awaiting confirmation")
            if (plan_id, step_index) != (pending.plan_id, pending.step_index):
                return ConfirmReply(False, (
                    f"plan {plan_id!r} step {step_index} is not awaiting confirmation; "
                    f"plan {pending.plan_id!r} step {pending.step_index} ({pending.tool}) is"))
            if self._answer is not None:
                return ConfirmReply(False, f"already answered by {self._answer.operator}")
            self._answer = ConfirmationAnswer(approve, operator)
        verb = "approved" if approve else "denied"
        return ConfirmReply(True, f"step {step_index} ({pending.tool}) of plan {plan_id!r} {verb}")
