"""The main job over real DDS: a command becomes a plan, the gate judges it, the simulated robot
moves, and results come back — by topic, through the Instruct and ExecutePlan actions, with an
operator's Confirm, and the copilot's Ask."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from ros_ready import require_ros

require_ros()

from gemma4_ros_msgs.action import ExecutePlan, Instruct  # noqa: E402
from gemma4_ros_msgs.msg import (  # noqa: E402
    Citation, ExecutorStatus, Plan, SafetyVerdict, ToolResult,
)
from gemma4_ros_msgs.srv import Ask, Confirm  # noqa: E402
from ros_harness import (  # noqa: E402
    LATCHED, NS, Client, latest, plan_message, start_system, wait_until,
)
from gemma4_ros.recording import read_recording  # noqa: E402
from gemma4_ros.recording import topics as recorded  # noqa: E402
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue  # noqa: E402
from std_msgs.msg import String  # noqa: E402

COMMAND = "go to the kitchen and wait 2 seconds"


def test_a_command_is_planned_gated_and_driven_to_success(launch: Callable[..., Any],
                                                          client: Client) -> None:
    plans = client.collect(f"{NS}/planner/plan", Plan, LATCHED)
    verdicts = client.collect(f"{NS}/executor/verdicts", SafetyVerdict)
    results = client.collect(f"{NS}/executor/results", ToolResult)
    start_system(launch, client)
    client.publish_when_heard(f"{NS}/command", String(data=COMMAND))
    plan = wait_until(lambda: latest(plans, lambda p: p.instruction == COMMAND), what="a plan")
    assert [s.call.name for s in plan.steps] == ["navigate_to", "wait"]
    assert plan.source == Plan.SOURCE_TEXT and plan.model.startswith("gemma4-ros-demo")
    wait_until(lambda: len([r for r in results if r.plan_id == plan.plan_id]) == 2,
               what="two tool results")
    mine = [r for r in results if r.plan_id == plan.plan_id]
    assert [r.status for r in mine] == [ToolResult.STATUS_SUCCEEDED] * 2, mine
    assert [v.decision for v in verdicts if v.plan_id == plan.plan_id][:2] == [
        SafetyVerdict.DECISION_APPROVED] * 2
    arrived = json.loads(mine[0].result_json)
    assert arrived, "navigate_to reports where the robot arrived"


def test_the_record_argument_keeps_the_mission_in_a_flight_record(
        launch: Callable[..., Any], client: Client, tmp_path: Path) -> None:
    """``record:=FILE``: the planner node writes the command, the plan and the executor's
    verdicts and results; after Ctrl-C the file reads back (whole, or up to its last chunk)."""
    path = tmp_path / "mission.mcap"
    results = client.collect(f"{NS}/executor/results", ToolResult)
    launched = start_system(launch, client, record=str(path))
    client.publish_when_heard(f"{NS}/command", String(data=COMMAND))
    wait_until(lambda: len(results) == 2, what="two tool results")
    time.sleep(2.0)  # the recorder closes its chunk when its queue runs dry
    launched.stop()
    record = read_recording(path)
    assert record.on(recorded.COMMAND) == [COMMAND]
    (plan,) = record.on(recorded.PLAN)
    assert [s.call.name for s in plan.steps] == ["navigate_to", "wait"]
    assert {r.call_id for r in record.on(recorded.RESULTS)} == {r.call_id for r in results}
    assert {v.step_index for v in record.on(recorded.VERDICTS)} == {0, 1}
    assert record.info["model"].startswith("gemma4-ros-demo")


def test_instruct_streams_feedback_then_returns_the_plan(launch: Callable[..., Any],
                                                         client: Client) -> None:
    start_system(launch, client)
    feedback: list[Any] = []
    goal = Instruct.Goal(instruction=COMMAND, source=Plan.SOURCE_TEXT, execute=False)
    outcome = client.run_goal(f"{NS}/planner/instruct", Instruct, goal, feedback.append)
    assert outcome.result.success, outcome.result.error
    assert [s.call.name for s in outcome.result.plan.steps] == ["navigate_to", "wait"]
    counts = [f.tokens_generated for f in feedback]
    assert counts and counts == sorted(counts) and counts[-1] > 0
    texts = [f.partial_text for f in feedback]
    assert all(later.startswith(earlier) for earlier, later in zip(texts, texts[1:]))


def test_execute_plan_feedback_is_in_order_and_ends_as_the_result_says(
        launch: Callable[..., Any], client: Client) -> None:
    start_system(launch, client)
    feedback: list[Any] = []
    plan = plan_message(client, ("speak", {"text": "hello"}), ("wait", {"seconds": 0.5}))
    outcome = client.run_goal(f"{NS}/executor/execute_plan", ExecutePlan,
                              ExecutePlan.Goal(plan=plan), feedback.append)
    assert outcome.result.success, outcome.result.error
    assert [r.status for r in outcome.result.results] == [ToolResult.STATUS_SUCCEEDED] * 2
    steps = [f.current_step for f in feedback if f.current_step >= 0]
    assert steps == sorted(steps) and 1 in steps
    # Feedback and result travel on different topics: the last feedback may land just after.
    last = wait_until(lambda: feedback[-1].current_step == -1 and feedback[-1].state
                      != ExecutorStatus.STATE_EXECUTING and feedback[-1],
                      what=lambda: "the last feedback, after "
                      + str([(f.current_step, f.state) for f in feedback]))
    assert last.current_step == -1 and last.state == ExecutorStatus.STATE_IDLE
    assert last.last_result.call_id == outcome.result.results[-1].call_id
    assert last.last_result.status == ToolResult.STATUS_SUCCEEDED


def test_a_call_that_needs_confirmation_runs_once_the_operator_confirms(
        launch: Callable[..., Any], client: Client) -> None:
    statuses = client.collect(f"{NS}/executor/status", ExecutorStatus, LATCHED)
    verdicts = client.collect(f"{NS}/executor/verdicts", SafetyVerdict)
    results = client.collect(f"{NS}/executor/results", ToolResult)
    start_system(launch, client, mode="supervised")
    plan = plan_message(client, ("move", {"distance": 0.5}), plan_id="confirm-me")
    client.publish_when_heard(f"{NS}/planner/plan", plan, LATCHED)
    wait_until(lambda: latest(statuses, lambda s: s.state
                              == ExecutorStatus.STATE_AWAITING_CONFIRMATION),
               what="the executor to wait for confirmation")
    assert any(v.decision == SafetyVerdict.DECISION_NEEDS_CONFIRMATION for v in verdicts)
    assert not results, "nothing runs before the operator answers"
    reply = client.call(f"{NS}/executor/confirm", Confirm, Confirm.Request(
        plan_id="confirm-me", step_index=0, approve=True, operator_id="test-operator"))
    assert reply.accepted, reply.message
    result = wait_until(lambda: latest(results, lambda r: r.plan_id == "confirm-me"),
                        what="the confirmed step's result")
    assert result.status == ToolResult.STATUS_SUCCEEDED, result.error


def test_ask_answers_and_with_a_plan_request_also_proposes_a_plan(
        launch: Callable[..., Any], client: Client) -> None:
    plans = client.collect(f"{NS}/planner/plan", Plan, LATCHED)
    start_system(launch, client)
    answer = client.call(f"{NS}/planner/ask", Ask, Ask.Request(question="where are you?"))
    assert answer.success and answer.answer.strip(), answer.error
    assert not answer.plan.plan_id, "no plan unless asked for"
    both = client.call(f"{NS}/planner/ask", Ask, Ask.Request(question=COMMAND, want_plan=True))
    assert both.success, both.error
    assert both.answer.strip(), "an answer as well as the plan"
    assert both.plan.source == Plan.SOURCE_COPILOT
    assert [s.call.name for s in both.plan.steps] == ["navigate_to", "wait"]
    assert not [p for p in plans if p.source == Plan.SOURCE_COPILOT], "a proposal is not sent"


def test_ask_cites_the_rules_that_refused_the_last_command(launch: Callable[..., Any],
                                                            client: Client) -> None:
    """The planner hears the executor refuse its plan (executor/verdicts) and gives Ask the
    refusal with the command it answered: the response cites the gate's rule ids."""
    command = "rotate 270 degrees to the left"
    verdicts = client.collect(f"{NS}/executor/verdicts", SafetyVerdict)
    start_system(launch, client, ask_events="5")
    client.publish_when_heard(f"{NS}/command", String(data=command))
    refused = wait_until(lambda: latest(
        verdicts, lambda v: v.decision == SafetyVerdict.DECISION_REJECTED), what="a refusal")
    answer = client.call(f"{NS}/planner/ask", Ask,
                         Ask.Request(question="why was my last command refused?"))
    rules = [c for c in answer.citations if c.kind == Citation.KIND_RULE]
    assert rules, (answer.error, answer.citations)
    assert [c.source for c in rules] == list(refused.rules)
    assert rules[0].quote == refused.reasons[0] and refused.plan_id in rules[0].locator


