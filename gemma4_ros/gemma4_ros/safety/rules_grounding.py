"""``plan.ungrounded``: a call whose numbers or places are not in the operator's words goes to the
operator for confirmation.

Every other rule asks whether a call is allowed; this one asks whether it is what was asked. "go
forward 10 meters" planned as ``move 0.1`` is valid, in bounds and inside the fence, and still
wrong. So each grounded argument (tools.yaml: units, signs; places by name or alias) must be found
in the plan's instruction, converted to the argument's unit, with the sign its clause's direction
words give and within a rounding tolerance. A quantity grounds one call: "go forward 2 meters"
planned as two ``move 2`` is as wrong as ``move 4``, so the plan's numbers are matched to what was
said as a whole (a bipartite matching, in step order). Places only need to be named: going to the
same place twice moves nothing further. The finding is NEEDS_CONFIRMATION, never REJECTED: the
operator may well have meant it, and is asked on the channel the model cannot write to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gemma4_ros.errors import ConfigError
from gemma4_ros.safety.config import SafetyConfig, config_source
from gemma4_ros.safety.grounding import Instruction, readings, understand
from gemma4_ros.safety.grounding_config import ArgumentPolicy
from gemma4_ros.safety.rule import StepContext, rule_type
from gemma4_ros.safety.rules_call import require_tool
from gemma4_ros.tools import ToolRegistry, ToolSpec
from gemma4_ros.tools.grounding import ArgumentGrounding
from gemma4_ros.tools.units import dimension
from gemma4_ros.types import Decision, Plan, PlanStep

RULE = "plan.ungrounded"
QUOTE_CHARS = 60
MATCHED_STEPS = 64  # longer plans (or longer than plan.max_steps) are judged call by call


@dataclass(frozen=True)
class _Number:
    """A numeric argument as the rule checks it."""

    name: str
    grounding: ArgumentGrounding
    policy: ArgumentPolicy
    default: Any


@dataclass(frozen=True)
class _Tool:
    """What to ground in one tool's calls: numbers, and a place (an argument or a fixed one)."""

    numbers: tuple[_Number, ...]
    place_argument: str
    fixed_place: str


@dataclass(frozen=True)
class _Demand:
    """One number of the plan that must be matched to something the operator said."""

    step: int
    number: _Number
    value: float
    shown: str
    candidates: tuple[int, ...]


class GroundingRule:
    """Holds each call's grounded arguments against the plan's instruction."""

    def __init__(self, config: SafetyConfig, registry: ToolRegistry) -> None:
        grounding = config.grounding
        self.sources = grounding.sources
        self.relative = grounding.relative_tolerance
        self.matched_steps = min(config.plan.max_steps, MATCHED_STEPS)
        self.registry = registry
        # The last plan judged and its reasons per step: a plan's numbers are matched as a
        # whole once, then each of its steps (and each re-check) looks its own up.
        self._last: tuple[Plan, dict[int, str]] | None = None
        for name, policy in grounding.tools.items():
            require_tool(config, registry, name, f"grounding.tools.{name}")
            _check_arguments(config, registry.get(name), policy.arguments)
        self.tools: dict[str, _Tool] = {}
        for spec in registry.tools:
            chosen = grounding.tools.get(spec.name)
            if chosen is not None and not chosen.check:
                continue
            tool = _compile(spec, chosen.arguments if chosen is not None else {})
            if tool.numbers or tool.place_argument or tool.fixed_place:
                self.tools[spec.name] = tool

    def applies(self, spec: ToolSpec) -> bool:
        return spec.name in self.tools

    def check_step(self, ctx: StepContext) -> None:
        tool = self.tools.get(ctx.call.name)
        if tool is None or ctx.confirmed or ctx.problems:
            return  # invalid arguments are refused by args.schema; confirmed means asked
        plan = ctx.plan.plan
        mode = self.sources.get(plan.source, "check")
        if mode == "skip":
            return
        if mode == "confirm":
            ctx.fire(RULE, f"a {plan.source.value} plan carries no words to check {ctx.call.name} "
                     f"against; an operator must confirm (grounding.sources.{plan.source.value}: "
                     "confirm)", Decision.NEEDS_CONFIRMATION)
            return
        reason = self._reasons(plan).get(ctx.index)
        if reason:
            ctx.fire(RULE, reason, Decision.NEEDS_CONFIRMATION)

    def _reasons(self, plan: Plan) -> dict[int, str]:
        last = self._last
        if last is not None and last[0] is plan:
            return last[1]
        reasons = self.judge(plan)
        self._last = (plan, reasons)
        return reasons

    def judge(self, plan: Plan) -> dict[int, str]:
        """Why each step is not what the instruction says, by step index (absent: it is),
        whatever the plan's source (the copilot judges a procedure's steps with it)."""
        instruction = understand(plan.instruction)
        found: dict[int, list[str]] = {}
        steps = [step for step in plan.steps if step.call.name in self.tools
                 and not self.registry.problems(step.call.name, step.call.arguments)]
        for step in steps:
            reason = self._place(self.tools[step.call.name], step.call.arguments, instruction)
            if reason:
                found.setdefault(step.index, []).append(reason)
        # Each said quantity grounds one number; a plan over the step limit (refused whole by
        # plan.max_steps) has each call judged alone instead, so the cost stays linear.
        groups = [steps] if len(plan.steps) <= self.matched_steps else [[step] for step in steps]
        for group in groups:
            demands = [demand for step in group
                       for demand in self._demands(step, instruction)]
            for demand, mention in zip(demands, _match([d.candidates for d in demands])):
                if mention is None:
                    found.setdefault(demand.step, []).append(self._ungrounded(demand, instruction))
        return {index: "; ".join(reasons) for index, reasons in found.items()}

    def _place(self, tool: _Tool, arguments: dict[str, Any], instruction: Instruction) -> str:
        place = tool.fixed_place or arguments.get(tool.place_argument)
        if not isinstance(place, str):
            return ""
        words = self.registry.place_words(place)
        if any(instruction.names(w) for w in words):
            return ""
        return (f"place {place} is not in {_quote(instruction.text)} (it is named: "
                f"{', '.join(words)})")

    def _demands(self, step: PlanStep, instruction: Instruction) -> list[_Demand]:
        tool, arguments = self.tools[step.call.name], step.call.arguments
        demands = []
        for number in tool.numbers:
            value = arguments.get(number.name, number.default)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue  # left out with no default, or not a number: args.schema says so
            if _unsaid_allowed(value, number, instruction):
                continue
            as_float = _as_float(value)
            candidates = self._candidates(as_float, number, instruction)
            demands.append(_Demand(step.index, number, as_float, _show(value), candidates))
        return demands

    def _candidates(self, value: float, number: _Number,
                    instruction: Instruction) -> tuple[int, ...]:
        """Indices of the mentions that say ``value`` (in the argument's unit, signed)."""
        if not math.isfinite(value):
            return ()
        slack = number.policy.tolerance
        found = []
        for reading in readings(instruction, number.grounding):
            if any(abs(value - target) <= max(slack, self.relative * abs(target))
                   for target in reading.values):
                found.append(reading.index)
        return tuple(found)

    def _ungrounded(self, demand: _Demand, instruction: Instruction) -> str:
        what = f"{demand.number.name} {demand.shown}"
        if not instruction.text.strip():
            return f"{what} cannot be checked: the plan carries no instruction"
        quote = _quote(instruction.text)
        if demand.candidates:
            return f"{what} is said in {quote} fewer times than the plan uses it"
        heard = _heard(demand.number, instruction)
        return f"{what} is not in {quote}" + (f" (it says {', '.join(heard)})" if heard else "")


