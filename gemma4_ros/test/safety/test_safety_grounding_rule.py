"""plan.ungrounded at the gate: its rule id and reasons, its configuration per source, tool and
argument, and the start-up errors of a malformed grounding section."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gemma4_ros.config import validate_config
from gemma4_ros.errors import ConfigError
from gemma4_ros.paths import default_config
from gemma4_ros.safety import EStopLatch, SafetyConfig, SafetyGate
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import (Decision, Plan, PlanSource, PlanStep, Pose2D, RobotState,
                              SafetyVerdict, ToolCall)

RULE = "plan.ungrounded"
Call = tuple[str, dict[str, Any]]


@pytest.fixture(scope="module")
def raw_safety() -> dict[str, Any]:
    return yaml.safe_load(default_config("safety.yaml").read_text())


@pytest.fixture(scope="module")
def raw_tools() -> dict[str, Any]:
    return yaml.safe_load(default_config("tools.yaml").read_text())


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _gate(raw_safety: dict[str, Any], override: dict[str, Any] | None = None,
          registry: ToolRegistry | None = None) -> tuple[SafetyGate, FakeClock]:
    config = validate_config(_merge(raw_safety, override or {}), SafetyConfig, "safety.yaml")
    clock = FakeClock()
    return SafetyGate(registry or ToolRegistry.load(), config, EStopLatch(clock), None,
                      clock), clock


def _judge(gate: SafetyGate, clock: FakeClock, instruction: str, *calls: Call,
           source: PlanSource = PlanSource.TEXT) -> list[SafetyVerdict]:
    # A model sure of every call: these tests are about the operator's words.
    steps = tuple(PlanStep(index=i, call=ToolCall(name=n, arguments=a), confidence=1.0)
                  for i, (n, a) in enumerate(calls))
    plan = Plan(steps=steps, stamp=clock(), instruction=instruction, source=source)
    return gate.check_plan(plan, RobotState(stamp=clock(), pose=Pose2D(x=10.0, y=5.5)))


def test_reason_names_the_value_and_the_words(raw_safety: dict[str, Any]) -> None:
    gate, clock = _gate(raw_safety)
    verdict = _judge(gate, clock, "go forward 10 meters", ("move", {"distance": 0.1}))[0]
    assert verdict.decision is Decision.NEEDS_CONFIRMATION and verdict.rules == (RULE,)
    assert verdict.reasons == ("distance 0.1 is not in 'go forward 10 meters' (it says 10 meters "
                               "→ 10)",)


def test_reasons_for_places_signs_and_repeats(raw_safety: dict[str, Any]) -> None:
    gate, clock = _gate(raw_safety)
    place = _judge(gate, clock, "your battery is low, go charge",
                   ("navigate_to", {"place": "kitchen"}))
    assert place[0].reasons == ("place kitchen is not in 'your battery is low, go charge' (it is "
                                "named: kitchen, kitchenette, break room)",)
    sign = _judge(gate, clock, "back up 1 m", ("move", {"distance": 1}))
    assert sign[0].reasons == ("distance 1 is not in 'back up 1 m' (it says 1 m → -1)",)
    twice = _judge(gate, clock, "go forward 2 meters", ("move", {"distance": 2}),
                   ("move", {"distance": 2}))
    assert twice[0].approved and twice[1].reasons == (
        "distance 2 is said in 'go forward 2 meters' fewer times than the plan uses it",)
    both = _judge(gate, clock, "go", ("move", {"distance": 2, "speed": 0.5}))
    assert both[0].rules == (RULE,) and both[0].reasons[0].count(" is not in 'go'") == 2


def test_long_instructions_are_quoted_short(raw_safety: dict[str, Any]) -> None:
    gate, clock = _gate(raw_safety)
    words = "please, if you would be so kind, " * 10 + "wait a moment"
    reason = _judge(gate, clock, words, ("wait", {"seconds": 5}))[0].reasons[0]
    assert "…'" in reason and len(reason) < 120


def test_no_instruction_cannot_be_checked(raw_safety: dict[str, Any]) -> None:
    gate, clock = _gate(raw_safety)
    verdict = _judge(gate, clock, "  ", ("rotate", {"angle": 90}))[0]
    assert verdict.reasons == ("angle 90 cannot be checked: the plan carries no instruction",)


def test_voice_has_no_transcript_and_is_confirmed(raw_safety: dict[str, Any]) -> None:
    gate, clock = _gate(raw_safety)
    voice = PlanSource.VOICE
    verdicts = _judge(gate, clock, "go to the kitchen", ("navigate_to", {"place": "kitchen"}),
                      ("speak", {"text": "hi"}), ("wait", {"seconds": 1}), source=voice)
    assert [v.decision for v in verdicts] == [Decision.NEEDS_CONFIRMATION, Decision.APPROVED,
                                              Decision.NEEDS_CONFIRMATION]
    assert verdicts[0].reasons == ("a voice plan carries no words to check navigate_to against; "
                                   "an operator must confirm (grounding.sources.voice: confirm)",)
    # A planner that puts a transcript into the instruction can have it checked instead.
    gate, clock = _gate(raw_safety, {"grounding": {"sources": {"voice": "check"}}})
    right = _judge(gate, clock, "go to the kitchen", ("navigate_to", {"place": "kitchen"}),
                   source=voice)
    wrong = _judge(gate, clock, "go to the kitchen", ("navigate_to", {"place": "lab"}),
                   source=voice)
    assert right[0].approved and wrong[0].rules == (RULE,)


def test_a_partial_sources_map_keeps_the_other_defaults(raw_safety: dict[str, Any]) -> None:
    raw = copy.deepcopy(raw_safety)
    raw["grounding"]["sources"] = {"text": "skip"}
    gate, clock = _gate(raw)
    assert _judge(gate, clock, "", ("move", {"distance": 1}))[0].approved
    voice = _judge(gate, clock, "", ("move", {"distance": 1}), source=PlanSource.VOICE)
    assert voice[0].rules == (RULE,)
    copilot = _judge(gate, clock, "", ("move", {"distance": 1}), source=PlanSource.COPILOT)
    assert copilot[0].rules == (RULE,)


def test_a_missing_section_checks(raw_safety: dict[str, Any]) -> None:
    raw = {key: value for key, value in raw_safety.items() if key != "grounding"}
    gate, clock = _gate(raw)
    verdict = _judge(gate, clock, "go forward 10 meters", ("move", {"distance": 0.1}))[0]
    assert verdict.rules == (RULE,)


def test_confirmed_step_is_not_asked_again(raw_safety: dict[str, Any]) -> None:
    gate, clock = _gate(raw_safety)
    plan = Plan.from_calls([ToolCall(name="wait", arguments={"seconds": 90})], stamp=clock(),
                           instruction="make me a coffee")
    robot = RobotState(stamp=clock(), pose=Pose2D(x=10.0, y=5.5))
    assert gate.check_step(plan, 0, robot).rules == (RULE,)
    assert gate.check_step(plan, 0, robot, confirmed=True).approved


@pytest.mark.parametrize("override, instruction, call, approved", [
    ({"wait": {"check": False}}, "make me a coffee", ("wait", {"seconds": 90}), True),
    ({"move": {"arguments": {"distance": {"check": False}}}}, "go forward 10 meters",
     ("move", {"distance": 0.1}), True),
    ({"navigate_to": {"arguments": {"place": {"check": False}}}}, "go charge",
     ("navigate_to", {"place": "kitchen"}), True),
    ({"move": {"arguments": {"speed": {"unsaid": "check"}}}}, "move 1 m",
     ("move", {"distance": 1, "speed": 0.3}), False),
    ({"move": {"arguments": {"speed": {"unsaid": "default"}}}}, "move 1 m slowly",
     ("move", {"distance": 1, "speed": 0.2}), False),
    ({"move": {"arguments": {"speed": {"unsaid": "default"}}}}, "move 1 m",
     ("move", {"distance": 1}), True),
    ({"move": {"arguments": {"distance": {"tolerance": 0.25}}}}, "move 2 m",
     ("move", {"distance": 2.2}), True),
    ({}, "move 2 m", ("move", {"distance": 2.2}), False),
])
def test_per_tool_and_argument_settings(raw_safety: dict[str, Any], override: dict[str, Any],
                                        instruction: str, call: Call, approved: bool) -> None:
    raw = copy.deepcopy(raw_safety)
    raw["grounding"]["tools"] = override
    gate, clock = _gate(raw)
    verdict = _judge(gate, clock, instruction, call)[0]
    assert verdict.approved is approved, verdict.reasons


def test_relative_tolerance(raw_safety: dict[str, Any]) -> None:
    gate, clock = _gate(raw_safety, {"grounding": {"relative_tolerance": 0.0}})
    assert _judge(gate, clock, "move forward 3 ft", ("move", {"distance": 0.9}))[0].rules == (RULE,)
    assert _judge(gate, clock, "move forward 1 m", ("move", {"distance": 1}))[0].approved


def test_values_the_schema_allows_but_the_bounds_would_not(raw_safety: dict[str, Any],
                                                          raw_tools: dict[str, Any]) -> None:
    # Without the gate's bounds and the schema's maximum, a right plan the bounds would refuse
    # is grounded, and a number too large for a float is named, not a crash.
    tools = copy.deepcopy(raw_tools)
    wait = next(t for t in tools["tools"] if t["name"] == "wait")
    del wait["parameters"]["properties"]["seconds"]["maximum"]
    bounds = {tool: limits for tool, limits in raw_safety["bounds"].items() if tool != "wait"}
    gate, clock = _gate({**raw_safety, "bounds": bounds}, None, ToolRegistry.from_dict(tools))
    assert _judge(gate, clock, "wait 10 minutes", ("wait", {"seconds": 600}))[0].approved
    huge = _judge(gate, clock, "wait 10 minutes", ("wait", {"seconds": 10**400}))[0]
    assert huge.rules == (RULE,) and "(an integer too large to show)" in huge.reasons[0]
    said = _judge(gate, clock, "wait " + "9" * 400 + " seconds", ("wait", {"seconds": 5}))[0]
    assert said.rules == (RULE,)  # an infinite number said grounds nothing


def test_a_plan_over_the_step_limit_is_judged_call_by_call(raw_safety: dict[str, Any]) -> None:
    gate, clock = _gate(raw_safety)
    # (refused whole by plan.max_steps; grounding does not match 13 calls against each other)
    verdicts = _judge(gate, clock, "rotate 90 degrees", *[("rotate", {"angle": 90})] * 13)
    assert all(v.rules == ("plan.max_steps",) for v in verdicts)


GROUNDING_ERRORS = [
    # (grounding section, key in the error, text in the error, found when: load or gate)
    ({"sources": {"voice": "maybe"}}, "grounding.sources.voice", "'check', 'confirm' or 'skip'",
     "load"),
    ({"sources": {"mission": False}}, "grounding.sources.mission", "'skip'", "load"),
    ({"sources": {"telepathy": "check"}}, "grounding.sources.telepathy.[key]", "text", "load"),
    ({"relative_tolerance": float("inf")}, "grounding.relative_tolerance", "finite", "load"),
    ({"relative_tolerance": 0.9}, "grounding.relative_tolerance", "0.5", "load"),
    ({"tools": {"move": {"arguments": {"distance": {"tolerance": -1}}}}},
     "grounding.tools.move.arguments.distance.tolerance", "greater than or equal to 0", "load"),
    ({"tools": {"move": {"arguments": {"speed": {"unsaid": "never"}}}}},
     "grounding.tools.move.arguments.speed.unsaid", "up_to_default", "load"),
    ({"tools": {"move": {"chek": False}}}, "grounding.tools.move.chek", "Extra inputs", "load"),
    ({"tools": {"wait": {"check": "no"}}}, "grounding.tools.wait.check", "valid boolean", "load"),
    ({"tools": {"mvoe": {"check": False}}}, "grounding.tools.mvoe", "unknown tool 'mvoe'", "gate"),
    ({"tools": {"move": {"arguments": {"distanse": {}}}}},
     "grounding.tools.move.arguments.distanse", "use one of: distance, speed", "gate"),
    ({"tools": {"speak": {"arguments": {"text": {}}}}}, "grounding.tools.speak.arguments.text",
     "none (it has none)", "gate"),
    ({"tools": {"navigate_to": {"arguments": {"place": {"tolerance": 1}}}}},
     "grounding.tools.navigate_to.arguments.place", "a place is grounded by name", "gate"),
]


@pytest.mark.parametrize("section, key, text, when", GROUNDING_ERRORS)
def test_malformed_grounding_is_a_startup_error(tmp_path: Path, raw_safety: dict[str, Any],
                                                section: dict[str, Any], key: str, text: str,
                                                when: str) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text(yaml.safe_dump({**raw_safety, "grounding": section}))
    with pytest.raises(ConfigError) as caught:
        SafetyGate.from_files(safety=path) if when == "gate" else SafetyConfig.load(path)
    assert str(path) in str(caught.value) and caught.value.key == key, str(caught.value)
    assert text in str(caught.value)


WORDS = ["go", "forward", "back", "turn", "left", "right", "around", "a", "an", "half", "quarter",
         "and", "then", "meter", "m", "cm", "ft", "in", "degrees", "turn", "seconds", "minute",
         "couple", "of", "point", "two", "hundred", "kitchen", "charger", "per", "/", "-", ",",
         ".", "½", "°", "\ud800", "9" * 400, "1,000", "1/0", "0/0"]
_GATE = _gate(yaml.safe_load(default_config("safety.yaml").read_text()))


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8),
                                st.floats(allow_nan=False).map(str)), max_size=25),
       value=st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=5),
                       st.integers(-5, 5)))
def test_any_words_any_value_never_break_the_rule(words: list[str], value: float) -> None:
    gate, clock = _GATE
    instruction = " ".join(words)
    for call in (("move", {"distance": value}), ("rotate", {"angle": value * 36}),
                 ("wait", {"seconds": abs(value)}), ("navigate_to", {"place": "kitchen"})):
        verdict = _judge(gate, clock, instruction, call)[0]
        assert "gate.internal_error" not in verdict.rules, verdict.reasons

