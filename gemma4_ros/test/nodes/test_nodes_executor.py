"""The executor node's logic end to end on the in-process bus: plan → gate → sim robot → results,
ExecutePlan with feedback and cancel, e-stop beside a busy callback, Confirm, reset, lifecycle."""

from __future__ import annotations

import threading

import pytest
from node_rig import NS, WAIT_S, ExecutorRig, make_plan, start_rig

from gemma4_ros.bus import Bus, GoalStatus
from gemma4_ros.interfaces import (
    ConfirmRequest, ConfirmResponse, ExecutePlanFeedback, ExecutePlanResult, ResetEStopRequest,
    ResetEStopResponse,
)
from gemma4_ros.safety.gate import UnknownModeError
from gemma4_ros.types import Decision, ExecutorState, Plan, ResultStatus

ACTION_TYPES = (Plan, ExecutePlanFeedback, ExecutePlanResult)


def test_published_plan_runs_through_gate_on_sim_robot(rig: ExecutorRig) -> None:
    start = rig.logic.robot.pose  # type: ignore[union-attr]
    plan = make_plan(("speak", {"text": "moving"}), ("move", {"distance": 0.2}))
    rig.plans.publish(plan)
    results = rig.wait_results(plan)
    assert [r.status for r in results] == [ResultStatus.SUCCEEDED] * 2
    assert results[0].result == {"spoken": "moving"}
    moved = rig.logic.robot.pose  # type: ignore[union-attr]
    assert abs(moved.x - start.x - 0.2) < 1e-6
    assert rig.wait(lambda: ExecutorState.IDLE in rig.probe.states()[1:])
    assert ExecutorState.EXECUTING in rig.probe.states()
    mine = [v for v in rig.probe.verdicts if v.plan_id == plan.plan_id]
    assert {v.decision for v in mine} == {Decision.APPROVED}
    assert {v.step_index for v in mine} == {0, 1}  # whole-plan check and per-step re-checks


def test_plan_beyond_the_gate_is_rejected_whole_and_nothing_moves(rig: ExecutorRig) -> None:
    start = rig.logic.robot.pose  # type: ignore[union-attr]
    plan = make_plan(("speak", {"text": "going"}), ("move", {"distance": 4.0}))  # bound: 3 m
    rig.plans.publish(plan)
    results = rig.wait_results(plan)
    assert [r.status for r in results] == [ResultStatus.REJECTED] * 2
    assert "above the safety limit 3" in results[1].error
    assert rig.logic.robot.pose == start  # type: ignore[union-attr]
    assert not rig.logic.robot.speech  # type: ignore[union-attr]
    assert any(v.decision is Decision.REJECTED and "bounds.distance" in v.rules
               for v in rig.probe.verdicts)


def test_a_plan_id_runs_at_most_once(rig: ExecutorRig, bus: Bus) -> None:
    plan = make_plan(("speak", {"text": "once"}))
    rig.plans.publish(plan)
    rig.plans.publish(plan)
    client = bus.action_client(f"{NS}/executor/execute_plan", ACTION_TYPES)
    outcome = client.send_goal(plan).result(WAIT_S)
    assert outcome.status is GoalStatus.SUCCEEDED
    assert outcome.result is not None and outcome.result.success
    assert [r.call_id for r in outcome.result.results] == [plan.steps[0].call.id]
    assert list(rig.logic.robot.speech) == ["once"]  # type: ignore[union-attr]