def _compile(spec: ToolSpec, policies: dict[str, ArgumentPolicy]) -> _Tool:
    properties = spec.parameters.get("properties", {})
    numbers = tuple(
        _Number(name, grounding, policies.get(name, ArgumentPolicy()),
                properties.get(name, {}).get("default"))
        for name, grounding in spec.grounding.items()
        if policies.get(name, ArgumentPolicy()).check)
    effect = spec.effect
    place_argument = fixed_place = ""
    if effect.kind == "goto_place":
        if effect.place:
            fixed_place = effect.place
        elif policies.get(effect.argument, ArgumentPolicy()).check:
            place_argument = effect.argument
    return _Tool(numbers, place_argument, fixed_place)


def _check_arguments(config: SafetyConfig, spec: ToolSpec,
                     policies: dict[str, ArgumentPolicy]) -> None:
    """Every argument named must be grounded; a place takes no number settings."""
    place = spec.effect.argument if spec.effect.kind == "goto_place" else ""
    grounded = [*spec.grounding, *([place] if place else [])]
    for name, policy in policies.items():
        key = f"grounding.tools.{spec.name}.arguments.{name}"
        if name not in grounded:
            raise ConfigError(config_source(config), key,
                              f"{spec.name} has no grounded argument {name!r}",
                              f"use one of: {', '.join(grounded) or 'none (it has none)'}")
        if name == place and policy.model_fields_set - {"check"}:
            raise ConfigError(config_source(config), key,
                              "a place is grounded by name; `unsaid` and `tolerance` are for "
                              "numbers",
                              "leave only `check` here")


def _heard(number: _Number, instruction: Instruction) -> tuple[str, ...]:
    """What the instruction says that an argument like this could come from, and the values
    that stands for in the argument's unit: "a meter → 1", "1 m → -1" after "back up"."""
    heard = [f"{r.mention.words} → {' or '.join(f'{v:.4g}' for v in r.values)}"
             for r in readings(instruction, number.grounding)]
    return tuple(dict.fromkeys(heard))


def _unsaid_allowed(value: float, number: _Number, instruction: Instruction) -> bool:
    """Whether ``value`` may stand without being said. Only when nothing of its kind was said:
    "back up 1 m at 0.1 m/s" planned at 0.2 m/s is under the default and still not what was
    asked."""
    default, unsaid = number.default, number.policy.unsaid
    if instruction.has_units(dimension(number.grounding.unit)):
        return False
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        return False
    if unsaid == "default":
        return bool(value == default)
    return unsaid == "up_to_default" and 0 <= value <= default


def _match(candidates: list[tuple[int, ...]]) -> list[int | None]:
    """A maximum matching of demands to mentions (Kuhn's augmenting paths, demands in order)."""
    owner: dict[int, int] = {}

    def assign(demand: int, seen: set[int]) -> bool:
        for mention in candidates[demand]:
            if mention in seen:
                continue
            seen.add(mention)
            if mention not in owner or assign(owner[mention], seen):
                owner[mention] = demand
                return True
        return False

    for demand in range(len(candidates)):
        assign(demand, set())
    matched: list[int | None] = [None] * len(candidates)
    for mention, demand in owner.items():
        matched[demand] = mention
    return matched


def _as_float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer beyond float range was never said
        return math.inf


def _show(value: int | float) -> str:
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 64 else "(an integer too large to show)"
    return f"{value:g}"


def _quote(text: str) -> str:
    return repr(text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1] + "…")


@rule_type("grounding")
def _grounding(config: SafetyConfig, registry: ToolRegistry) -> GroundingRule:
    return GroundingRule(config, registry)
