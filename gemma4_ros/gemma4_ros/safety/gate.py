"""The safety gate: the one place that decides whether a tool call may run.

Deterministic and model-free: it judges typed calls against the registry and the policies of
safety.yaml, never waits on the planner, and never raises to its caller. Any exception inside a
rule becomes a REJECTED verdict with rule id ``gate.internal_error`` (fail safe), and every
decision is written to the audit log. The most restrictive finding wins:
REJECTED > NEEDS_CONFIRMATION > APPROVED.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.safety.audit import AuditLog
from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.safety.estop import EStopLatch
from gemma4_ros.safety.history import History
from gemma4_ros.safety.rule import (
    SEVERITY, Finding, PlanContext, PlanRule, Pose, StepContext, StepRule, build_rules,
)
from gemma4_ros.safety.simulate import end_pose, start_pose
from gemma4_ros.tools import ToolRegistry, ToolSpec
from gemma4_ros.types import Decision, Plan, RobotState, SafetyVerdict, ToolCall

# Importing the rule modules registers their rule types (see rule.rule_type).
from gemma4_ros.safety import rules_call, rules_geofence, rules_history, rules_plan  # noqa: E402,F401,I001
from gemma4_ros.safety import rules_grounding  # noqa: E402,F401,I001
from gemma4_ros.safety import rules_confidence  # noqa: E402,F401,I001

log = logging.getLogger(__name__)

INTERNAL_ERROR = "gate.internal_error"


class UnknownModeError(Gemma4RosError):
    """A mode that safety.yaml does not declare."""

    def __init__(self, mode: str, modes: list[str]) -> None:
        super().__init__(f"unknown operating mode {mode!r}; modes are: {', '.join(modes)}",
                         "use one of the modes declared in safety.yaml")


class SafetyGate:
    """Judges plans and single steps; counts started calls for rate and sequence rules."""

    def __init__(self, registry: ToolRegistry, config: SafetyConfig, estop: EStopLatch,
                 audit: AuditLog | None = None, clock: Callable[[], float] = time.time) -> None:
        self.registry = registry
        self.config = config
        self.estop = estop
        self.audit = audit
        self._clock = clock
        rules = build_rules(config, registry)
        self._plan_rules: list[PlanRule] = [r for r in rules if hasattr(r, "check_plan")]
        self._step_rules: list[StepRule] = [r for r in rules if hasattr(r, "check_step")]
        self._rules_for = {spec.name: [r for r in self._step_rules if _applies(r, spec)]
                           for spec in registry.tools}
        self._history = History(config, registry)
        self._frame = config.geofence.frame if config.geofence is not None else registry.frame
        self._mode = config.initial_mode
        self._mode_lock = threading.Lock()

    @classmethod
    def from_files(cls, tools: str | Path | None = None, safety: str | Path | None = None,
                   estop: EStopLatch | None = None, audit: AuditLog | None = None,
                   clock: Callable[[], float] = time.time) -> SafetyGate:
        """A gate from tools.yaml and safety.yaml (None: the packaged defaults)."""
        return cls(ToolRegistry.load(tools), SafetyConfig.load(safety),
                   estop if estop is not None else EStopLatch(clock), audit, clock)

    @property
    def confirmation_timeout_s(self) -> float:
        """How long the executor waits for an operator; no answer in time is a refusal."""
        return self.config.confirmation.timeout_s

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        """Switch the operating mode (e.g. to maintenance, which allows no motion)."""
        if mode not in self.config.modes:
            raise UnknownModeError(mode, list(self.config.modes))
        with self._mode_lock:
            previous, self._mode = self._mode, mode
        if self.audit is not None:
            self.audit.record("mode", mode=mode, previous=previous)

    def record_started(self, call: ToolCall) -> None:
        """Count a call that has just started (rate limits, forbidden sequences)."""
        self._history.record(call.name, self._clock())

    def check_plan(self, plan: Plan, robot: RobotState) -> list[SafetyVerdict]:
        """One verdict per step, judged in order on the simulated chain of poses."""
        now = self._clock()
        try:
            verdicts = self._judge_plan(plan, robot, now)
        except Exception as error:  # fail safe: refuse everything, say why
            log.exception("safety gate failed on plan")
            verdicts = [_rejected(plan, i, now, error) for i in range(_step_count(plan))]
        return self._audited(verdicts, now, plan, {"plan": plan, "robot": robot, "mode": self._mode})

    def check_step(self, plan: Plan, index: int, robot: RobotState,
                   confirmed: bool = False) -> SafetyVerdict:
        """Re-check step ``index`` just before it runs, against the robot as it is now.
        ``confirmed`` means an operator approved it on the confirm channel."""
        now = self._clock()
        try:
            context = self._plan_context(plan, robot, now, recheck=True)
            step = plan.steps[index]
            start = start_pose(robot, self._frame)
            verdict = self._judge_step(context, step.index, step.call, start, {}, 0,
                                       context.history.armed, confirmed)[0]
        except Exception as error:
            log.exception("safety gate failed on step %s", index)
            verdict = _rejected(plan, index, now, error)
        return self._audited([verdict], now, plan)[0]

    def _judge_plan(self, plan: Plan, robot: RobotState, now: float) -> list[SafetyVerdict]:
        context = self._plan_context(plan, robot, now, recheck=False)
        pose = start_pose(robot, self._frame)
        earlier: dict[str, int] = {}
        armed = context.history.armed
        advance = self._history.sequences.advance
        verdicts = []
        for count, step in enumerate(plan.steps):
            name = step.call.name
            verdict, pose = self._judge_step(context, step.index, step.call, pose, earlier, count,
                                             armed, False)
            verdicts.append(verdict)
            earlier[name] = earlier.get(name, 0) + 1
            armed = advance(armed, name)
        return verdicts

    def _plan_context(self, plan: Plan, robot: RobotState, now: float,
                      recheck: bool) -> PlanContext:
        mode = self._mode
        context = PlanContext(plan, robot, now, mode, self.config.modes[mode], self.estop.latched,
                              self.estop.latched_at, self._history.snapshot(now), recheck)
        for rule in self._plan_rules:
            try:
                rule.check_plan(context)
            except Exception as error:
                context.fire(INTERNAL_ERROR, _failure(rule, error))
        return context

    def _judge_step(self, context: PlanContext, index: int, call: ToolCall, start: Pose | None,
                    earlier: dict[str, int], earlier_total: int, armed: tuple[bool, ...],
                    confirmed: bool) -> tuple[SafetyVerdict, Pose | None]:
        """The verdict on one call and the pose after it (None when unknown)."""
        registry = self.registry
        spec = registry.find(call.name)
        problems = registry.problems(call.name, call.arguments) if spec is not None else []
        if spec is not None and not spec.motion:
            end = start
        elif problems:
            end = None
        else:
            end = end_pose(spec, call.arguments, start, registry.places)
        step = StepContext(context, index, call, spec, start, end, problems, earlier,
                           earlier_total, armed, confirmed)
        for rule in self._rules_for.get(call.name, self._step_rules):
            try:
                rule.check_step(step)
            except Exception as error:
                step.fire(INTERNAL_ERROR, _failure(rule, error))
        findings = context.findings + step.findings if context.findings else step.findings
        return _verdict(context, index, call.name, findings), end

    def _audited(self, verdicts: list[SafetyVerdict], now: float, plan: Plan,
                 plan_record: dict[str, object] | None = None) -> list[SafetyVerdict]:
        """Write the decision down (with the plan on a first check); a decision that cannot be
        audited is refused."""
        if self.audit is None:
            return verdicts
        try:
            if plan_record is not None:
                self.audit.record("plan", **plan_record)
            for verdict in verdicts:
                self.audit.record("verdict", verdict=verdict, recheck=plan_record is None)
        except Exception as error:
            log.exception("audit log failed")
            return [_rejected(plan, v.step_index, now, error, "audit log failed") for v in verdicts]
        return verdicts


def _verdict(context: PlanContext, index: int, tool: str, findings: list[Finding]) -> SafetyVerdict:
    decision = Decision.APPROVED
    for finding in findings:
        if SEVERITY[finding.decision] > SEVERITY[decision]:
            decision = finding.decision
    return SafetyVerdict(stamp=context.now, plan_id=context.plan.plan_id, step_index=index,
                         tool=tool, decision=decision, rules=tuple(f.rule for f in findings),
                         reasons=tuple(f.reason for f in findings))


def _rejected(plan: Plan, index: int, now: float, error: BaseException,
              what: str = "the safety gate failed") -> SafetyVerdict:
    try:
        tool = plan.steps[index].call.name
    except Exception:
        tool = ""
    return SafetyVerdict(stamp=now, plan_id=getattr(plan, "plan_id", ""),
                         step_index=index if isinstance(index, int) and index >= 0 else 0,
                         tool=tool, decision=Decision.REJECTED, rules=(INTERNAL_ERROR,),
                         reasons=(f"{what}: {type(error).__name__}: {error}",))


def _applies(rule: StepRule, spec: ToolSpec) -> bool:
    applies = getattr(rule, "applies", None)
    return True if applies is None else bool(applies(spec))


def _step_count(plan: object) -> int:
    """How many refusals a broken check owes: one per step, at least one."""
    try:
        return max(len(plan.steps), 1)  # type: ignore[attr-defined]
    except Exception:
        return 1


def _failure(rule: object, error: Exception) -> str:
    return f"rule {type(rule).__name__} failed: {type(error).__name__}: {error}"
