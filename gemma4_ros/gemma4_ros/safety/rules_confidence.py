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
        reason = self._doubt(plan.steps[ctx.index].confidence, ctx.call.name, plan.source.value)
        if reason:
            ctx.fire(RULE, reason, Decision.NEEDS_CONFIRMATION)

    def _doubt(self, confidence: float | None, tool: str, source: str) -> str:
        """Why the call counts as unsure ("" when it does not)."""
        if confidence is None:
            return (f"no confidence was measured for {tool} in a {source} plan, so it counts as "
                    f"unsure; an operator must confirm (confidence.sources.{source}: check)")
        if not 0.0 <= confidence <= 1.0:  # NaN too; only a step built without validation
            return f"the confidence of {tool} ({confidence}) is not a probability"
        if confidence < self.minimum:
            return (f"the model was unsure of {tool}: confidence {_shown(confidence)} is below "
                    f"confidence.min_for_motion ({self.minimum:g})")
        return ""


def _shown(confidence: float) -> str:
    """Three decimals, rounded down: 0.4996 under a threshold of 0.5 must not read "0.500"."""
    return f"{math.floor(confidence * 1000) / 1000:.3f}"


@rule_type("confidence")
def _confidence(config: SafetyConfig, registry: ToolRegistry) -> ConfidenceRule:
    return ConfidenceRule(config)
