"""``plan.low_confidence``: a motion call the model was unsure of goes to the operator first.

Grounding holds a call against the operator's words; this rule holds it against the model's own
belief. Each step carries the lowest probability among its call's sampled tokens (the planner
measures it, ``PlanStep.confidence``); a motion call below ``confidence.min_for_motion`` is
NEEDS_CONFIRMATION, never REJECTED — the plan may be right, the model just was not sure. A step
without a confidence in a plan from a ``check`` source (every model-made source by default) is
treated as unsure: a plan that lost its confidence on the way, or was written by something that
is not the planner yet claims an operator's words, must not move the robot unasked. Missions
(``skip``) carry no model's choice and are left alone. Only motion is held: a wrong ``speak``
costs a sentence, a wrong ``move`` a collision.
"""

from __future__ import annotations

import math

from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.safety.rule import StepContext, rule_type
from gemma4_ros.tools import ToolRegistry, ToolSpec
from gemma4_ros.types import Decision

RULE = "plan.low_confidence"


class ConfidenceRule:
    """Holds a motion call of low or unknown confidence for an operator."""

    def __init__(self, config: SafetyConfig) -> None:
        self.minimum = config.confidence.min_for_motion
        self.sources = config.confidence.sources

    def applies(self, spec: ToolSpec) -> bool:
        return spec.motion

    def check_step(self, ctx: StepContext) -> None:
        if ctx.spec is None or not ctx.spec.motion or ctx.confirmed or ctx.problems:
            return  # unknown tools and invalid arguments are refused; confirmed means asked
        plan = ctx.plan.plan
        if self.sources.get(plan.source, "check") == "skip":
            return
        confidence = plan.steps[ctx.index].confidence
        if confidence is None:
            ctx.fire(RULE, f"no confidence was measured for {ctx.call.name} in a "
                     f"{plan.source.value} plan, so it counts as unsure; an operator must "
                     f"confirm (confidence.sources.{plan.source.value}: check)",
                     Decision.NEEDS_CONFIRMATION)
        elif confidence < self.minimum:
            ctx.fire(RULE, f"the model was unsure of {ctx.call.name}: confidence "
                     f"{_shown(confidence)} is below confidence.min_for_motion "
                     f"({self.minimum:g})", Decision.NEEDS_CONFIRMATION)


def _shown(confidence: float) -> str:
    """Three decimals, rounded down: 0.4996 under a threshold of 0.5 must not read "0.500"."""
    return f"{math.floor(confidence * 1000) / 1000:.3f}"


@rule_type("confidence")
def _confidence(config: SafetyConfig, registry: ToolRegistry) -> ConfidenceRule:
    return ConfidenceRule(config)
