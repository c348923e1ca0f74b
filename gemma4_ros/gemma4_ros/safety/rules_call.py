"""Per-call policies: known tool, mode allow-list, argument schema and finiteness, the gate's own
numeric bounds, robot-state sanity, provenance, battery and operator confirmation."""

from __future__ import annotations

import math
from typing import Any

from gemma4_ros.errors import ConfigError
from gemma4_ros.safety.config import SafetyConfig, config_source
from gemma4_ros.safety.rule import StepContext, rule_type
from gemma4_ros.tools import ToolRegistry, ToolSpec
from gemma4_ros.types import Decision


def require_tool(config: SafetyConfig, registry: ToolRegistry, name: str, key: str) -> None:
    """ConfigError unless ``name`` is a declared tool: a policy must never match nothing."""
    if name not in registry:
        raise ConfigError(config_source(config), key, f"unknown tool {name!r}",
                          f"use one of the declared tools: {', '.join(registry.names)}")


class KnownToolRule:
    """A call of an undeclared tool is refused, never ignored."""

    def __init__(self, registry: ToolRegistry) -> None:
        self.declared = ", ".join(registry.names)

    def applies(self, spec: ToolSpec) -> bool:
        return False  # only calls of unknown tools (asked of every rule) can fire it

    def check_step(self, ctx: StepContext) -> None:
        if ctx.spec is None:
            ctx.fire("tool.unknown", f"unknown tool {ctx.call.name!r}; declared tools: "
                     f"{self.declared}")


class ModeRule:
    """Each operating mode allows a set of tools, and motion only if the mode says so."""

    def __init__(self, config: SafetyConfig, registry: ToolRegistry) -> None:
        self.allowed: dict[str, frozenset[str] | None] = {}
        for name, mode in config.modes.items():
            if mode.tools == "all":
                self.allowed[name] = None
                continue
            for index, tool in enumerate(mode.tools):
                require_tool(config, registry, tool, f"modes.{name}.tools.{index}")
            self.allowed[name] = frozenset(mode.tools)

    def check_step(self, ctx: StepContext) -> None:
        spec, mode = ctx.spec, ctx.plan.mode_name
        if spec is None:
            return
        allowed = self.allowed[mode]
        if allowed is not None and spec.name not in allowed:
            ctx.fire("mode.allowlist", f"{spec.name} is not allowed in {mode} mode")
        elif spec.motion and not ctx.plan.mode.motion:
            ctx.fire("mode.allowlist", f"{spec.name} moves the robot; {mode} mode allows no motion")


class ArgumentsRule:
    """Arguments must match the tool's JSON Schema and hold only finite numbers."""

    def check_step(self, ctx: StepContext) -> None:
        problems = ctx.problems
        if problems and ctx.spec is not None:
            ctx.fire("args.schema", f"invalid arguments for {ctx.spec.name}: {'; '.join(problems)}")
        arguments = ctx.call.arguments
        if all(type(v) is not float or v - v == 0.0 for v in arguments.values()) and not any(
                isinstance(v, (dict, list)) for v in arguments.values()):
            return  # the common case: flat arguments, every float finite (inf - inf is NaN)
        bad = _non_finite(arguments)
        if bad:
            ctx.fire("args.finite", f"argument {bad} is not a finite number")


