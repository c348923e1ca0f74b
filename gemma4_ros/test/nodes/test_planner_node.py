"""The planner node's logic end to end on the in-process bus with the executor node and the
simulated robot: text → plan → gate → sim robot → results; Instruct with feedback and cancel;
Ask with an image; input refusals; the busy policy; diagnostics."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gemma4_ros.bus import Bus, GoalStatus
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.interfaces import (
    AskRequest,
    AskResponse,
    CompressedImageData,
    DiagnosticLevel,
    DiagnosticReport,
    DiagnosticStatus,
    ImageData,
    InstructFeedback,
    InstructGoal,
    InstructResult,
    LogLevel,
    LogRecord,
)
from gemma4_ros.nodes.bus_transport import BusTransport
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.nodes.planner_node import PlannerNodeLogic
from gemma4_ros.paths import share_dir
from gemma4_ros.recording import read_recording
from gemma4_ros.recording.metadata import open_planner_record
from gemma4_ros.recording import topics as recorded
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.testing.fixture_tokenizer import build_fixture_tokenizer
from gemma4_ros.testing.scripted_model import ScriptedModel
from gemma4_ros.types import CitationKind, PlanSource, ResultStatus
from node_rig import NS, WAIT_S
from planner_rig import (
    WAIT,
    GatedModel,
    PlannerRig,
    call,
    image_data,
    scripted,
    solid_frame,
    start_planner_rig,
)

SAY_AND_MOVE = call("speak", text="moving") + call("move", distance=0.2) + WAIT
INSTRUCT = (InstructGoal, InstructFeedback, InstructResult)


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Gemma4Tokenizer:
    built = build_fixture_tokenizer(tmp_path_factory.mktemp("planner-tok"), vocab_size=512)
    return Gemma4Tokenizer.from_file(built.path)


@pytest.fixture
def bus() -> Iterator[Bus]:
    with Bus() as made:
        yield made


def rig_for(bus: Bus, tokenizer: Gemma4Tokenizer, model: ScriptedModel,
            **config: object) -> PlannerRig:
    settings = {"listen": False, **config}
    return start_planner_rig(bus, scripted(tokenizer, model),
                             PlannerNodeConfig.model_validate(settings))


@pytest.fixture
def rig(bus: Bus, tokenizer: Gemma4Tokenizer) -> Iterator[PlannerRig]:
    made = rig_for(bus, tokenizer, ScriptedModel(tokenizer, SAY_AND_MOVE))
    yield made
    made.close()


def test_text_command_is_planned_gated_and_run_on_the_sim_robot(rig: PlannerRig) -> None:
    start = rig.executor.logic.robot.pose
    rig.commands.publish("say moving and move 20 cm")
    assert rig.wait(lambda: len(rig.plans) == 1)
    plan = rig.plans[0]
    assert [s.call.name for s in plan.steps] == ["speak", "move"]
    assert plan.source is PlanSource.TEXT and plan.instruction == "say moving and move 20 cm"
    results = rig.executor.wait_results(plan)
    assert [r.status for r in results] == [ResultStatus.SUCCEEDED] * 2
    verdicts = [v for v in rig.executor.probe.verdicts if v.plan_id == plan.plan_id]
    assert verdicts and all(v.decision.value == "APPROVED" for v in verdicts)
    moved = rig.executor.logic.robot.pose
    assert abs((moved.x - start.x) - 0.2) < 0.05


def test_model_runs_off_the_callbacks_camera_and_estop_keep_working(
        bus: Bus, tokenizer: Gemma4Tokenizer) -> None:
    """While a generation is held mid-way, frames are received and the e-stop latches the
    executor; the planner drops the request, so no plan asked for before the stop comes out."""
    model = GatedModel(tokenizer, SAY_AND_MOVE)
    rig = rig_for(bus, tokenizer, model)
    start = rig.executor.logic.robot.pose
    try:
        rig.commands.publish("say moving and move 20 cm")
        assert model.paused.wait(WAIT_S) and rig.logic.worker.busy
        frames = rig.logic.camera.frames
        for index in range(5):
            rig.images.publish(image_data(solid_frame(time.time(), value=index)))
            assert rig.wait(lambda i=index: frames.stats().received == i + 1)
        assert frames.get().rgb[0, 0, 0] == 4
        assert rig.logic.diagnostics().message == "planning"
        running = rig.logic.worker.current
        rig.executor.estop.publish(True)
        assert rig.wait(lambda: rig.executor.logic.estop.latched)
        assert running is not None and rig.wait(running.cancel.is_set)
        assert not rig.plans and not model.gate.is_set()  # both while the model is held
        model.gate.set()
        assert rig.wait(lambda: running.future.done() and not rig.logic.worker.busy)
        assert not rig.plans and rig.logic.stats.failures == 0
        assert rig.executor.logic.robot.pose == start
    finally:
        model.gate.set()
        rig.close()


def test_instruct_streams_partial_text_and_publishes_only_with_execute(
        bus: Bus, rig: PlannerRig) -> None:
    client = bus.action_client(f"{NS}/planner/instruct", INSTRUCT)
    feedback: list[InstructFeedback] = []
    quiet = client.send_goal(InstructGoal(instruction="say moving and move a bit"),
                             feedback.append)
    outcome = quiet.result(WAIT_S)
    assert outcome.status is GoalStatus.SUCCEEDED and outcome.result.success
    plan = outcome.result.plan
    assert [s.call.name for s in plan.steps] == ["speak", "move"]
    assert rig.wait(lambda: bool(feedback) and
                    feedback[-1].tokens_generated == plan.completion_tokens)
    assert feedback[-1].partial_text.startswith("<|tool_call>call:speak")
    assert [f.tokens_generated for f in feedback] == sorted(f.tokens_generated for f in feedback)
    assert not rig.plans  # execute=False: returned only
    loud = client.send_goal(InstructGoal(instruction="say moving and move",
                                         source=PlanSource.VOICE, execute=True)).result(WAIT_S)
    assert rig.wait(lambda: len(rig.plans) == 1)
    assert rig.plans[0].plan_id == loud.result.plan.plan_id
    assert rig.plans[0].source is PlanSource.VOICE
    rig.executor.approve(rig.plans[0], 1)  # a voice plan's motion waits for the operator
    rig.executor.wait_results(rig.plans[0])


def test_instruct_cancel_stops_generation_and_nothing_is_published(
        bus: Bus, tokenizer: Gemma4Tokenizer) -> None:
    model = GatedModel(tokenizer, SAY_AND_MOVE)
    rig = rig_for(bus, tokenizer, model)
    try:
        client = bus.action_client(f"{NS}/planner/instruct", INSTRUCT)
        feedback: list[InstructFeedback] = []
        handle = client.send_goal(InstructGoal(instruction="move", execute=True),
                                  feedback.append)
        assert model.paused.wait(WAIT_S)
        assert rig.wait(lambda: bool(feedback))  # partial text while the model is held
        handle.cancel()
        running = rig.logic.worker.current
        assert running is not None and rig.wait(running.cancel.is_set)
        model.gate.set()
        outcome = handle.result(WAIT_S)
        assert outcome.status is GoalStatus.CANCELED
        assert not outcome.result.success and "cancel" in outcome.result.error
        assert not rig.plans and rig.logic.stats.failures == 0
    finally:
        model.gate.set()
        rig.close()


def test_busy_planner_queues_then_refuses_with_a_clear_message(
        bus: Bus, tokenizer: Gemma4Tokenizer) -> None:
    model = GatedModel(tokenizer, SAY_AND_MOVE)
    rig = rig_for(bus, tokenizer, model, max_queued=1)
    try:
        client = bus.action_client(f"{NS}/planner/instruct", INSTRUCT)
        first = client.send_goal(InstructGoal(instruction="one"))
        assert model.paused.wait(WAIT_S)
        second = client.send_goal(InstructGoal(instruction="two"))
        assert rig.wait(lambda: rig.logic.worker.queued == 1)
        refused = client.send_goal(InstructGoal(instruction="three")).result(WAIT_S)
        assert refused.status is GoalStatus.ABORTED
        assert "planner busy" in refused.result.error and "limit 1" in refused.result.error
        model.gate.set()
        assert first.result(WAIT_S).result.success and second.result(WAIT_S).result.success
    finally:
        model.gate.set()
        rig.close()


def test_ask_answers_and_explicit_image_on_a_blind_model_is_a_clear_error(
        bus: Bus, tokenizer: Gemma4Tokenizer) -> None:
    rig = rig_for(bus, tokenizer, ScriptedModel(tokenizer, "The valve is open."))
    try:
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        rig.images.publish(image_data(solid_frame(time.time())))
        assert rig.wait(lambda: rig.logic.camera.frames.stats().received == 1)
        reply = client.call_async(AskRequest(question="is the valve open?")).result(WAIT_S)
        assert reply.success and reply.answer == "The valve is open." and reply.plan is None
        given = image_data(solid_frame(time.time()))
        refused = client.call_async(AskRequest(question="and now?", image=given)).result(WAIT_S)
        assert not refused.success and "vision_encoder" in refused.error
        assert not rig.plans
    finally:
        rig.close()


def test_ask_uses_the_latest_frame_when_none_is_given(bus: Bus, tokenizer: Gemma4Tokenizer,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rig = rig_for(bus, tokenizer, ScriptedModel(tokenizer, "Grey."))
    seen: list[object] = []
    planner = rig.logic.planner
    original = planner.ask_stream

    def seeing(question: str, image: object = None, **options: object) -> object:
        seen.append(image)  # a vision model would encode it; this one answers from text
        return original(question, None, **options)

    monkeypatch.setattr(planner, "ask_stream", seeing)
    try:
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        assert client.call_async(AskRequest(question="colour?")).result(WAIT_S).success
        rig.images.publish(image_data(solid_frame(time.time(), value=77), encoding="bgr8"))
        assert rig.wait(lambda: rig.logic.camera.frames.stats().received == 1)
        assert client.call_async(AskRequest(question="colour?")).result(WAIT_S).success
        assert seen[0] is None and seen[1].shape == (8, 12, 3) and int(seen[1][0, 0, 0]) == 77
    finally:
        rig.close()


def test_ask_with_want_plan_answers_and_proposes_but_never_publishes(
        bus: Bus, tokenizer: Gemma4Tokenizer) -> None:
    made = rig_for(bus, tokenizer, ScriptedModel(
        tokenizer, ["I will check the valve.<turn|>", SAY_AND_MOVE]))
    try:
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        question = AskRequest(question="say moving, then go check", want_plan=True)
        reply = client.call_async(question).result(WAIT_S)
        assert reply.success and reply.answer == "I will check the valve."
        assert reply.plan is not None
        assert reply.plan.source is PlanSource.COPILOT and len(reply.plan.steps) == 2
        assert not made.plans
    finally:
        made.close()


def test_ask_answers_from_the_manuals_and_cites_them(bus: Bus, tokenizer: Gemma4Tokenizer,
                                                     tmp_path: Path) -> None:
    """With ``documents`` the manuals are indexed at configure and every answer is given the
    best passages for its question and cites them; a bad copilot.yaml fails at configure."""
    copilot = tmp_path / "copilot.yaml"
    copilot.write_text(f"documents: [{share_dir() / 'examples' / 'manuals'}]\n"
                       f"index: {tmp_path / 'index.sqlite3'}\n", encoding="utf-8")
    model = ScriptedModel(tokenizer, ["Open the battery bay.<turn|>"])
    made = rig_for(bus, tokenizer, model, documents=True, copilot_file=str(copilot))
    try:
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        reply = client.call_async(AskRequest(question="how do I replace the battery?")
                                  ).result(WAIT_S)
        assert reply.success and reply.answer == "Open the battery bay."
        assert reply.citations[0].source == "battery.md"
        assert reply.citations[0].locator.startswith("Battery > Replacing the battery")
        assert "call:search_manual" in model.prompts[-1]
    finally:
        made.close()
    (tmp_path / "bad.yaml").write_text("documents: [/no/such/folder]\n"
                                       f"index: {tmp_path / 'bad.sqlite3'}\n", encoding="utf-8")
    with pytest.raises(Gemma4RosError, match="/no/such/folder"):
        PlannerNodeLogic(BusTransport(bus.node("planner", NS)),
                         scripted(tokenizer, ScriptedModel(tokenizer, ["x<turn|>"])),
                         PlannerNodeConfig(listen=False, documents=True,
                                           copilot_file=str(tmp_path / "bad.yaml")))


def test_ask_answers_why_the_last_command_was_refused(bus: Bus, tokenizer: Gemma4Tokenizer
                                                      ) -> None:
    """The node keeps the executor's refusals it hears (executor/verdicts) with the command of
    the plan it sent: Ask is given them as a recent_events response and cites the rule ids."""
    model = ScriptedModel(tokenizer, [call("move", distance=0.2, speed=0.9) + WAIT,
                                      "It was too fast.<turn|>"])
    made = rig_for(bus, tokenizer, model, ask_events=5)
    try:
        made.commands.publish("move 20 cm at 0.9 m/s")
        assert made.wait(lambda: any(v.rules for v in made.executor.probe.verdicts))
        events = made.logic.sources.events
        assert made.wait(lambda: bool(events and events.latest(1)))
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        reply = client.call_async(AskRequest(question="why was my last command refused?")
                                  ).result(WAIT_S)
        assert reply.success and reply.answer == "It was too fast."
        rules = [c for c in reply.citations if c.kind is CitationKind.RULE]
        assert rules and rules[0].source == "bounds.speed"
        assert "call:recent_events" in model.prompts[-1]
        assert "move 20 cm at 0.9 m/s" in model.prompts[-1]  # the command, not just a plan id
    finally:
        made.close()
    quiet = rig_for(bus, tokenizer, ScriptedModel(tokenizer, ["Hello.<turn|>"]))
    try:
        off = quiet.logic.sources
        assert off.events is None and off.logs is None and off.health is None  # the default
    finally:
        quiet.close()


def test_ask_tool_calls_let_the_model_read_the_events_itself(bus: Bus,
                                                             tokenizer: Gemma4Tokenizer) -> None:
    """With ``ask_tool_calls`` nothing is given first: the model calls recent_events, reads the
    refusal and answers, citing its rule."""
    events_call = "<|tool_call>call:recent_events{count:3}<tool_call|><|tool_response>"
    model = ScriptedModel(tokenizer, [call("move", distance=0.2, speed=0.9) + WAIT, events_call,
                                      "It was too fast.<turn|>"])
    made = rig_for(bus, tokenizer, model, ask_events=5, ask_tool_calls=2)
    try:
        made.commands.publish("move 20 cm at 0.9 m/s")
        events = made.logic.sources.events
        assert made.wait(lambda: bool(events and events.latest(1)))
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        reply = client.call_async(AskRequest(question="why was my last command refused?")
                                  ).result(WAIT_S)
        assert reply.success and reply.answer == "It was too fast.", reply.error
        assert [c.source for c in reply.citations if c.kind is CitationKind.RULE] == [
            "bounds.speed"]
        asked, answered = model.prompts[-2:]
        assert "declaration:recent_events" in asked and "call:recent_events" not in asked
        assert "call:recent_events{count:3}" in answered
    finally:
        made.close()


def test_ask_answers_from_the_nodes_warnings_on_rosout(bus: Bus, tokenizer: Gemma4Tokenizer
                                                       ) -> None:
    """Warnings and errors any node logs on /rosout are kept (INFO is routine, left out) and
    given to Ask as a recent_logs response, cited by logger."""
    model = ScriptedModel(tokenizer, ["The lidar is blocked.<turn|>"])
    made = rig_for(bus, tokenizer, model, ask_logs=5)
    try:
        rosout = bus.publisher("/rosout", LogRecord, depth=10)
        rosout.publish(LogRecord(stamp=time.time(), level=LogLevel.INFO, name="lidar",
                                 msg="scan at 10 Hz"))
        rosout.publish(LogRecord(stamp=time.time(), level=LogLevel.ERROR, name="lidar",
                                 msg="no scan for 2 s: lens blocked?"))
        logs = made.logic.sources.logs
        assert made.wait(lambda: bool(logs and logs.latest(1)))
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        reply = client.call_async(AskRequest(question="why did you stop?")).result(WAIT_S)
        assert reply.success and reply.answer == "The lidar is blocked."
        logged = [c for c in reply.citations if c.kind is CitationKind.LOG]
        assert [(c.source, c.quote) for c in logged] == [("lidar",
                                                          "no scan for 2 s: lens blocked?")]
        assert "call:recent_logs" in model.prompts[-1]
        assert "scan at 10 Hz" not in model.prompts[-1]
    finally:
        made.close()


def test_ask_answers_from_the_components_latest_diagnostics(bus: Bus,
                                                           tokenizer: Gemma4Tokenizer) -> None:
    """Every status of every /diagnostics array is kept, the latest per component, and given to
    Ask (troubled first) as a diagnostics response, cited with its level and values."""
    model = ScriptedModel(tokenizer, ["The battery is low.<turn|>"])
    made = rig_for(bus, tokenizer, model, ask_diagnostics=2)
    try:
        board = bus.publisher("/diagnostics", DiagnosticReport, depth=10)
        board.publish(DiagnosticReport(statuses=(
            DiagnosticStatus(name="battery", level=DiagnosticLevel.WARN, message="low",
                             values=(("percent", "12"),), stamp=time.time()),
            DiagnosticStatus(name="lidar", message="scanning", stamp=time.time()))))
        health = made.logic.sources.health
        assert made.wait(lambda: bool(health and len(health.latest(5)) >= 2))
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        reply = client.call_async(AskRequest(question="is anything wrong?")).result(WAIT_S)
        assert reply.success and reply.answer == "The battery is low."
        reported = [c for c in reply.citations if c.kind is CitationKind.DIAGNOSTIC]
        assert reported[0].source == "battery" and reported[0].quote == "low | percent=12"
        assert len(reported) == 2  # ask_diagnostics components (the planner reports itself too)
        assert "call:diagnostics" in model.prompts[-1]
    finally:
        made.close()


def test_ask_with_want_plan_proposes_a_manuals_procedure(bus: Bus, tokenizer: Gemma4Tokenizer,
                                                        tmp_path: Path) -> None:
    """With manuals, a numbered procedure among the passages found becomes the proposal: steps
    the model does not do surely and as written go to the operator as reports, each citing its
    line; the plan is sent even when the model gives no answer, and never published."""
    copilot = tmp_path / "copilot.yaml"
    copilot.write_text(f"documents: [{share_dir() / 'examples' / 'manuals'}]\n"
                       f"index: {tmp_path / 'index.sqlite3'}\n", encoding="utf-8")

    def reply(prompt: str) -> str:
        if "call:search_manual" in prompt:  # the question, beside the passages
            return "Follow the six steps.<turn|>"
        return "sorry, i cannot do that with my tools.<turn|>"  # each step, planned alone

    made = rig_for(bus, tokenizer, ScriptedModel(tokenizer, reply), documents=True,
                   copilot_file=str(copilot))
    try:
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        reply_ = client.call_async(AskRequest(question="prepare the battery swap procedure",
                                              want_plan=True)).result(WAIT_S)
        assert reply_.success and reply_.answer == "Follow the six steps."
        plan = reply_.plan
        assert plan is not None and plan.source is PlanSource.COPILOT
        assert [s.call.name for s in plan.steps] == ["report"] * 6
        assert plan.steps[0].call.arguments["text"] == (
            "Operator, step 1: Press the e-stop so that nothing can move.")
        assert any(c.locator.endswith("line 38") and c.quote.startswith("1. Press")
                   for c in reply_.citations)
        assert not made.plans
    finally:
        made.close()


def test_unsupported_encodings_are_dropped_with_one_throttled_warning(
        rig: PlannerRig, bus: Bus, caplog: pytest.LogCaptureFixture) -> None:
    depth = ImageData(b"\0" * 8 * 12 * 2, 8, 12, "16UC1", 24, time.time())
    with caplog.at_level("WARNING"):
        for index in range(5):  # one at a time: a sensor queue keeps only the newest
            rig.images.publish(depth)
            assert rig.wait(lambda i=index: rig.logic.camera.dropped == i + 1)
        jpeg = bus.publisher(f"{NS}/image/compressed", CompressedImageData)
        jpeg.publish(CompressedImageData(b"not a jpeg", "jpeg", time.time()))
        assert rig.wait(lambda: rig.logic.camera.dropped == 6)
    warnings = [r.getMessage() for r in caplog.records if "dropped camera frame" in r.getMessage()]
    assert len(warnings) == 2 and "16UC1" in warnings[0] and "accepted: rgb8" in warnings[0]
    assert rig.logic.camera.frames.stats().received == 0


def test_diagnostics_report_model_provider_and_speed(bus: Bus, tokenizer: Gemma4Tokenizer
                                                     ) -> None:
    rig = rig_for(bus, tokenizer, ScriptedModel(tokenizer, SAY_AND_MOVE),
                  diagnostics_period_s=0.1)
    try:
        assert rig.wait(lambda: bool(rig.diagnostics))
        first = rig.diagnostics[-1]
        values = dict(first.values)
        assert first.level is DiagnosticLevel.OK and values["model"] == "ScriptedModel"
        assert values["provider"] == "unknown" and values["last_error"] == ""
        assert values["executor"] == "not watched"  # executor_timeout_s 0: plans go anywhere
        client = bus.action_client(f"{NS}/planner/instruct", INSTRUCT)
        outcome = client.send_goal(InstructGoal(instruction="x")).result(WAIT_S)
        assert outcome.status is GoalStatus.SUCCEEDED
        assert rig.wait(lambda: dict(rig.diagnostics[-1].values)["requests"] == "1")
        assert dict(rig.diagnostics[-1].values)["tokens_per_s"] != ""
    finally:
        rig.close()


def test_deactivate_cancels_the_running_request_and_activate_serves_again(
        bus: Bus, tokenizer: Gemma4Tokenizer) -> None:
    model = GatedModel(tokenizer, SAY_AND_MOVE)
    rig = rig_for(bus, tokenizer, model)
    try:
        rig.commands.publish("say moving and move 20 cm")
        assert model.paused.wait(WAIT_S)
        running = rig.logic.worker.current
        rig.logic.deactivate()
        assert running is not None and running.cancel.is_set()
        model.gate.set()
        assert rig.wait(lambda: running.future.done() and not rig.logic.worker.busy)
        assert not rig.plans  # a cancelled request publishes nothing
        rig.logic.activate()
        rig.commands.publish("say moving and move 20 cm")
        assert rig.wait(lambda: len(rig.plans) == 1)
        assert [r.status for r in rig.executor.wait_results(rig.plans[0])] == [
            ResultStatus.SUCCEEDED] * 2
    finally:
        model.gate.set()
        rig.close()


def test_estop_voids_plans_in_flight_but_not_questions(bus: Bus, tokenizer: Gemma4Tokenizer
                                                       ) -> None:
    model = GatedModel(tokenizer, "The valve is open.")
    rig = rig_for(bus, tokenizer, model)
    try:
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        pending = client.call_async(AskRequest(question="is the valve open?"))
        assert model.paused.wait(WAIT_S)
        queued = rig.logic.submit_plan("say moving", PlanSource.TEXT)
        rig.executor.estop.publish(True)
        assert rig.wait(queued.cancel.is_set)
        asking = rig.logic.worker.current
        assert asking is not None and not asking.cancel.is_set()
        model.gate.set()
        reply = pending.result(WAIT_S)
        assert reply.success and reply.answer == "The valve is open."
        assert rig.wait(queued.future.done) and not rig.plans
    finally:
        model.gate.set()
        rig.close()


def test_the_record_parameter_keeps_the_mission_and_counts_in_diagnostics(
        bus: Bus, tokenizer: Gemma4Tokenizer, tmp_path) -> None:
    """What the ROS node's ``record`` parameter does: a record opened from the node's config;
    the logic records the command, the plan, the executor's verdicts, results and status and
    the e-stop from their topics, reports its counts in diagnostics, and closes the file with
    the node."""
    path = tmp_path / "node.mcap"
    config = PlannerNodeConfig(listen=False, record=str(path), diagnostics_period_s=0.1)
    planner = scripted(tokenizer, ScriptedModel(tokenizer, SAY_AND_MOVE))
    made = start_planner_rig(bus, planner, config,
                             recorder=open_planner_record(config, planner.model_name))
    try:
        made.commands.publish("say moving and move 20 cm")
        assert made.wait(lambda: len(made.plans) == 1)
        made.executor.wait_results(made.plans[0])
        bus.publisher(f"{NS}/estop", bool).publish(True)
        assert made.wait(lambda: any(s.estop_latched for s in made.executor.probe.statuses))
        assert made.wait(lambda: any(
            dict(d.values).get("record_written_dropped_failed", "0/").split("/")[0] not in
            ("", "0") for d in made.diagnostics))
        assert bus.wait_idle(WAIT_S)  # the last result delivered before the node closes
    finally:
        made.close()
    record = read_recording(path)
    assert not record.truncated
    assert record.on(recorded.COMMAND) == ["say moving and move 20 cm"]
    assert [p.plan_id for p in record.on(recorded.PLAN)] == [made.plans[0].plan_id]
    assert {v.step_index for v in record.on(recorded.VERDICTS)} == {0, 1}
    assert [r.status for r in record.on(recorded.RESULTS)] == [ResultStatus.SUCCEEDED] * 2
    assert record.on(recorded.ESTOP) == [True]
    assert any(s.estop_latched for s in record.on(recorded.STATUS))
    assert record.info["model"] and "config.safety.sha256" not in record.info  # the executor's
