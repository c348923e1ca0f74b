"""The gate never raises and never fails internally on any call: fuzzed with what once broke it
(an integer of 400 digits whose reason could not be formatted, arguments nested 1,000 deep) and
what could (integers past 4,300 digits, NaN and infinity, lone surrogates, keys that are not
strings). A failure inside a rule is refused as ``gate.internal_error`` — fail safe, but a sign
of a rule that cannot judge its input; here no input may reach it."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gemma4_ros.safety import AuditLog, EStopLatch, SafetyConfig, SafetyGate
from gemma4_ros.safety.gate import INTERNAL_ERROR
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import Decision, Plan, PlanSource, Pose2D, RobotState, ToolCall

REGISTRY = ToolRegistry.load()
CONFIG = SafetyConfig.load()
NOW = 1_000_000.0
SURROGATES = st.characters(categories=["Cs"])


def _nested(depth: int) -> list[Any]:
    """A list nested ``depth`` deep, built without recursion."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


NUMBERS = st.one_of(
    st.integers(), st.floats(),  # floats include NaN and both infinities
    st.integers(min_value=300, max_value=6000).map(lambda n: 10 ** n),  # too big for a float
    st.integers(min_value=300, max_value=6000).map(lambda n: -(10 ** n) + 1),
)
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=6),
                   st.text(SURROGATES, min_size=1, max_size=2),
                   st.integers(min_value=0, max_value=3000).map(_nested))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=3)),
    max_leaves=12)
ARGUMENT_NAMES = st.one_of(st.sampled_from(["distance", "speed", "angle", "place", "seconds",
                                            "text", "target", "question"]),
                           st.text(max_size=4), st.text(SURROGATES, min_size=1, max_size=1))
ARGUMENTS = st.dictionaries(ARGUMENT_NAMES, VALUES, max_size=4)
NAMES = st.one_of(st.sampled_from(REGISTRY.names), st.text(min_size=1, max_size=8))
CALLS = st.builds(lambda name, arguments: ToolCall.model_construct(
    id="call", name=name, arguments=arguments), NAMES, ARGUMENTS)
COORDINATES = st.one_of(st.floats(-50, 50), st.sampled_from([math.nan, math.inf, -math.inf]))
ROBOTS = st.builds(
    lambda x, y, yaw, battery, age: RobotState.model_construct(
        stamp=NOW - age, pose=Pose2D.model_construct(x=x, y=y, yaw=yaw, frame_id="map"),
        gripper_holding=False, battery=battery),
    COORDINATES, COORDINATES, COORDINATES, st.floats(0.0, 1.0), st.floats(0.0, 3.0))


def _gate(audit: bool) -> SafetyGate:
    clock = FakeClock(NOW)
    return SafetyGate(REGISTRY, CONFIG, EStopLatch(clock), AuditLog(None, clock) if audit else None,
                      clock)


def _plan(calls: list[ToolCall], source: PlanSource = PlanSource.TEXT) -> Plan:
    return Plan.from_calls(calls, stamp=NOW, instruction="fuzz", source=source)


def _assert_judged(verdicts: list[Any], calls: list[ToolCall]) -> None:
    assert len(verdicts) == len(calls)
    for verdict, call in zip(verdicts, calls):
        assert INTERNAL_ERROR not in verdict.rules, verdict.reasons
        assert len(verdict.rules) == len(verdict.reasons)
        if verdict.decision is Decision.APPROVED:  # only a known tool with valid arguments
            assert REGISTRY.problems(call.name, call.arguments) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(CALLS, max_size=4), ROBOTS, st.sampled_from(list(PlanSource)))
@example([ToolCall.model_construct(id="c", name="move", arguments={"distance": 10 ** 400})],
         RobotState.model_construct(stamp=NOW, pose=Pose2D(x=0.5, y=0.5), gripper_holding=False,
                                    battery=1.0), PlanSource.TEXT)
def test_gate_judges_any_plan_without_internal_error(calls: list[ToolCall], robot: RobotState,
                                                     source: PlanSource) -> None:
    gate = _gate(audit=False)
    verdicts = gate.check_plan(_plan(calls, source), robot)
    _assert_judged(verdicts, calls)
    for index in range(len(calls)):
        step = gate.check_step(_plan(calls, source), index, robot, confirmed=True)
        assert INTERNAL_ERROR not in step.rules, step.reasons


@settings(max_examples=100, deadline=None)
@given(st.lists(CALLS, min_size=1, max_size=3), ROBOTS)
def test_gate_with_audit_never_raises(calls: list[ToolCall], robot: RobotState) -> None:
    # The audit log may refuse to write what it cannot encode (then the call is refused too);
    # the gate still answers every step and never raises.
    verdicts = _gate(audit=True).check_plan(_plan(calls), robot)
    assert len(verdicts) == len(calls)
    assert all(v.decision in Decision for v in verdicts)


@pytest.mark.parametrize("value, fragment", [
    (10 ** 400, "move.distance = a 401-digit number is above the safety limit 3"),
    (-(10 ** 5000), "move.distance = -a 5001-digit number is below the safety limit -3"),
], ids=["401_digits", "minus_5001_digits"])  # pytest cannot print the numbers either
def test_huge_number_is_refused_naming_the_argument(value: int, fragment: str) -> None:
    call = ToolCall.model_construct(id="c", name="move", arguments={"distance": value})
    robot = RobotState(stamp=NOW, pose=Pose2D(x=0.5, y=0.5))
    verdict = _gate(audit=False).check_plan(_plan([call]), robot)[0]
    assert verdict.decision is Decision.REJECTED and "bounds.distance" in verdict.rules
    assert INTERNAL_ERROR not in verdict.rules and fragment in verdict.reasons


@pytest.mark.parametrize("arguments, fragment", [
    ({"distance": _nested(1000)}, "nested deeper than 32 levels"),
    ({"distance": 1, "speed": "\ud800"}, "not valid Unicode"),
    ({"distance": 1, 7: 2}, "not plain JSON values"),
])
def test_unjudgeable_arguments_are_schema_refusals(arguments: dict[Any, Any],
                                                   fragment: str) -> None:
    call = ToolCall.model_construct(id="c", name="move", arguments=arguments)
    robot = RobotState(stamp=NOW, pose=Pose2D(x=0.5, y=0.5))
    verdict = _gate(audit=False).check_plan(_plan([call]), robot)[0]
    assert verdict.rules == ("args.schema",) and fragment in verdict.reasons[0]


@pytest.mark.slow
@settings(max_examples=5_000, deadline=None)
@given(st.lists(CALLS, max_size=4), ROBOTS, st.sampled_from(list(PlanSource)))
def test_gate_judges_any_plan_long(calls: list[ToolCall], robot: RobotState,
                                   source: PlanSource) -> None:
    _assert_judged(_gate(audit=False).check_plan(_plan(calls, source), robot), calls)
