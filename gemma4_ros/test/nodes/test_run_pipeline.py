"""The standalone pipeline's wiring: an e-stop while a step runs stops the plan and nothing
resumes; after a reset a new command runs; the copilot answers through the Ask service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gemma4_ros.pipeline.wiring import Event, Pipeline
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.testing.fixture_tokenizer import build_fixture_tokenizer
from gemma4_ros.testing.scripted_model import ScriptedModel
from gemma4_ros.types import ExecutorState, ResultStatus
from node_rig import WAIT_S
from planner_rig import WAIT, call, scripted


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Gemma4Tokenizer:
    built = build_fixture_tokenizer(tmp_path_factory.mktemp("pipeline-tok"), vocab_size=512)
    return Gemma4Tokenizer.from_file(built.path)


@pytest.fixture
def events() -> list[Event]:
    return []


@pytest.fixture
def pipeline(tokenizer: Gemma4Tokenizer, events: list[Event]) -> Iterator[Pipeline]:
    replies = [call("wait", seconds=60) + WAIT, call("speak", text="ok") + WAIT]  # then repeats
    with Pipeline(scripted(tokenizer, ScriptedModel(tokenizer, replies)), events.append) as made:
        yield made


def test_estop_during_execution_stops_the_plan_and_nothing_resumes(
        pipeline: Pipeline, events: list[Event]) -> None:
    plan = pipeline.instruct("wait a minute")
    assert pipeline.bus.spin_until(
        lambda: pipeline.executor.executor.status.state is ExecutorState.EXECUTING, WAIT_S)
    pipeline.press_estop()
    (result,) = pipeline.wait_plan(plan, WAIT_S)
    assert result.status is not ResultStatus.SUCCEEDED
    assert pipeline.executor.estop.latched
    refused = pipeline.run_command("say ok", WAIT_S)
    assert [r.status for r in refused] == [ResultStatus.REJECTED]
    assert "e-stop released" in pipeline.reset_estop()
    assert [r.status for r in pipeline.run_command("say ok", WAIT_S)] == [ResultStatus.SUCCEEDED]
    kinds = [e.kind for e in events]
    assert {"plan", "partial", "verdict", "result", "status"} <= set(kinds)


def test_copilot_answers_through_the_ask_service_even_under_estop(
        pipeline: Pipeline, events: list[Event]) -> None:
    pipeline.instruct("wait")  # the first scripted reply; the Ask gets the second
    pipeline.press_estop()
    assert pipeline.bus.spin_until(lambda: pipeline.executor.estop.latched, WAIT_S)
    answer = pipeline.ask("what do you see?", timeout=WAIT_S)
    assert answer.success and answer.answer
    assert any(e.kind == "answer" and e.value == answer for e in events)