def _non_finite(value: Any) -> str:
    """The path of the first NaN or infinity in a JSON value, or ''. Iterative, so arguments
    nested a thousand deep are judged rather than crashing the rule."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return path or "(value)"
        if isinstance(item, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in reversed(item.items()))
        elif isinstance(item, (list, tuple)):
            stack.extend((v, f"{path}[{i}]") for i, v in reversed(list(enumerate(item))))
    return ""


def show_number(value: float | int) -> str:
    """A number for a reason, however large: ``10**400`` cannot be formatted as a float (it
    overflows) nor, past 4,300 digits, as an int; such a value is named by its size instead."""
    try:
        return f"{value:g}"
    except (OverflowError, ValueError):
        digits = int(abs(int(value)).bit_length() * math.log10(2)) + 1
        return f"{'-' if value < 0 else ''}a {digits}-digit number"


class BoundsRule:
    """The gate's own numeric limits per tool argument (the schema's range also applies: the
    stricter wins). A left-out argument is judged at its schema default, which is what will run.

    Fail closed: every numeric argument of a motion tool must be bounded here, with a ``max``,
    and with a ``min`` too when its schema allows negative values. The schema's range is what the
    model may write, not a safety limit, so leaving ``bounds`` out (or ``move.speed`` out of it)
    is a start-up error rather than a speed limit silently dropped."""

    def __init__(self, config: SafetyConfig, registry: ToolRegistry) -> None:
        self.bounds: dict[str, list[tuple[str, str, float, float, Any]]] = {}
        for tool, arguments in config.bounds.items():
            require_tool(config, registry, tool, f"bounds.{tool}")
            properties = registry.get(tool).parameters.get("properties", {})
            for argument, bound in arguments.items():
                prop = properties.get(argument)
                if prop is None or prop.get("type") not in ("number", "integer"):
                    raise ConfigError(config_source(config), f"bounds.{tool}.{argument}",
                                      f"{tool} has no numeric argument {argument!r}",
                                      f"bound one of: {', '.join(properties) or 'no arguments'}")
                low = -math.inf if bound.min is None else bound.min
                high = math.inf if bound.max is None else bound.max
                self.bounds.setdefault(tool, []).append(
                    (argument, bound.kind, low, high, prop.get("default")))
        for spec in registry.tools:
            if spec.motion:
                _require_motion_bounds(config, spec)

    def applies(self, spec: ToolSpec) -> bool:
        return spec.name in self.bounds

    def check_step(self, ctx: StepContext) -> None:
        limits = self.bounds.get(ctx.call.name)
        if limits is None:
            return
        arguments = ctx.call.arguments
        for argument, kind, low, high, default in limits:
            value = arguments.get(argument, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue  # missing or mistyped: the schema rule already says so
            if value > high:
                ctx.fire(f"bounds.{kind}", f"{ctx.call.name}.{argument} = {show_number(value)} "
                         f"is above the safety limit {high:g}")
            elif value < low:
                ctx.fire(f"bounds.{kind}", f"{ctx.call.name}.{argument} = {show_number(value)} "
                         f"is below the safety limit {low:g}")


def _require_motion_bounds(config: SafetyConfig, spec: ToolSpec) -> None:
    """ConfigError unless every numeric argument of motion tool ``spec`` has a gate bound with a
    max, and a min where the schema allows negative values (a distance, an angle)."""
    bounds = config.bounds.get(spec.name, {})
    for argument, prop in spec.parameters.get("properties", {}).items():
        if prop.get("type") not in ("number", "integer"):
            continue
        key = f"bounds.{spec.name}.{argument}"
        bound = bounds.get(argument)
        if bound is None:
            sides = "min and max" if _may_be_negative(prop) else "max"
            problem, fix = "no safety bound", f"add {key} with kind and {sides}"
        elif bound.max is None:
            key, problem, fix = f"{key}.max", "no max in its safety bound", f"add {key}.max"
        elif bound.min is None and _may_be_negative(prop):
            key, problem, fix = (f"{key}.min", "no min in its safety bound, and its schema "
                                 "allows negative values", f"add {key}.min")
        else:
            continue
        raise ConfigError(config_source(config), key,
                          f"{spec.name} moves the robot but its argument {argument!r} has "
                          f"{problem}; the tool's schema range is what the model may write, not a "
                          "safety limit", f"{fix}; the packaged safety.yaml shows how")


def _may_be_negative(prop: dict[str, Any]) -> bool:
    low = prop.get("minimum", prop.get("exclusiveMinimum"))
    return not isinstance(low, (int, float)) or low < 0


class RobotStateRule:
    """Motion is judged against the robot's pose and battery; refuse it when those are not finite
    or too old to describe the robot now (Nav2 collision monitor: stale input means stop)."""

    def __init__(self, config: SafetyConfig) -> None:
        self.max_age_s = config.robot_state.max_age_s

    def applies(self, spec: ToolSpec) -> bool:
        return spec.motion

    def check_step(self, ctx: StepContext) -> None:
        if ctx.spec is None or not ctx.spec.motion:
            return
        robot = ctx.plan.robot
        pose = robot.pose
        isfinite = math.isfinite
        if not (isfinite(pose.x) and isfinite(pose.y) and isfinite(pose.yaw)
                and isfinite(robot.battery) and isfinite(robot.stamp)):
            ctx.fire("state.invalid", "the robot state holds a value that is not a finite number")
            return
        age = ctx.plan.now - robot.stamp
        if abs(age) > self.max_age_s:
            ctx.fire("state.stale", f"the robot state is {age:.1f} s old; motion needs one newer "
                     f"than {self.max_age_s:g} s")


class ProvenanceRule:
    """Only an operator's instruction may move the robot: never text seen by the camera or
    returned by a tool, whatever it says."""

    def __init__(self, config: SafetyConfig) -> None:
        self.operator_sources = frozenset(config.provenance.operator_sources)

    def applies(self, spec: ToolSpec) -> bool:
        return spec.motion

    def check_step(self, ctx: StepContext) -> None:
        if ctx.spec is not None and ctx.spec.motion and ctx.plan.plan.source not in self.operator_sources:
            ctx.fire("provenance.motion", f"{ctx.spec.name} moves the robot but the plan came from "
                     f"{ctx.plan.plan.source.value!r}, not from an operator")


class BatteryRule:
    """Below the threshold only the exempt motion tools (going to charge) are allowed."""

    def __init__(self, config: SafetyConfig, registry: ToolRegistry) -> None:
        self.minimum = config.battery.min_for_motion
        for index, tool in enumerate(config.battery.exempt):
            require_tool(config, registry, tool, f"battery.exempt.{index}")
        self.exempt = frozenset(config.battery.exempt)

    def applies(self, spec: ToolSpec) -> bool:
        return spec.motion and spec.name not in self.exempt

    def check_step(self, ctx: StepContext) -> None:
        spec = ctx.spec
        if spec is None or not spec.motion or spec.name in self.exempt:
            return
        battery = ctx.plan.robot.battery
        if battery < self.minimum:
            ctx.fire("battery.low", f"battery at {battery:.0%} is below {self.minimum:.0%}; only "
                     f"{', '.join(sorted(self.exempt)) or 'no motion'} allowed")


class ConfirmationRule:
    """At or above the mode's risk threshold an operator must approve on the confirm channel."""

    def check_step(self, ctx: StepContext) -> None:
        spec = ctx.spec
        if spec is None or ctx.confirmed:
            return
        threshold = ctx.plan.mode.confirm_at
        if spec.risk.rank >= threshold.rank:
            ctx.fire("risk.confirmation", f"{spec.name} is {spec.risk.value} risk; {ctx.plan.mode_name} "
                     f"mode needs an operator's confirmation from {threshold.value}",
                     Decision.NEEDS_CONFIRMATION)


@rule_type("tool")
def _tool(config: SafetyConfig, registry: ToolRegistry) -> KnownToolRule:
    return KnownToolRule(registry)


@rule_type("mode")
def _mode(config: SafetyConfig, registry: ToolRegistry) -> ModeRule:
    return ModeRule(config, registry)


@rule_type("arguments")
def _arguments(config: SafetyConfig, registry: ToolRegistry) -> ArgumentsRule:
    return ArgumentsRule()


@rule_type("bounds")
def _bounds(config: SafetyConfig, registry: ToolRegistry) -> BoundsRule:
    return BoundsRule(config, registry)


@rule_type("robot_state")
def _robot_state(config: SafetyConfig, registry: ToolRegistry) -> RobotStateRule:
    return RobotStateRule(config)


@rule_type("provenance")
def _provenance(config: SafetyConfig, registry: ToolRegistry) -> ProvenanceRule:
    return ProvenanceRule(config)


@rule_type("battery")
def _battery(config: SafetyConfig, registry: ToolRegistry) -> BatteryRule:
    return BatteryRule(config, registry)


@rule_type("confirmation")
def _confirmation(config: SafetyConfig, registry: ToolRegistry) -> ConfirmationRule:
    return ConfirmationRule()