def test_ask_cites_a_warning_any_node_logged(launch: Callable[..., Any], client: Client) -> None:
    """Every node's logger publishes on /rosout: the planner keeps the warnings and errors it
    hears there and Ask cites them by logger (here the test's own node)."""
    start_system(launch, client, ask_logs="5")
    message = "lidar: no scan for 2 s, lens blocked?"

    def logged() -> Any:
        client.node.get_logger().warning(message)
        answer = client.call(f"{NS}/planner/ask", Ask, Ask.Request(question="why did you stop?"))
        return next((c for c in answer.citations if c.kind == Citation.KIND_LOG), None)

    cited = wait_until(logged, what="the warning cited")  # /rosout is matched in the background
    assert cited.source == client.node.get_logger().name and cited.quote == message
    assert cited.locator.startswith("WARN, ")


def test_ask_cites_a_components_diagnostics(launch: Callable[..., Any], client: Client) -> None:
    """Every status of a DiagnosticArray on /diagnostics is kept, the latest per component;
    Ask cites the troubled one first with its level and values as reported."""
    start_system(launch, client, ask_diagnostics="3")
    board = client.publisher("/diagnostics", DiagnosticArray)
    array = DiagnosticArray(status=[
        DiagnosticStatus(name="lidar", level=DiagnosticStatus.OK, message="scanning"),
        DiagnosticStatus(name="battery", level=DiagnosticStatus.WARN, message="low",
                         values=[KeyValue(key="percent", value="12")])])
    array.header.stamp = client.node.get_clock().now().to_msg()

    def reported() -> Any:
        board.publish(array)
        answer = client.call(f"{NS}/planner/ask", Ask, Ask.Request(question="is anything wrong?"))
        return [c for c in answer.citations if c.kind == Citation.KIND_DIAGNOSTIC] or None

    cited = wait_until(reported, what="the diagnostics cited")
    assert (cited[0].source, cited[0].quote) == ("battery", "low | percent=12")
    assert cited[0].locator.startswith("WARN, ")
    assert "lidar" in [c.source for c in cited]


def test_ask_through_the_models_own_tool_calls(launch: Callable[..., Any],
                                                client: Client) -> None:
    """``ask_tool_calls:=2``: nothing is given to the model first; it is shown recent_events and
    calls it itself (the demo model does, for this question), and the response cites the
    refusal's rules — sent even when the demo model then gives no answer text."""
    verdicts = client.collect(f"{NS}/executor/verdicts", SafetyVerdict)
    start_system(launch, client, ask_events="5", ask_tool_calls="2")
    client.publish_when_heard(f"{NS}/command", String(data="rotate 270 degrees to the left"))
    refused = wait_until(lambda: latest(
        verdicts, lambda v: v.decision == SafetyVerdict.DECISION_REJECTED), what="a refusal")
    answer = client.call(f"{NS}/planner/ask", Ask,
                         Ask.Request(question="why was my last command refused?"))
    rules = [c.source for c in answer.citations if c.kind == Citation.KIND_RULE]
    assert rules == list(refused.rules), (answer.error, answer.citations)
    assert not answer.plan.plan_id
