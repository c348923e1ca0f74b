"""Policies over what has run before: rate limits and forbidden sequences."""

from __future__ import annotations

from gemma4_ros.errors import ConfigError
from gemma4_ros.safety.config import SafetyConfig, SequenceRule, config_source
from gemma4_ros.safety.history import HistorySnapshot
from gemma4_ros.safety.rule import StepContext, rule_type
from gemma4_ros.safety.rules_call import require_tool
from gemma4_ros.tools import ToolRegistry, ToolSpec


class RateRule:
    """At most N started calls per sliding window, per tool and overall; a plan's own earlier steps
    count as if they had started now."""

    def __init__(self, config: SafetyConfig, registry: ToolRegistry) -> None:
        limits = config.rate_limits
        for tool in limits.tools:
            require_tool(config, registry, tool, f"rate_limits.tools.{tool}")
        self.global_limit = limits.global_
        self.tool_limits = dict(limits.tools)

    def check_step(self, ctx: StepContext) -> None:
        history: HistorySnapshot = ctx.plan.history
        total = history.total + ctx.earlier_total + 1
        if total > self.global_limit.max_calls:
            ctx.fire("rate.global", f"{total} calls within {self.global_limit.window_s:g} s; at most "
                     f"{self.global_limit.max_calls} are allowed")
        name = ctx.call.name
        limit = self.tool_limits.get(name)
        if limit is not None:
            count = history.per_tool[name] + ctx.earlier.get(name, 0) + 1
            if count > limit.max_calls:
                ctx.fire("rate.tool", f"{count} calls of {name} within {limit.window_s:g} s; at "
                         f"most {limit.max_calls} are allowed")


class SequenceRuleCheck:
    """Configured forbidden sequences: tools refused while the gripper holds something, or after a
    tool with none of the clearing tools since."""

    def __init__(self, config: SafetyConfig, registry: ToolRegistry) -> None:
        motion = frozenset(t.name for t in registry.tools if t.motion)
        self.rules = []
        for index, rule in enumerate(config.sequences):
            key = f"sequences.{index}"
            tools = motion if rule.tools == "motion" else frozenset(rule.tools)
            for tool in sorted(tools):
                require_tool(config, registry, tool, f"{key}.tools")
            for tool in ([rule.after] if rule.after else []) + rule.unless_between:
                require_tool(config, registry, tool, f"{key}.after/unless_between")
            if not tools:
                raise ConfigError(config_source(config), f"{key}.tools", "no tools to forbid",
                                  "list tools, or write `tools: motion`")
            self.rules.append((index, rule, tools))

    def applies(self, spec: ToolSpec) -> bool:
        return any(spec.name in tools for _, _, tools in self.rules)

    def check_step(self, ctx: StepContext) -> None:
        name = ctx.call.name
        for index, rule, tools in self.rules:
            if name not in tools:
                continue
            if rule.while_holding and ctx.plan.robot.gripper_holding:
                ctx.fire("sequence.forbidden", _reason(rule, f"{name} is forbidden while the "
                                                       "gripper holds something"))
            elif rule.after and ctx.armed[index]:
                between = " or ".join(rule.unless_between) or "nothing"
                ctx.fire("sequence.forbidden", _reason(rule, f"{name} is forbidden after "
                                                       f"{rule.after} unless {between} runs first"))


def _reason(rule: SequenceRule, default: str) -> str:
    return f"{rule.reason or default} ({rule.name})"


@rule_type("rate")
def _rate(config: SafetyConfig, registry: ToolRegistry) -> RateRule:
    return RateRule(config, registry)


@rule_type("sequence")
def _sequence(config: SafetyConfig, registry: ToolRegistry) -> SequenceRuleCheck | None:
    return SequenceRuleCheck(config, registry) if config.sequences else None