def test_execute_plan_action_streams_feedback_and_returns_results(rig: ExecutorRig,
                                                                  bus: Bus) -> None:
    feedback: list[ExecutePlanFeedback] = []
    plan = make_plan(("speak", {"text": "a"}), ("wait", {"seconds": 0.05}))
    client = bus.action_client(f"{NS}/executor/execute_plan", ACTION_TYPES)
    outcome = client.send_goal(plan, feedback.append).result(WAIT_S)
    assert outcome.status is GoalStatus.SUCCEEDED
    assert outcome.result is not None
    assert outcome.result.success and outcome.result.error == ""
    assert [r.status for r in outcome.result.results] == [ResultStatus.SUCCEEDED] * 2
    assert rig.wait(lambda: any(f.last_result is not None
                                and f.last_result.call_id == plan.steps[1].call.id
                                for f in feedback))
    assert any(f.state is ExecutorState.EXECUTING and f.current_step == 1 for f in feedback)
    # The last feedback agrees with the result: nothing running, the executor idle, the last
    # step's result.
    assert rig.wait(lambda: bool(feedback) and feedback[-1].state is ExecutorState.IDLE)
    last = feedback[-1]
    assert last.current_step == -1
    assert last.last_result is not None and last.last_result == outcome.result.results[-1]


def test_execute_plan_cancel_stops_that_plan_only(rig: ExecutorRig, bus: Bus) -> None:
    feedback: list[ExecutePlanFeedback] = []
    plan = make_plan(("wait", {"seconds": 60.0}), ("speak", {"text": "never"}))
    client = bus.action_client(f"{NS}/executor/execute_plan", ACTION_TYPES)
    goal = client.send_goal(plan, feedback.append)
    assert rig.wait(lambda: any(f.current_step == 0 for f in feedback))
    assert goal.cancel().result(WAIT_S) is True
    outcome = goal.result(WAIT_S)
    assert outcome.status is GoalStatus.CANCELED
    assert outcome.result is not None and not outcome.result.success
    assert [r.status for r in outcome.result.results] == [ResultStatus.CANCELED] * 2
    # A later plan is untouched by that goal's cancel.
    after = make_plan(("speak", {"text": "next"}))
    rig.plans.publish(after)
    assert [r.status for r in rig.wait_results(after)] == [ResultStatus.SUCCEEDED]


def test_estop_is_handled_while_the_default_group_is_blocked(rig: ExecutorRig, bus: Bus) -> None:
    # A long callback holds the node's default group (where plans and services run).
    entered, release = threading.Event(), threading.Event()

    def slow(_: str) -> None:
        entered.set()
        release.wait(WAIT_S)

    rig.logic.transport.subscribe("~/slow", str, slow)
    plan = make_plan(("wait", {"seconds": 60.0}))
    rig.plans.publish(plan)
    assert rig.wait(lambda: rig.logic.executor.status.state is ExecutorState.EXECUTING)
    bus.publisher(f"{NS}/executor/slow", str).publish("block")
    assert entered.wait(WAIT_S)
    try:
        rig.estop.publish(True)
        assert rig.wait(lambda: rig.logic.estop.latched)
        assert rig.wait(lambda: rig.logic.executor.status.state is ExecutorState.ESTOPPED)
        assert not release.is_set()  # the default group was busy the whole time
        assert [r.status for r in rig.wait_results(plan)] == [ResultStatus.CANCELED]
    finally:
        release.set()


def test_estop_false_never_releases_and_reset_needs_the_service(rig: ExecutorRig,
                                                                bus: Bus) -> None:
    before = make_plan(("speak", {"text": "stale"}))  # stamped before the e-stop
    rig.estop.publish(True)
    assert rig.wait(lambda: rig.logic.executor.status.state is ExecutorState.ESTOPPED)
    rig.estop.publish(False)
    assert bus.wait_idle(WAIT_S)
    assert rig.logic.estop.latched
    reset = bus.client(f"{NS}/executor/reset_estop", ResetEStopRequest, ResetEStopResponse)
    refused = reset.call_async(ResetEStopRequest(operator_id=" ")).result(WAIT_S)
    assert not refused.success and rig.logic.estop.latched
    reply = reset.call_async(ResetEStopRequest(operator_id="alice")).result(WAIT_S)
    assert reply.success and not rig.logic.estop.latched
    assert any(r["kind"] == "estop_reset" and r["operator"] == "alice"
               for r in rig.logic.audit.recent)
    assert rig.wait(lambda: rig.logic.executor.status.state is ExecutorState.IDLE)
    rig.plans.publish(before)
    [result] = rig.wait_results(before)
    assert result.status is ResultStatus.REJECTED and "void" in result.error


