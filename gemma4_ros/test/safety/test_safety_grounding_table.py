"""Table-driven grounding suite: grounding_cases.yaml, hand-written (instruction, calls, decision)
cases judged by the whole gate; see the YAML header for the format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gemma4_ros.safety import AuditLog, EStopLatch, SafetyConfig, SafetyGate
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import (Decision, Plan, PlanSource, PlanStep, Pose2D, RobotState,
                              ToolCall)

CODES = {"A": Decision.APPROVED, "R": Decision.REJECTED, "C": Decision.NEEDS_CONFIRMATION}
RULE = "plan.ungrounded"
CASES = yaml.safe_load(Path(__file__).with_name("grounding_cases.yaml").read_text())
ISSUE_WRONG = ["wall_full_speed_kitchen", "ten_meters_as_tenth", "rotate_720_as_72",
               "go_charge_kitchen", "meter_as_2_5_then_left", "tenth_second_as_ten",
               "coffee_as_wait"]


@pytest.fixture(scope="module")
def gate_parts() -> tuple[ToolRegistry, SafetyConfig]:
    return ToolRegistry.load(), SafetyConfig.load()


def _judge(case: dict[str, Any], parts: tuple[ToolRegistry, SafetyConfig]) -> list[Any]:
    clock = FakeClock()
    gate = SafetyGate(*parts, EStopLatch(clock), AuditLog(None, clock), clock)
    # A model sure of every call: the cases are about the operator's words, not its confidence.
    steps = tuple(PlanStep(index=i, call=ToolCall(name=name, arguments=arguments), confidence=1.0)
                  for i, (name, arguments) in enumerate(case["calls"]))
    plan = Plan(steps=steps, instruction=case["instruction"], stamp=clock(),
                source=PlanSource(case.get("source", "text")))
    robot = RobotState(stamp=clock(), pose=Pose2D(x=10.0, y=5.5))
    return gate.check_plan(plan, robot)


def test_table_size_unique_names_and_the_issue_examples() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)) and len(CASES) >= 60
    assert set(ISSUE_WRONG) <= set(names)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_grounding_case(case: dict[str, Any],
                        gate_parts: tuple[ToolRegistry, SafetyConfig]) -> None:
    verdicts = _judge(case, gate_parts)
    expect = case["expect"]
    codes = [expect] * len(verdicts) if isinstance(expect, str) else expect
    summary = [(v.tool, v.decision.value, v.rules, v.reasons) for v in verdicts]
    assert [v.decision for v in verdicts] == [CODES[code] for code in codes], summary
    rules = case.get("rules", [[]] * len(verdicts))
    for verdict, code, wanted in zip(verdicts, codes, rules, strict=True):
        assert set(wanted) <= set(verdict.rules), summary
        assert (RULE in verdict.rules) == (code == "C" or RULE in wanted), summary


def test_every_wrong_motion_of_the_issue_is_caught(
        gate_parts: tuple[ToolRegistry, SafetyConfig]) -> None:
    by_name = {case["name"]: case for case in CASES}
    for name in ISSUE_WRONG:
        verdicts = _judge(by_name[name], gate_parts)
        assert any(v.decision is Decision.NEEDS_CONFIRMATION and RULE in v.rules
                   for v in verdicts), name
