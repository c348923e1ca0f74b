"""Who answers the executor's confirmation requests in ``gemma4-ros run``.

The gate sends a step to an operator (NEEDS_CONFIRMATION) when a rule asks for one: the mode's
risk threshold, a number or place not in the operator's words (``plan.ungrounded``), a model
unsure of its call (``plan.low_confidence``). On a robot the answer comes over the Confirm
service; here it comes from whoever ran the command:

- at a terminal, the operator is asked while the run waits for the plan, step and reasons
  shown, and answers y or n — the model cannot write to this channel; at the interactive
  prompt (while nothing is waited for, e.g. a voice plan from ``--mic``) ``/confirm`` and
  ``/deny`` answer the step the executor waits on;
- in a run nobody watches (stdin is not a terminal: scripts, CI), there is no one to ask, so
  the step is denied at once rather than after the confirmation time-out: the same outcome,
  fail closed, without the wait.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from gemma4_ros.types import Plan

TERMINAL = "terminal"
NOBODY = "nobody (run without a terminal)"


@dataclass(frozen=True)
class PendingConfirmation:
    """The step the executor waits on, and why the gate asked."""

    plan_id: str
    step_index: int
    plan: Plan | None
    reasons: tuple[str, ...]

    def describe(self) -> str:
        step = (self.plan.steps[self.step_index]
                if self.plan is not None and self.step_index < len(self.plan.steps) else None)
        what = (f"{step.call.name} {step.call.arguments}" if step is not None
                else f"step {self.step_index}")
        why = "; ".join(self.reasons) or "the mode asks for confirmation"
        return f"step {self.step_index + 1} of plan {self.plan_id}: {what} — {why}"


@dataclass(frozen=True)
class Operator:
    """Decides a pending confirmation; ``operator_id`` goes to the executor's audit log."""

    operator_id: str
    decide: Callable[[PendingConfirmation], bool]


def terminal_operator(say: Callable[[str], None]) -> Operator:
    """Ask at the terminal; anything but y/yes is a no, and so is a closed stdin."""
    def ask(pending: PendingConfirmation) -> bool:
        say(f"needs your confirmation: {pending.describe()}")
        try:
            answer = input("run it? [y/N] ")
        except (EOFError, UnicodeDecodeError):
            return False
        return answer.strip().lower() in ("y", "yes")

    return Operator(TERMINAL, ask)


NO_OPERATOR = Operator(NOBODY, lambda pending: False)


def operator_for(say: Callable[[str], None]) -> Operator:
    """The terminal when stdin is one, else nobody."""
    return terminal_operator(say) if sys.stdin.isatty() else NO_OPERATOR
