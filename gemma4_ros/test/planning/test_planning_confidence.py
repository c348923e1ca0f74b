"""Each call's confidence: the lowest probability among its own sampled tokens, forced ones skipped."""

from __future__ import annotations

import pytest
from planning_fakes import WAIT, call, engine_for

from gemma4_ros.decoding.call_parser import parse_turn
from gemma4_ros.planning import Planner, PlannerConfig
from gemma4_ros.planning.confidence import call_confidences, token_pieces
from gemma4_ros.safety import EStopLatch, SafetyConfig, SafetyGate
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.testing.scripted_model import ScriptedModel
from gemma4_ros.types import Decision, Pose2D, RobotState

PIECES = ["I go. ", "<|tool_call>", "call:move", "{distance:", "2", "}", "<tool_call|>",
          "<|tool_call>", "call:dock", "{}", "<tool_call|>", WAIT]
TEXT = "".join(PIECES)


def _spans(text: str) -> list[tuple[int, int]]:
    turn = parse_turn(text)
    assert not isinstance(turn, Exception)
    return [c.span for c in turn.calls]


def test_a_call_takes_the_lowest_of_its_own_sampled_tokens() -> None:
    probabilities = [0.1, 0.9, 0.8, None, 0.6, 0.99, None, 0.7, 0.95, None, None, 0.2]
    # 0.1 (text before the calls) and 0.2 (the stop marker after them) belong to no call.
    assert call_confidences(PIECES, probabilities, TEXT, _spans(TEXT)) == (0.6, 0.7)


def test_forced_tokens_are_skipped_and_an_all_forced_call_is_sure() -> None:
    probabilities = [0.5, None, None, None, 0.3, None, None, None, None, None, None, 0.5]
    assert call_confidences(PIECES, probabilities, TEXT, _spans(TEXT)) == (0.3, 1.0)


def test_a_token_that_completes_a_character_later_belongs_where_it_lands() -> None:
    pieces = ["<|tool_call>", "call:speak", '{text:<|"|>', "", "é", '<|"|>}', "<tool_call|>"]
    text = "".join(pieces)
    probabilities = [0.9, 0.9, None, 0.4, 0.8, 0.9, None]
    assert call_confidences(pieces, probabilities, text, _spans(text)) == (0.4,)


def test_tokens_that_do_not_spell_the_text_leave_every_call_unknown() -> None:
    probabilities = [0.9] * len(PIECES)
    spans = _spans(TEXT)
    assert call_confidences(PIECES[1:], probabilities[1:], TEXT, spans) == (None, None)
    assert call_confidences(PIECES, probabilities[1:], TEXT, spans) == (None, None)


def test_token_pieces_spell_the_decoded_text(tokenizer) -> None:
    ids = tokenizer.encode(call("speak", text="Grüße ☃") + WAIT)
    assert "".join(token_pieces(tokenizer, ids)) == tokenizer.decode(ids)
    assert token_pieces(tokenizer, []) == []


@pytest.mark.parametrize("constrained", [True, False])
def test_every_planned_step_carries_how_decided_the_model_was(tokenizer, registry,
                                                              constrained: bool) -> None:
    reply = call("navigate_to", place="kitchen") + call("move", distance=2.5) + WAIT

    def plan_with(margin: float) -> list[float | None]:
        model = ScriptedModel(tokenizer, reply, margin=margin)
        planner = Planner(engine_for(model, tokenizer), tokenizer, registry,
                          PlannerConfig(constrained=constrained))
        plan = planner.plan("go to the kitchen, then forward 2.5 m")
        assert [s.call.name for s in plan.steps] == ["navigate_to", "move"]
        return [s.confidence for s in plan.steps]

    decided, hesitant = plan_with(20.0), plan_with(7.0)
    assert all(c is not None and c > 0.99 for c in decided)
    assert all(c is not None and 0.0 < c < 0.9 for c in hesitant)


def test_a_hesitant_models_motion_waits_for_an_operator(tokenizer, registry) -> None:
    reply = call("navigate_to", place="kitchen") + WAIT
    clock = FakeClock()
    config = SafetyConfig.load().model_copy(deep=True)
    config.confidence.min_for_motion = 0.5  # margin 20 gives ≈ 1.0, margin 5 ≈ 0.09
    gate = SafetyGate(registry, config, EStopLatch(clock), None, clock)
    robot = RobotState(stamp=clock(), pose=Pose2D(x=10.0, y=5.5))
    decisions = []
    for margin in (20.0, 5.0):
        model = ScriptedModel(tokenizer, reply, margin=margin)
        planner = Planner(engine_for(model, tokenizer, clock=clock), tokenizer, registry)
        plan = planner.plan("go to the kitchen").model_copy(update={"stamp": clock()})
        verdict = gate.check_plan(plan, robot)[0]
        decisions.append((verdict.decision, verdict.rules))
    assert decisions == [(Decision.APPROVED, ()),
                         (Decision.NEEDS_CONFIRMATION, ("plan.low_confidence",))]
