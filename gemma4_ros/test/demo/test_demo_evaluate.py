"""Scoring answers: exact match of the call sequence and per-slot argument accuracy."""

from __future__ import annotations

from gemma4_ros.demo.corpus import Example
from gemma4_ros.demo.evaluate import Scores, parse_calls, score
from gemma4_ros.demo.refusals import REFUSAL_TEXTS
from gemma4_ros.demo.prompt import render_target
from gemma4_ros.demo.steps import Call

MOVE = Example("drive 2 m then photo", (Call("move", {"distance": 2}), Call("capture_image", {})), 2)
REFUSAL = Example("open the door", (), 1)


def test_parse_calls_reads_rendered_targets() -> None:
    calls = parse_calls(render_target(MOVE))
    assert calls == [Call("move", {"distance": 2}), Call("capture_image", {})]
    assert parse_calls(REFUSAL_TEXTS["no_tool"] + "<turn|>") == []


def test_malformed_calls_parse_to_none() -> None:
    assert parse_calls("<|tool_call>call:move{distance:<tool_call|>") is None
    assert parse_calls("<|tool_call>call:move{distance:2}") is None
    assert parse_calls("<|tool_call>move{}<tool_call|>") is None


def test_exact_and_slots() -> None:
    right = render_target(MOVE).replace("distance:2", "distance:2.0")
    wrong_arg = render_target(MOVE).replace("distance:2", "distance:3")
    scores = score([MOVE, MOVE, REFUSAL, REFUSAL],
                   [right, wrong_arg, render_target(REFUSAL), render_target(MOVE)])
    assert scores.exact == 2 and scores.n == 4
    # slots: MOVE has 2 (distance, capture_image), REFUSAL 1 each -> 6 in all; right: 2 + 1 + 1 + 0
    assert (scores.slots, scores.slots_right) == (6, 4)
    assert scores.summary()["by_kind"] == {"2": 0.5, "refusal": 0.5}


def test_missing_call_costs_its_slots() -> None:
    scores = Scores()
    only_move = render_target(Example("x", (Call("move", {"distance": 2}),), 1))
    assert not scores.add(MOVE, only_move)
    assert (scores.slots, scores.slots_right) == (2, 1)
    assert scores.exact_match == 0.0 and scores.args_accuracy == 0.5
