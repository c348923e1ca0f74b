"""Gate behaviour beyond the case table: fail-safe on internal errors, modes, history, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gemma4_ros.safety import AuditLog, EStopLatch, SafetyConfig, SafetyGate, UnknownModeError, read_audit
from gemma4_ros.safety.rules_call import ArgumentsRule
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import Decision, Plan, PlanStep, RobotState, Pose2D, ToolCall


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def gate(clock: FakeClock) -> SafetyGate:
    return SafetyGate(ToolRegistry.load(), SafetyConfig.load(), EStopLatch(clock), AuditLog(None, clock),
                      clock)


def _plan(clock: FakeClock, *calls: tuple[str, dict[str, Any]], instruction: str = "",
          confidence: float | None = 1.0) -> Plan:
    """A text plan whose model was sure of every call (these tests are about the other rules)."""
    steps = tuple(PlanStep(index=i, call=ToolCall(name=n, arguments=a), confidence=confidence)
                  for i, (n, a) in enumerate(calls))
    return Plan(steps=steps, stamp=clock(), instruction=instruction)


def _robot(clock: FakeClock) -> RobotState:
    return RobotState(stamp=clock(), pose=Pose2D(x=0.5, y=0.5))


def test_rule_exception_rejects_with_internal_error(gate: SafetyGate, clock: FakeClock,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: ArgumentsRule, ctx: object) -> None:
        raise ZeroDivisionError("bad rule")

    monkeypatch.setattr(ArgumentsRule, "check_step", explode)
    verdicts = gate.check_plan(_plan(clock, ("speak", {"text": "hi"})), _robot(clock))
    assert verdicts[0].decision is Decision.REJECTED
    assert verdicts[0].rules == ("gate.internal_error",)
    assert "ZeroDivisionError: bad rule" in verdicts[0].reasons[0]


@pytest.mark.parametrize("plan, robot", [(None, "robot"), ("plan", None), ("not a plan", 3)])
def test_garbage_input_is_rejected_not_raised(gate: SafetyGate, clock: FakeClock, plan: Any,
                                              robot: Any) -> None:
    plan = _plan(clock, ("move", {"distance": 1})) if plan == "plan" else plan
    robot = _robot(clock) if robot == "robot" else robot
    verdicts = gate.check_plan(plan, robot)
    assert verdicts and all(v.decision is Decision.REJECTED for v in verdicts)
    assert all("gate.internal_error" in v.rules for v in verdicts)


def test_check_step_out_of_range(gate: SafetyGate, clock: FakeClock) -> None:
    verdict = gate.check_step(_plan(clock, ("stop", {})), 5, _robot(clock))
    assert verdict.decision is Decision.REJECTED and verdict.rules == ("gate.internal_error",)


def test_empty_plan_has_no_verdicts(gate: SafetyGate, clock: FakeClock) -> None:
    assert gate.check_plan(Plan(stamp=clock()), _robot(clock)) == []


def test_modes(gate: SafetyGate, clock: FakeClock) -> None:
    with pytest.raises(UnknownModeError, match="maintenance"):
        gate.set_mode("party")
    gate.set_mode("maintenance")
    assert gate.mode == "maintenance"
    assert gate.audit is not None and gate.audit.recent[-1]["kind"] == "mode"
    plan = _plan(clock, ("move", {"distance": 1}), instruction="move 1 m")
    assert gate.check_plan(plan, _robot(clock))[0].rules == ("mode.allowlist",)
    gate.set_mode("normal")
    assert gate.check_plan(plan, _robot(clock))[0].approved


def test_rate_window_slides_with_recorded_starts(gate: SafetyGate, clock: FakeClock) -> None:
    for _ in range(10):
        gate.record_started(ToolCall(name="speak", arguments={"text": "x"}))
    clock.advance(1.0)
    plan = _plan(clock, ("speak", {"text": "again"}))
    assert gate.check_plan(plan, _robot(clock))[0].rules == ("rate.tool",)
    clock.advance(60.0)
    plan = _plan(clock, ("speak", {"text": "again"}))
    assert gate.check_plan(plan, _robot(clock))[0].approved


def test_estop_voids_then_new_plans_pass(gate: SafetyGate, clock: FakeClock) -> None:
    old = _plan(clock, ("move", {"distance": 1}), instruction="move 1 m")
    clock.advance(0.5)
    gate.estop.trigger("button")
    assert gate.check_plan(old, _robot(clock))[0].rules == ("estop.latched", "plan.before_estop")
    gate.estop.reset("alice")
    assert gate.check_step(old, 0, _robot(clock), confirmed=True).rules == ("plan.before_estop",)
    clock.advance(0.5)
    new = _plan(clock, ("move", {"distance": 1}), instruction="move 1 m")
    assert gate.check_plan(new, _robot(clock))[0].approved


def test_recheck_uses_the_current_pose(gate: SafetyGate, clock: FakeClock) -> None:
    plan = _plan(clock, ("move", {"distance": 2}), instruction="move 2 m")
    assert gate.check_plan(plan, _robot(clock))[0].approved
    near_wall = RobotState(stamp=clock(), pose=Pose2D(x=18.5, y=0.5))
    verdict = gate.check_step(plan, 0, near_wall)
    assert verdict.rules == ("geofence.keep_in",)


def test_decisions_are_audited_to_disk(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, clock) as audit:
        gate = SafetyGate(ToolRegistry.load(), SafetyConfig.load(), EStopLatch(clock), audit, clock)
        plan = _plan(clock, ("navigate_to", {"place": "lab"}), ("fly", {}))
        gate.check_plan(plan, _robot(clock))
        gate.check_step(plan, 0, _robot(clock))
    records = read_audit(path).records
    assert [r["kind"] for r in records] == ["plan", "verdict", "verdict", "verdict"]
    assert records[0]["plan"]["plan_id"] == plan.plan_id and records[0]["mode"] == "normal"
    assert records[2]["verdict"]["rules"] == ["tool.unknown"]
    assert [r["recheck"] for r in records[1:]] == [False, False, True]


def test_audit_failure_refuses(clock: FakeClock) -> None:
    audit = AuditLog(None, clock)
    audit.close()

    def broken(kind: str, **fields: object) -> None:
        raise OSError("disk full")

    audit.record = broken  # type: ignore[method-assign]
    gate = SafetyGate(ToolRegistry.load(), SafetyConfig.load(), EStopLatch(clock), audit, clock)
    verdict = gate.check_plan(_plan(clock, ("stop", {})), _robot(clock))[0]
    assert verdict.decision is Decision.REJECTED and "audit log failed" in verdict.reasons[0]


def test_from_files_uses_packaged_defaults() -> None:
    gate = SafetyGate.from_files()
    assert gate.registry.names[0] == "navigate_to" and gate.mode == "normal"


def test_rules_come_from_the_type_registry() -> None:
    from gemma4_ros.safety.rule import RULE_TYPES, rule_type

    assert list(RULE_TYPES) == ["tool", "mode", "arguments", "bounds", "robot_state", "provenance",
                                "battery", "confirmation", "geofence", "rate", "sequence",
                                "estop", "plan_limits", "grounding", "confidence"]
    with pytest.raises(ValueError, match="registered twice"):
        rule_type("geofence")(lambda config, registry: None)


def test_policies_switched_off_build_no_rule(clock: FakeClock) -> None:
    # No fence on purpose, no sequences; a motion tool's bounds cannot be switched off.
    config = SafetyConfig.model_validate({"modes": {"normal": {}}, "geofence": "none",
                                          "bounds": SafetyConfig.load().bounds})
    gate = SafetyGate(ToolRegistry.load(), config, EStopLatch(clock), None, clock)
    names = {type(rule).__name__ for rule in gate._step_rules}
    assert "GeofenceRule" not in names and "SequenceRuleCheck" not in names
    far = RobotState(stamp=clock(), pose=Pose2D(x=1000.0, y=0.0))
    plan = _plan(clock, ("move", {"distance": 1}), instruction="move 1 m")
    assert gate.check_plan(plan, far)[0].approved
