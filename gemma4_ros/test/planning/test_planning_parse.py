"""Model text → Plan or a typed error: tables of good and bad answers, a fuzz that never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from planning_fakes import END, Q, WAIT, call

from gemma4_ros.decoding.call_parser import CallValidator
from gemma4_ros.planning import (DeadlineExceededError, PlanCancelledError, PlanningError,
                                 PlanParseError, TokenLimitError, TooManyStepsError)
from gemma4_ros.planning.parse import parse_answer, parse_plan, stop_error
from gemma4_ros.runtime.generation import StopReason
from gemma4_ros.types import Plan, PlanSource


@pytest.fixture(scope="module")
def validator(registry) -> CallValidator:
    return CallValidator({spec.name: spec.json_schema() for spec in registry.tools})


@pytest.mark.parametrize("text, calls, summary", [
    (call("navigate_to", place="lab") + WAIT, [("navigate_to", {"place": "lab"})], ""),
    (call("move", distance=-1.5, speed=0.3) + call("rotate", angle=90) + END,
     [("move", {"distance": -1.5, "speed": 0.3}), ("rotate", {"angle": 90})], ""),
    ("I cannot clean floors." + END, [], "I cannot clean floors."),
    ("Going now." + call("dock") + WAIT, [("dock", {})], "Going now."),
    ("<|channel>thought\nthe lab is far<channel|>" + call("stop") + WAIT, [("stop", {})], ""),
    (call("inspect", question="is it open?", target="valve"),
     [("inspect", {"question": "is it open?", "target": "valve"})], ""),
])
def test_valid_answers_become_plans(validator, text, calls, summary) -> None:
    plan = parse_plan(text, validator, instruction="x", source=PlanSource.VOICE)
    assert isinstance(plan, Plan), plan
    assert [(s.call.name, s.call.arguments) for s in plan.steps] == calls
    assert [s.index for s in plan.steps] == list(range(len(calls)))
    assert plan.summary == summary and plan.source is PlanSource.VOICE


@pytest.mark.parametrize("text, kind, where", [
    (call("fly", height=3) + WAIT, "unknown_tool", "fly"),
    (call("move", distance=99) + WAIT, "schema", "maximum"),
    (call("navigate_to", place="moon") + WAIT, "schema", "moon"),
    (call("wait") + WAIT, "schema", "required"),
    (call("stop", now=True) + WAIT, "schema", "now"),
    ("<|tool_call>call:move{distance:1" + WAIT, "syntax", "never closed"),
    ('<|tool_call>call:move{"distance": 1}<tool_call|>' + WAIT, "syntax", "key"),
    ("<|tool_call>call:speak{text:hello}<tool_call|>" + WAIT, "syntax", "bare word"),
    ("<|tool_call>move{}<tool_call|>" + WAIT, "syntax", "call:NAME"),
    ("<|channel>thought\nunclosed" + call("stop"), "syntax", "thought"),
    (END, "empty", "neither"),
    ("", "empty", "neither"),
    (call("stop") + END + "more", "syntax", "after the end"),
])
def test_bad_answers_are_typed_errors_with_a_span(validator, text, kind, where) -> None:
    error = parse_plan(text, validator)
    assert isinstance(error, PlanParseError), error
    assert error.kind == kind and where in str(error), str(error)
    start, end = error.span
    assert 0 <= start <= end <= len(text) and error.text == text and error.hint


def test_schema_errors_name_tool_argument_and_span(validator) -> None:
    good = call("stop")
    text = good + call("move", distance=12) + WAIT
    error = parse_plan(text, validator)
    assert isinstance(error, PlanParseError)
    assert (error.tool, error.path) == ("move", "distance")
    assert error.span == (len(good), len(good) + len(call("move", distance=12)))


def test_more_calls_than_allowed(validator) -> None:
    calls = [call("wait", seconds=1)] * 4
    error = parse_plan("".join(calls) + WAIT, validator, max_steps=2)
    assert isinstance(error, TooManyStepsError) and error.limit == 2
    assert error.span == (2 * len(calls[0]), 4 * len(calls[0]))


def test_text_where_calls_are_required_and_calls_where_text_is(validator) -> None:
    refusal = parse_answer("no." + END, validator, calls_required=True)
    assert isinstance(refusal, PlanParseError) and refusal.kind == "no_calls"
    calls = parse_answer(call("stop") + END, None)
    assert isinstance(calls, PlanParseError) and "only text" in str(calls)


def test_thought_opened_by_the_prompt(validator) -> None:
    plan = parse_plan("checking\n<channel|>" + call("dock") + WAIT, validator,
                      starts_in_thought=True)
    assert isinstance(plan, Plan) and plan.steps[0].call.name == "dock"


@pytest.mark.parametrize("reason, error_type", [
    (StopReason.CANCELLED, PlanCancelledError), (StopReason.DEADLINE, DeadlineExceededError),
    (StopReason.MAX_TOKENS, TokenLimitError), (StopReason.GRAMMAR_ERROR, PlanParseError),
])
def test_unfinished_generations_say_why(reason, error_type) -> None:
    error = stop_error(reason, "<|tool_call>call:mo", max_tokens=7, deadline_s=2.5,
                       grammar_error="token rejected")
    assert isinstance(error, error_type) and error.stop_reason is reason
    assert error.text == "<|tool_call>call:mo"
    for reason_ok in (StopReason.EOS, StopReason.STOP_TOKEN):
        assert stop_error(reason_ok, "", max_tokens=1, deadline_s=None) is None


PIECES = st.sampled_from([
    "<|tool_call>", "<tool_call|>", "call:", "move", "stop", "navigate_to", "inspect", "{", "}",
    "[", "]", ":", ",", Q, "distance", "place", "lab", "1.5", "-3", "1e999", "true", "null",
    "<turn|>", WAIT, "<eos>", "<|channel>", "<channel|>", "thought\n", " ", "|>", "<|", "text",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES | st.text(max_size=8), max_size=40).map("".join), st.booleans())
def test_any_text_yields_a_plan_or_a_planning_error(validator, registry, text,
                                                    in_thought) -> None:
    result = parse_plan(text, validator, starts_in_thought=in_thought, max_steps=3)
    assert isinstance(result, (Plan, PlanningError))
    if isinstance(result, Plan):
        assert len(result.steps) <= 3 and (result.steps or result.summary)
        assert all(registry.validate(step.call) == [] for step in result.steps)
    else:
        assert result.span is None or 0 <= result.span[0] <= result.span[1] <= len(text)