@pytest.mark.parametrize("approve", [True, False])
def test_confirm_service_answers_the_waiting_step(bus: Bus, approve: bool) -> None:
    rig = start_rig(bus, mode="supervised")  # every motion needs an operator's OK
    try:
        confirm = bus.client(f"{NS}/executor/confirm", ConfirmRequest, ConfirmResponse)
        plan = make_plan(("move", {"distance": 0.1}))
        rig.plans.publish(plan)
        assert rig.wait(lambda: rig.logic.executor.status.state
                        is ExecutorState.AWAITING_CONFIRMATION)
        wrong = confirm.call_async(ConfirmRequest(plan_id=plan.plan_id, step_index=1,
                                                  approve=True, operator_id="bob")).result(WAIT_S)
        assert not wrong.accepted and "step 0" in wrong.message
        right = confirm.call_async(ConfirmRequest(plan_id=plan.plan_id, step_index=0,
                                                  approve=approve, operator_id="bob"))
        assert right.result(WAIT_S).accepted
        [result] = rig.wait_results(plan)
        expected = ResultStatus.SUCCEEDED if approve else ResultStatus.REJECTED
        assert result.status is expected
    finally:
        rig.logic.close()


def test_mode_switch_refuses_unknown_modes_and_applies_known_ones(rig: ExecutorRig) -> None:
    with pytest.raises(UnknownModeError, match="maintenance"):
        rig.logic.set_mode("holiday")
    rig.logic.set_mode("maintenance")
    plan = make_plan(("move", {"distance": 0.1}))
    rig.plans.publish(plan)
    assert [r.status for r in rig.wait_results(plan)] == [ResultStatus.REJECTED]


def test_inactive_node_runs_no_plans_but_still_latches_estop(rig: ExecutorRig,
                                                             bus: Bus) -> None:
    rig.logic.deactivate()
    plan = make_plan(("speak", {"text": "asleep"}))
    rig.plans.publish(plan)
    rig.estop.publish(True)
    assert rig.wait(lambda: rig.logic.estop.latched)
    assert bus.wait_idle(WAIT_S)
    assert rig.results_of(plan) == []
    rig.logic.activate()  # the latched plan reaches the new subscription: judged, not run
    [result] = rig.wait_results(plan)
    assert result.status is ResultStatus.REJECTED


def test_status_is_latched_and_republished_as_heartbeat(bus: Bus) -> None:
    rig = start_rig(bus, status_period_s=0.1)
    try:
        assert rig.wait(lambda: len(rig.probe.statuses) >= 3)
        assert {s.state for s in rig.probe.statuses} == {ExecutorState.IDLE}
    finally:
        rig.logic.close()


def test_a_cancel_for_another_plan_id_leaves_the_running_plan_alone(rig: ExecutorRig) -> None:
    plan = make_plan(("wait", {"seconds": 0.3}), ("speak", {"text": "still here"}))
    rig.plans.publish(plan)
    assert rig.wait(lambda: rig.logic.executor.status.state is ExecutorState.EXECUTING)
    rig.logic.executor.cancel("late cancel of an old goal", plan_id="plan-finished-long-ago")
    assert [r.status for r in rig.wait_results(plan)] == [ResultStatus.SUCCEEDED] * 2


def test_deactivation_cancels_a_running_goal_and_reports_it(rig: ExecutorRig, bus: Bus) -> None:
    plan = make_plan(("wait", {"seconds": 60.0}))
    client = bus.action_client(f"{NS}/executor/execute_plan", ACTION_TYPES)
    goal = client.send_goal(plan)
    assert rig.wait(lambda: rig.logic.executor.status.state is ExecutorState.EXECUTING)
    rig.logic.deactivate()
    outcome = goal.result(WAIT_S)
    assert outcome.status is GoalStatus.ABORTED and outcome.result is not None
    assert [r.status for r in outcome.result.results] == [ResultStatus.CANCELED]
    assert "deactivated" in outcome.result.error
    assert not client.server_is_ready()
