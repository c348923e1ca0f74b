"""plan.low_confidence at the gate: its reasons, its settings per source and the start-up errors of
a malformed section (gate_cases.yaml has the decisions; test_planning_confidence.py a planner's
unsure call held end to end)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from gemma4_ros.errors import ConfigError
from gemma4_ros.paths import default_config
from gemma4_ros.safety import EStopLatch, SafetyConfig, SafetyGate
from gemma4_ros.safety.config import DEFAULT_CONFIDENCE_SOURCES
from gemma4_ros.safety.grounding_config import GroundingConfig
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import Decision, Plan, PlanSource, PlanStep, Pose2D, RobotState, ToolCall

RULE = "plan.low_confidence"


@pytest.fixture(scope="module")
def raw_safety() -> dict[str, Any]:
    return yaml.safe_load(default_config("safety.yaml").read_text())


def _verdict(config: SafetyConfig, confidence: float | None,
             source: PlanSource = PlanSource.TEXT) -> Any:
    """The verdict on one ``move 1`` of this confidence; grounding is off, as it is another rule
    (a voice plan would need confirmation for want of words alone)."""
    no_grounding = GroundingConfig(sources={source: "skip" for source in PlanSource})
    config = config.model_copy(update={"grounding": no_grounding})
    clock = FakeClock()
    gate = SafetyGate(ToolRegistry.load(), config, EStopLatch(clock), None, clock)
    step = PlanStep(index=0, call=ToolCall(name="move", arguments={"distance": 1}),
                    confidence=confidence)
    plan = Plan(steps=(step,), stamp=clock(), instruction="move 1 m", source=source)
    return gate.check_plan(plan, RobotState(stamp=clock(), pose=Pose2D(x=10.0, y=5.5)))[0]


def test_reasons_name_the_confidence_and_the_threshold() -> None:
    config = SafetyConfig.load().model_copy(deep=True)
    config.confidence.min_for_motion = 0.5
    unsure = _verdict(config, 0.49961)
    assert unsure.decision is Decision.NEEDS_CONFIRMATION and unsure.rules == (RULE,)
    # Rounded down: a value under the threshold never reads as the threshold itself.
    assert unsure.reasons == ("the model was unsure of move: confidence 0.499 is below "
                              "confidence.min_for_motion (0.5)",)
    unknown = _verdict(config, None, PlanSource.VOICE)
    assert unknown.rules == (RULE,)
    assert unknown.reasons == ("no confidence was measured for move in a voice plan, so it counts "
                               "as unsure; an operator must confirm (confidence.sources.voice: "
                               "check)",)
    assert _verdict(config, 0.5).approved


@pytest.mark.parametrize("odd", [math.nan, -math.inf, math.inf])
def test_a_confidence_that_is_no_probability_is_never_read_as_sure(odd: float) -> None:
    # Validation refuses these; a step built without it (a careless converter) must still be held.
    clock = FakeClock()
    gate = SafetyGate(ToolRegistry.load(), SafetyConfig.load(), EStopLatch(clock), None, clock)
    call = ToolCall(name="navigate_to", arguments={"place": "lab"})
    step = PlanStep.model_construct(index=0, call=call, rationale="", confidence=odd)
    plan = Plan.model_construct(**{**Plan(instruction="go to the lab", stamp=clock()).__dict__,
                                   "steps": (step,)})
    verdict = gate.check_plan(plan, RobotState(stamp=clock(), pose=Pose2D(x=10.0, y=5.5)))[0]
    assert verdict.decision is Decision.NEEDS_CONFIRMATION and verdict.rules == (RULE,)
    assert verdict.reasons == (f"the confidence of navigate_to ({odd}) is not a probability",)


def test_the_packaged_threshold_is_between_zero_and_one_and_missions_are_skipped() -> None:
    confidence = SafetyConfig.load().confidence
    assert 0.0 < confidence.min_for_motion < 1.0
    assert confidence.sources == DEFAULT_CONFIDENCE_SOURCES
    assert [s for s, mode in confidence.sources.items() if mode == "skip"] == [PlanSource.MISSION]


def test_a_missing_section_checks_and_a_partial_one_keeps_the_other_defaults(
        tmp_path: Path, raw_safety: dict[str, Any]) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in raw_safety.items() if k != "confidence"}))
    assert SafetyConfig.load(path).confidence.sources == DEFAULT_CONFIDENCE_SOURCES
    assert not _verdict(SafetyConfig.load(path), None).approved
    path.write_text(yaml.safe_dump({**raw_safety, "confidence": {"sources": {"voice": "skip"}}}))
    config = SafetyConfig.load(path)
    assert _verdict(config, None, PlanSource.VOICE).approved
    assert not _verdict(config, None, PlanSource.TEXT).approved


CONFIDENCE_ERRORS = [
    # (confidence section, key in the error, text in the error)
    ({"min_for_motion": 1.5}, "confidence.min_for_motion", "less than or equal to 1"),
    ({"min_for_motion": -0.1}, "confidence.min_for_motion", "greater than or equal to 0"),
    ({"min_for_motion": float("nan")}, "confidence.min_for_motion", "finite"),
    ({"min_for_motion": "high"}, "confidence.min_for_motion", "valid number"),
    ({"sources": {"text": "confirm"}}, "confidence.sources.text", "'check' or 'skip'"),
    ({"sources": {"telepathy": "skip"}}, "confidence.sources.telepathy.[key]", "text"),
    ({"min_confidence": 0.5}, "confidence.min_confidence", "Extra inputs"),
]


@pytest.mark.parametrize("section, key, text", CONFIDENCE_ERRORS)
def test_malformed_confidence_is_a_startup_error(tmp_path: Path, raw_safety: dict[str, Any],
                                                 section: dict[str, Any], key: str,
                                                 text: str) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text(yaml.safe_dump({**raw_safety, "confidence": section}))
    with pytest.raises(ConfigError) as caught:
        SafetyConfig.load(path)
    assert str(path) in str(caught.value) and caught.value.key == key, str(caught.value)
    assert text in str(caught.value)
