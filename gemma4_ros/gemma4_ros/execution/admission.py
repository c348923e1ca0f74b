"""Whether a submitted plan may start: the e-stop, the gate's verdicts and the preemption policy.

Judged once, before any step runs, so a plan is either started or refused whole: nothing
half-executes. Each refusal reads as the error of every step's REJECTED result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gemma4_ros.execution.config import PreemptionPolicy
from gemma4_ros.types import Decision, Plan, SafetyVerdict

if TYPE_CHECKING:
    from gemma4_ros.safety.estop import EStopLatch


def refusal(plan: Plan, verdicts: list[SafetyVerdict], estop: EStopLatch, busy: Plan | None,
            policy: PreemptionPolicy) -> str:
    """Why ``plan`` may not start, or "" if it may; ``busy`` is the plan running now, if any."""
    latched_at = estop.latched_at
    if estop.latched:
        return "e-stop latched; reset it before sending plans"
    if latched_at is not None and plan.stamp < latched_at:
        return "plan was stamped before the last e-stop and is void; plan again"
    if len(verdicts) != len(plan.steps):
        return f"gate returned {len(verdicts)} verdicts for {len(plan.steps)} steps"
    rejected = [v for v in verdicts if v.decision is Decision.REJECTED]
    if rejected:
        detail = "; ".join(f"step {v.step_index} ({v.tool}): {', '.join(v.reasons)}"
                           for v in rejected)
        return f"plan rejected before anything ran: {detail}"
    if busy is not None and policy == "reject_new":
        return (f"busy with plan {busy.plan_id!r} (preemption policy reject_new); cancel it "
                "first or wait")
    return ""
