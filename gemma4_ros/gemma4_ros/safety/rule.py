"""The pieces every policy shares: what a rule sees, how it reports, and the registry of rule types.

A rule is a small object built once from the config (validators, polygons and sets precompiled)
and asked one question per step or per plan. Rules report through ``fire(rule_id, reason)``; the
gate turns the findings into a verdict where the most restrictive decision wins. Rule types are
registered by name (``@rule_type("geofence")``) and built in registration order, in the style of
Nav2's collision monitor, so adding a policy is one new class and never an edit to the gate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from gemma4_ros.safety.config import ModeConfig, SafetyConfig
from gemma4_ros.safety.history import HistorySnapshot
from gemma4_ros.tools import ToolRegistry, ToolSpec
from gemma4_ros.types import Decision, Plan, RobotState, ToolCall

Pose = tuple[float, float, float]  # x, y, yaw (radians) in the geofence frame

SEVERITY = {Decision.APPROVED: 0, Decision.NEEDS_CONFIRMATION: 1, Decision.REJECTED: 2}


@dataclass(frozen=True)
class Finding:
    """One rule that fired: its stable id, why, and what it demands."""

    rule: str
    reason: str
    decision: Decision = Decision.REJECTED


@dataclass(slots=True)
class PlanContext:
    """What plan-level rules see: the plan, the robot, the time, the mode and the history so far."""

    plan: Plan
    robot: RobotState
    now: float
    mode_name: str
    mode: ModeConfig
    estop_latched: bool
    estop_at: float | None
    history: HistorySnapshot
    recheck: bool = False
    findings: list[Finding] = field(default_factory=list)

    def fire(self, rule: str, reason: str, decision: Decision = Decision.REJECTED) -> None:
        self.findings.append(Finding(rule, reason, decision))


@dataclass(slots=True)
class StepContext:
    """What step rules see: one call, its spec (None if unknown), and the simulated poses around it.

    ``start``/``end`` are the poses before and after the step in the plan's simulated chain (None
    when unknown, e.g. after an invalid earlier step); ``problems`` are the schema's complaints
    about the arguments (empty: valid); ``earlier`` counts the plan's earlier calls
    per tool (for rate limits); ``armed`` holds the forbidden-sequence flags before this step.
    """

    plan: PlanContext
    index: int
    call: ToolCall
    spec: ToolSpec | None
    start: Pose | None
    end: Pose | None
    problems: list[str]
    earlier: dict[str, int]
    earlier_total: int
    armed: tuple[bool, ...]
    confirmed: bool
    findings: list[Finding] = field(default_factory=list)

    def fire(self, rule: str, reason: str, decision: Decision = Decision.REJECTED) -> None:
        self.findings.append(Finding(rule, reason, decision))


class PlanRule(Protocol):
    """A policy judged once per plan; its findings apply to every step."""

    def check_plan(self, ctx: PlanContext) -> None: ...


class StepRule(Protocol):
    """A policy judged for every step. A rule may also define ``applies(spec) -> bool``: the gate
    then asks it only about the tools it can fire for (decided once, at build time); calls of
    unknown tools are always put to every rule."""

    def check_step(self, ctx: StepContext) -> None: ...


RuleFactory = Callable[[SafetyConfig, ToolRegistry], Any]
RULE_TYPES: dict[str, RuleFactory] = {}


def rule_type(name: str) -> Callable[[RuleFactory], RuleFactory]:
    """Register a factory ``(config, registry) -> rule or None`` (None: the policy is off)."""

    def register(factory: RuleFactory) -> RuleFactory:
        if name in RULE_TYPES:
            raise ValueError(f"rule type {name!r} registered twice")
        RULE_TYPES[name] = factory
        return factory

    return register


def build_rules(config: SafetyConfig, registry: ToolRegistry) -> list[Any]:
    """Every enabled rule, built once; raises ConfigError when the config names unknown things."""
    built = (factory(config, registry) for factory in RULE_TYPES.values())
    return [rule for rule in built if rule is not None]
