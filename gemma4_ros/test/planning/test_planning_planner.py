"""The Planner on scripted and random numpy models through the real Engine: milliseconds a plan."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planning_fakes import END, RANDOM_SAFE, WAIT, call, engine_for, scripted_planner

from gemma4_ros.planning import (Answer, DeadlineExceededError, InvalidRequestError,
                                 MediaUnavailableError, PlanCancelledError, Planner,
                                 PlannerConfig, PlanningError, PlanParseError, TokenLimitError,
                                 TooManyStepsError, load_planner_config)
from gemma4_ros.runtime.generation import StopReason
from gemma4_ros.testing.scripted_model import RandomModel, ScriptedModel
from gemma4_ros.types import Plan, PlanSource, ResultStatus, ToolResult

TWO_STEPS = call("navigate_to", place="kitchen") + call("speak", text="hello") + WAIT


def test_packaged_planner_yaml_equals_the_model_defaults() -> None:
    assert load_planner_config() == PlannerConfig()


def test_plan_is_typed_and_carries_model_tokens_and_latency(tokenizer, registry) -> None:
    planner, model = scripted_planner(tokenizer, registry, TWO_STEPS)
    plan = planner.plan("go to the kitchen and say hello", source=PlanSource.VOICE)
    assert [(s.call.name, s.call.arguments) for s in plan.steps] == [
        ("navigate_to", {"place": "kitchen"}), ("speak", {"text": "hello"})]
    assert plan.instruction == "go to the kitchen and say hello" and plan.source is PlanSource.VOICE
    assert plan.frame_id == registry.frame
    assert plan.model == "ScriptedModel" and plan.summary == ""
    assert plan.prompt_tokens == len(tokenizer.encode(model.prompts[0]))
    assert plan.completion_tokens == len(tokenizer.encode(TWO_STEPS))
    assert 0 < plan.latency.time_to_first_token_s <= plan.latency.total_s


def test_the_constant_head_is_prefilled_once_and_reused(tokenizer, registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, TWO_STEPS)
    for instruction in ("first", "second", "third"):
        planner.plan(instruction)
    cache = planner.engine.prefix_cache
    head_ids = tokenizer.encode(planner.prompts.request("x").head)
    assert len(cache) == 1 and cache.lookup(head_ids + [5]).length == len(head_ids)


def test_grammar_overrules_a_script_that_calls_an_undeclared_tool(tokenizer, registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, call("fly", height=3) + WAIT)
    plan = planner.plan("fly up")
    assert all(registry.validate(step.call) == [] for step in plan.steps)


@pytest.mark.parametrize("reply, kind", [
    (call("fly", height=3) + WAIT, "unknown_tool"),
    (call("move", distance=40.0) + WAIT, "schema"),
    ("<|tool_call>call:move{distance:1}" + END, "syntax"),
    ('<|tool_call>call:move{"distance":1}<tool_call|>' + WAIT, "syntax"),
    (END, "empty"),
])
def test_unconstrained_malformed_output_is_rejected(tokenizer, registry, reply, kind) -> None:
    planner, _ = scripted_planner(tokenizer, registry, reply, constrained=False)
    with pytest.raises(PlanParseError) as error:
        planner.plan("do it")
    assert error.value.kind == kind and error.value.text and error.value.span is not None
    assert error.value.stop_reason is StopReason.STOP_TOKEN


def test_text_answers_are_plans_without_steps_unless_calls_are_required(tokenizer,
                                                                       registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, "I cannot clean floors." + END,
                                  constrained=False)
    assert planner.plan("clean the floor").summary == "I cannot clean floors."
    strict, _ = scripted_planner(tokenizer, registry, "I cannot." + END, constrained=False,
                                 allow_text_answer=False)
    with pytest.raises(PlanParseError, match="without calling any tool"):
        strict.plan("clean the floor")
    forced, _ = scripted_planner(tokenizer, registry, "I cannot." + END, allow_text_answer=False)
    assert forced.plan("clean the floor").steps  # the grammar insists on a call


def test_end_of_sequence_ends_a_turn_cleanly(tokenizer, registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, "All done.<eos>", constrained=False)
    assert planner.plan("report").summary == "All done."


def test_stream_yields_partial_text_then_the_plan(tokenizer, registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, TWO_STEPS)
    stream = planner.plan_stream("go to the kitchen and say hello")  # speak copies its words
    deltas = list(stream)
    assert "".join(d.text for d in deltas) == TWO_STEPS == stream.text
    assert any(d.forced for d in deltas) and [d.index for d in deltas] == list(range(len(deltas)))
    assert len(stream.result().steps) == 2 and list(stream) == []


def test_cancel_from_another_thread_stops_the_stream(tokenizer, registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, "a long answer " * 20 + END,
                                  constrained=False)
    stream = planner.plan_stream("talk")
    for count, _ in enumerate(stream, 1):
        if count == 3:
            canceller = threading.Thread(target=stream.cancel)
            canceller.start()
            canceller.join()
    with pytest.raises(PlanCancelledError) as error:
        stream.result()
    assert error.value.stop_reason is StopReason.CANCELLED and error.value.text


def test_a_preset_cancel_event_stops_before_any_token(tokenizer, registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, TWO_STEPS)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(PlanCancelledError):
        planner.plan("go", cancel=cancel)


def test_deadline_on_the_engine_clock(tokenizer, registry) -> None:
    now = [0.0]

    class SlowModel(ScriptedModel):
        def forward(self, token_ids, cache):  # each forward pass takes one simulated second
            now[0] += 1.0
            return super().forward(token_ids, cache)

    model = SlowModel(tokenizer, TWO_STEPS)
    planner = Planner(engine_for(model, tokenizer, clock=lambda: now[0]), tokenizer, registry)
    with pytest.raises(DeadlineExceededError) as error:
        planner.plan("go", deadline_s=4.5)
    assert error.value.limit == 4.5 and error.value.stop_reason is StopReason.DEADLINE
    plan = planner.plan("go", deadline_s=float("inf"))
    assert plan.latency.total_s >= 10  # simulated seconds


def test_token_budget(tokenizer, registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, TWO_STEPS)
    with pytest.raises(TokenLimitError) as error:
        planner.plan("go", max_tokens=5)
    assert error.value.limit == 5 and error.value.stop_reason is StopReason.MAX_TOKENS


def test_max_steps_is_held_by_the_grammar_and_checked_without_it(tokenizer, registry) -> None:
    three = call("wait", seconds=1) * 3 + WAIT
    planner, _ = scripted_planner(tokenizer, registry, three)
    assert len(planner.plan("wait thrice", max_steps=2).steps) <= 2
    loose, _ = scripted_planner(tokenizer, registry, three, constrained=False)
    with pytest.raises(TooManyStepsError) as error:
        loose.plan("wait thrice", max_steps=2)
    assert error.value.limit == 2 and error.value.span[0] > 0


@pytest.mark.parametrize("options, match", [
    ({"max_steps": 0}, "max_steps"), ({"max_steps": 65}, "max_steps"),
    ({"max_tokens": 0}, "max_tokens"), ({"deadline_s": -1.0}, "deadline_s"),
])
def test_bad_limits_are_refused(tokenizer, registry, options, match) -> None:
    planner, _ = scripted_planner(tokenizer, registry, TWO_STEPS)
    with pytest.raises(InvalidRequestError, match=match):
        planner.plan("go", **options)


def test_thinking_on_request(tokenizer, registry) -> None:
    reply = "<|channel>thought\nthe kitchen first<channel|>" + TWO_STEPS
    planner, model = scripted_planner(tokenizer, registry, reply)
    assert len(planner.plan("go", thinking=True).steps) == 2
    assert "<|think|>" in model.prompts[-1]
    quiet, _ = scripted_planner(tokenizer, registry, reply)
    plan = quiet.plan("go", thinking=False)  # no thought allowed: the grammar starts with a call
    assert plan.steps and "thought" not in quiet.engine.model.prompts[-1].split("<|turn>user")[1]


def test_replan_round_trip_to_a_final_answer(tokenizer, registry) -> None:
    replies = [TWO_STEPS, call("report", text="said hello") + WAIT, "Done: said hello." + END]
    planner, model = scripted_planner(tokenizer, registry, replies)
    plan = planner.plan("go to the kitchen and say hello")
    results = [ToolResult(plan_id=plan.plan_id, call_id=step.call.id,
                          status=ResultStatus.SUCCEEDED, result={"ok": True})
               for step in plan.steps]
    follow = planner.replan(plan, results)
    assert [s.call.name for s in follow.steps] == ["report"] and follow.plan_id != plan.plan_id
    assert follow.instruction == plan.instruction and follow.source is plan.source
    report = ToolResult(call_id=follow.steps[0].call.id, status=ResultStatus.SUCCEEDED)
    final = planner.replan(follow, [report])
    assert final.steps == () and final.summary == "Done: said hello."
    last_prompt = model.prompts[-1]  # both rounds are in the transcript, in order
    assert last_prompt.count("<|tool_response>response:") == 3
    assert last_prompt.index("call:speak") < last_prompt.index("call:report")
    assert last_prompt.count("<|turn>user") == 1


def test_replan_of_a_plan_from_elsewhere_and_its_errors(tokenizer, registry) -> None:
    planner, model = scripted_planner(tokenizer, registry, "Finished." + END)
    plan = Plan.from_calls([], instruction="nothing")
    with pytest.raises(PlanningError, match="no steps"):
        planner.replan(plan, [])
    foreign = Plan(instruction="dock now", steps=scripted_planner(
        tokenizer, registry, call("dock") + WAIT)[0].plan("dock now").steps)
    failed = ToolResult(call_id=foreign.steps[0].call.id, status=ResultStatus.FAILED,
                        error="blocked")
    assert planner.replan(foreign, [failed]).summary == "Finished."
    assert "<|turn>user\ndock now<turn|>" in model.prompts[-1] and "blocked" in model.prompts[-1]


def test_ask_answers_in_text_or_with_a_plan(tokenizer, registry) -> None:
    planner, model = scripted_planner(
        tokenizer, registry,
        ["The valve looks closed." + END, "I will go and greet them." + END, TWO_STEPS])
    answer = planner.ask("is the valve open?")
    assert isinstance(answer, Answer) and answer.text == "The valve looks closed."
    assert answer.plan is None and answer.completion_tokens > 0
    assert "<|tool>" not in model.prompts[0]
    with_plan = planner.ask("go and say hello", want_plan=True)
    # Both: a real answer (never an empty one borrowed from the plan) and the proposed plan.
    assert with_plan.text == "I will go and greet them."
    assert with_plan.plan is not None and with_plan.plan.source is PlanSource.COPILOT
    assert len(with_plan.plan.steps) == 2
    assert with_plan.completion_tokens > with_plan.plan.completion_tokens


def test_ask_never_returns_calls(tokenizer, registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, TWO_STEPS)
    text = planner.ask("what now?").text  # constrained to text: the markup is masked out
    assert text and "<|tool_call>" not in text and "|" not in text
    loose, _ = scripted_planner(tokenizer, registry, TWO_STEPS, constrained=False)
    with pytest.raises(PlanParseError, match="only text"):
        loose.ask("what now?")


def test_image_without_an_encoder_is_a_clear_error(tokenizer, registry) -> None:
    planner, _ = scripted_planner(tokenizer, registry, TWO_STEPS)
    with pytest.raises(MediaUnavailableError, match=r"onnx/vision_encoder\*\.onnx"):
        planner.plan("what is that?", image=object())
    with pytest.raises(MediaUnavailableError, match=r"onnx/audio_encoder\*\.onnx"):
        planner.plan("do what I said", audio=object())


def test_image_with_an_encoder_file_the_runtime_cannot_run(tokenizer, registry, tmp_path) -> None:
    planner, model = scripted_planner(tokenizer, registry, TWO_STEPS)
    vision = tmp_path / "onnx" / "vision_encoder.onnx"
    model.files = SimpleNamespace(root=tmp_path, vision=vision, audio=None, variant="fp32")
    with pytest.raises(MediaUnavailableError, match="has no encode_image"):
        planner.plan("what is that?", image=object())
    model.encode_image = lambda image: SimpleNamespace(soft_tokens=4, features=None)
    with pytest.raises(InvalidRequestError, match="cannot take images or audio"):
        planner.plan("what is that?", image=object())


def test_every_planner_error_is_a_planning_error() -> None:
    for error_type in (DeadlineExceededError, InvalidRequestError, MediaUnavailableError,
                       PlanCancelledError, PlanParseError, TokenLimitError, TooManyStepsError):
        assert issubclass(error_type, PlanningError)


def random_planner(tokenizer, registry, **config) -> tuple[Planner, RandomModel]:
    model = RandomModel(tokenizer.vocab_size)
    settings = {**RANDOM_SAFE, **config}
    return Planner(engine_for(model, tokenizer), tokenizer, registry,
                   PlannerConfig(**settings)), model


def test_200_random_instructions_give_200_schema_valid_plans(tokenizer, registry) -> None:
    planner, model = random_planner(tokenizer, registry)
    used = set()
    for seed in range(200):
        model.seed = seed
        plan = planner.plan(f"instruction number {seed}: do something useful")
        assert 1 <= len(plan.steps) + bool(plan.summary) and len(plan.steps) <= 3
        assert all(registry.validate(step.call) == [] for step in plan.steps)
        used |= {step.call.name for step in plan.steps}
    assert used == set(registry.names)  # every tool was reachable


@pytest.mark.parametrize("thinking", [False, True])
def test_random_replans_and_answers_stay_valid(tokenizer, registry, thinking) -> None:
    planner, model = random_planner(tokenizer, registry, allow_text_answer=False)
    for seed in range(15):
        model.seed = seed
        plan = planner.plan("patrol", thinking=thinking)
        results = [ToolResult(call_id=step.call.id, status=ResultStatus.SUCCEEDED)
                   for step in plan.steps]
        follow = planner.replan(plan, results, thinking=thinking)
        assert follow.steps and all(registry.validate(s.call) == [] for s in follow.steps)
        assert planner.ask("status?", thinking=thinking).text


TEXT_PIECES = st.sampled_from([
    "<|tool_call>", "<tool_call|>", "call:", "move", "stop", "navigate_to", "{", "}", ":", ",",
    '<|"|>', "distance", "place", "lab", "1.5", "true", "<turn|>", WAIT, "<|channel>",
    "<channel|>", "thought\n", "<|turn>", "<eos>", " ",
])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(TEXT_PIECES | st.text(max_size=6), min_size=1, max_size=20).map("".join))
def test_any_raw_model_text_ends_in_a_plan_or_a_planning_error(tokenizer, registry, reply) -> None:
    planner, _ = scripted_planner(tokenizer, registry, reply, constrained=False, max_tokens=80)
    try:
        plan = planner.plan("do it")
    except PlanningError as error:
        assert str(error) and error.hint
    else:
        assert all(registry.validate(step.call) == [] for step in plan.steps)
        assert plan.steps or plan.summary


def test_warm_up_does_the_one_time_work_before_the_first_request(tokenizer, registry) -> None:
    planner, model = scripted_planner(tokenizer, registry, TWO_STEPS)
    planner.warm_up()
    assert len(planner.engine.prefix_cache) == 1 and model.prompts == []
    assert planner.constraints._grammar_tokenizer is not None
    assert len(planner.plan("go to the kitchen and say hello").steps) == 2
