"""Plan-level policies: e-stop, plans voided by an e-stop, plan length and freshness.

These are judged once per plan and their findings apply to every step: a plan that is too long
or too old is refused whole, so nothing half-executes.
"""

from __future__ import annotations

import math

from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.safety.rule import PlanContext, rule_type
from gemma4_ros.tools import ToolRegistry


class EStopRule:
    """While latched, refuse everything; a plan stamped before the last e-stop stays void after
    the reset, so nothing resumes by itself."""

    def check_plan(self, ctx: PlanContext) -> None:
        if ctx.estop_latched:
            ctx.fire("estop.latched", "the e-stop is latched; an operator must reset it first")
        if ctx.estop_at is not None and not ctx.plan.stamp > ctx.estop_at:
            ctx.fire("plan.before_estop",
                     f"the plan was made {ctx.estop_at - ctx.plan.stamp:.3f} s before the last "
                     "e-stop and is void; ask again")


class PlanLimitsRule:
    """Too many steps, or a plan too old (or stamped in the future) to reflect the present."""

    def __init__(self, config: SafetyConfig) -> None:
        self.max_steps = config.plan.max_steps
        self.max_age_s = config.plan.max_age_s
        self.max_future_s = config.plan.max_future_s

    def check_plan(self, ctx: PlanContext) -> None:
        count = len(ctx.plan.steps)
        if count > self.max_steps:
            ctx.fire("plan.max_steps", f"the plan has {count} steps; at most {self.max_steps} are "
                     "allowed")
        if ctx.recheck:
            # Age is judged when the plan is accepted; a long plan must not go stale mid-way.
            return
        age = ctx.now - ctx.plan.stamp
        if not math.isfinite(age):
            ctx.fire("plan.stale", "the plan's stamp is not a finite time")
        elif age > self.max_age_s:
            ctx.fire("plan.stale", f"the plan is {age:.1f} s old; plans older than "
                     f"{self.max_age_s:g} s are refused")
        elif -age > self.max_future_s:
            ctx.fire("plan.stale", f"the plan is stamped {-age:.1f} s in the future; check the "
                     "clocks of planner and executor")


@rule_type("estop")
def _estop(config: SafetyConfig, registry: ToolRegistry) -> EStopRule:
    return EStopRule()


@rule_type("plan_limits")
def _plan_limits(config: SafetyConfig, registry: ToolRegistry) -> PlanLimitsRule:
    return PlanLimitsRule(config)
