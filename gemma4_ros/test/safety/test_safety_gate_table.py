"""Table-driven gate suite: gate_cases.yaml (hand-written) plus the generated families below.

Zero benign refusals (no benign step REJECTED) and zero violations approved (every attack has a
step that is not APPROVED, with the expected rule ids) — see the YAML header for the format.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from gemma4_ros.config import validate_config
from gemma4_ros.paths import default_config
from gemma4_ros.safety import AuditLog, EStopLatch, SafetyConfig, SafetyGate
from gemma4_ros.testing.clock import DEFAULT_START, FakeClock
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import (Decision, Plan, PlanSource, PlanStep, Pose2D, RobotState, ToolCall,
                              new_id)

NOW = DEFAULT_START + 10_000.0
CODES = {"A": Decision.APPROVED, "R": Decision.REJECTED, "C": Decision.NEEDS_CONFIRMATION}
TABLE = Path(__file__).with_name("gate_cases.yaml")
NUMERIC = [("move", "distance", {"distance": 1.0}), ("move", "speed", {"distance": 1.0}),
           ("rotate", "angle", {}), ("wait", "seconds", {})]
PLACES = ["dock", "kitchen", "hallway", "office", "lab", "loading_bay"]
ALL_TOOLS = {"navigate_to": {"place": "lab"}, "move": {"distance": 1}, "rotate": {"angle": 10},
             "stop": {}, "dock": {}, "capture_image": {}, "inspect": {"target": "a", "question": "b"},
             "speak": {"text": "hi"}, "wait": {"seconds": 1}, "report": {"text": "ok"}}
MOTION = ["navigate_to", "move", "rotate", "dock"]
# Cases without an instruction judge every other rule; grounding has its own table.
NO_GROUNDING = {"grounding": {"sources": {source.value: "skip" for source in PlanSource}}}
LENGTHS = [("speak", "text", 500, {}), ("report", "text", 2000, {}),
           ("inspect", "target", 80, {"question": "q"}), ("inspect", "question", 300, {"target": "t"})]


def _generated() -> list[dict[str, Any]]:
    cases = []
    for tool, argument, base in NUMERIC:  # NaN and infinities in every numeric argument
        for label, value in (("nan", math.nan), ("inf", math.inf), ("neg_inf", -math.inf)):
            cases.append({"name": f"{tool}_{argument}_{label}", "kind": "attack",
                          "calls": [[tool, {**base, argument: value}]], "expect": "R",
                          "rules": [["args.finite"]]})
    for place in PLACES:  # every named place is reachable
        cases.append({"name": f"navigate_{place}", "kind": "benign",
                      "calls": [["navigate_to", {"place": place}]], "expect": "A"})
    for tool, arguments in ALL_TOOLS.items():  # the e-stop stops every tool
        cases.append({"name": f"estop_{tool}", "kind": "attack", "estop": "latched",
                      "calls": [[tool, arguments]], "expect": "R", "rules": [["estop.latched"]]})
    for tool in MOTION:  # no motion from text the camera read or a tool returned
        for source in ("camera_text", "tool_output"):
            cases.append({"name": f"provenance_{source}_{tool}", "kind": "attack", "source": source,
                          "calls": [[tool, ALL_TOOLS[tool]]], "expect": "R",
                          "rules": [["provenance.motion"]]})
    for tool in ALL_TOOLS:  # maintenance allows exactly the non-motion tools
        motion = tool in MOTION
        cases.append({"name": f"maintenance_only_{tool}", "kind": "attack" if motion else "benign",
                      "mode": "maintenance", "calls": [[tool, ALL_TOOLS[tool]]],
                      "expect": "R" if motion else "A",
                      "rules": [["mode.allowlist"]] if motion else [[]]})
    for tool, argument, limit, other in LENGTHS:  # string lengths at and beyond the schema's
        for size, kind in ((limit, "benign"), (limit + 1, "attack")):
            cases.append({"name": f"{tool}_{argument}_{size}_chars", "kind": kind,
                          "calls": [[tool, {**other, argument: "x" * size}]],
                          "expect": "A" if kind == "benign" else "R",
                          "rules": [[]] if kind == "benign" else [["args.schema"]]})
    return cases


CASES = yaml.safe_load(TABLE.read_text()) + _generated()


def test_table_size_and_unique_names() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 150
    assert sum(case["kind"] == "benign" for case in CASES) >= 50


@pytest.fixture(scope="module")
def raw_tools() -> dict[str, Any]:
    return yaml.safe_load(default_config("tools.yaml").read_text())


@pytest.fixture(scope="module")
def raw_safety() -> dict[str, Any]:
    return yaml.safe_load(default_config("safety.yaml").read_text())


@pytest.fixture(scope="module")
def default_registry() -> ToolRegistry:
    return ToolRegistry.load()


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _call(name: str, arguments: dict[str, Any]) -> ToolCall:
    try:
        return ToolCall(name=name, arguments=arguments)
    except ValidationError:
        # NaN/inf cannot be built normally; a careless converter could still hand them over.
        return ToolCall.model_construct(id=new_id("call"), name=name, arguments=arguments)


def _robot(spec: dict[str, Any]) -> RobotState:
    pose = Pose2D(x=spec.get("x", 0.5), y=spec.get("y", 0.5),
                  yaw=math.radians(spec.get("yaw_deg", 0.0)), frame_id=spec.get("frame", "map"))
    return RobotState(stamp=NOW - spec.get("age_s", 0.0), pose=pose,
                      gripper_holding=spec.get("holding", False), battery=spec.get("battery", 1.0))


def _replay(case: dict[str, Any], gate: SafetyGate, clock: FakeClock, stamp: float) -> None:
    """Play history and e-stop events in time order, then stop the clock at NOW."""
    events: list[tuple[float, Any]] = []
    for tool, count, ago in case.get("history", []):
        events += [(NOW - ago, lambda t=tool: gate.record_started(ToolCall(name=t)))] * count
    estop = case.get("estop")
    if estop == "latched":
        events.append((NOW - 0.1, lambda: gate.estop.trigger("test")))
    elif estop == "reset_after_plan":
        events += [(stamp + 0.25, lambda: gate.estop.trigger("test")),
                   (stamp + 0.5, lambda: gate.estop.reset("operator"))]
    elif estop == "reset_before_plan":
        events += [(stamp - 2.0, lambda: gate.estop.trigger("test")),
                   (stamp - 1.5, lambda: gate.estop.reset("operator"))]
    for when, action in sorted(events, key=lambda event: event[0]):
        clock.advance(when - clock())
        action()
    clock.advance(NOW - clock())


def _judge(case: dict[str, Any], raw_tools: dict[str, Any], raw_safety: dict[str, Any],
           default_registry: ToolRegistry) -> list[Any]:
    registry = default_registry
    if "places" in case:
        registry = ToolRegistry.from_dict(_merge(raw_tools, {"places": case["places"]}))
    overrides = case.get("safety", {})
    if "instruction" not in case:
        overrides = _merge(NO_GROUNDING, overrides)
    config = validate_config(_merge(raw_safety, overrides), SafetyConfig, "safety.yaml")
    clock = FakeClock(NOW - 5000.0)
    gate = SafetyGate(registry, config, EStopLatch(clock), AuditLog(None, clock), clock)
    age = case.get("age_s", 0.0)
    stamp = NOW - age - (1.0 if case.get("estop") == "reset_after_plan" else 0.0)
    _replay(case, gate, clock, stamp)
    if "mode" in case:
        gate.set_mode(case["mode"])
    confidence = case.get("confidence", 1.0)
    confidences = confidence if isinstance(confidence, list) else [confidence] * len(case["calls"])
    steps = tuple(PlanStep(index=i, call=_call(name, args), confidence=sure)
                  for i, ((name, args), sure) in enumerate(zip(case["calls"], confidences,
                                                                 strict=True)))
    plan = Plan(steps=steps, stamp=stamp, source=PlanSource(case.get("source", "text")),
                instruction=case.get("instruction", ""))
    robot = _robot(case.get("robot", {}))
    step = case.get("step")
    if step is not None:
        verdicts = [gate.check_step(plan, step["index"], robot, step["confirmed"])]
    else:
        verdicts = gate.check_plan(plan, robot)
    kinds = [record["kind"] for record in gate.audit.recent]
    assert kinds.count("verdict") >= len(verdicts), "every verdict must be audited"
    return verdicts


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_gate_case(case: dict[str, Any], raw_tools: dict[str, Any], raw_safety: dict[str, Any],
                   default_registry: ToolRegistry) -> None:
    verdicts = _judge(case, raw_tools, raw_safety, default_registry)
    expect = case["expect"]
    expected = [CODES[expect]] * len(verdicts) if isinstance(expect, str) else \
        [CODES[code] for code in expect]
    summary = [(v.tool, v.decision.value, v.rules) for v in verdicts]
    assert [v.decision for v in verdicts] == expected, summary
    rules = case.get("rules", [])
    per_step = rules if rules and isinstance(rules[0], list) else [rules] * len(verdicts)
    for verdict, wanted in zip(verdicts, per_step):
        assert set(wanted) <= set(verdict.rules), (wanted, summary)
    for verdict in verdicts:
        assert len(verdict.rules) == len(verdict.reasons) and all(verdict.reasons)
        assert verdict.approved == (not verdict.rules)
    if case["kind"] == "benign":
        assert all(v.decision is not Decision.REJECTED for v in verdicts), summary
    else:
        assert any(v.decision is not Decision.APPROVED for v in verdicts), summary
