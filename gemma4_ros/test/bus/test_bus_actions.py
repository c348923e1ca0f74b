"""Actions: feedback, cancel, rejection, failures, and the single-goal policies."""

from __future__ import annotations

import logging
import threading

import pytest

from gemma4_ros.bus import (
    ActionOutcome, Bus, BusError, CancelResponse, GoalPolicy, GoalResponse, GoalStatus,
    MessageTypeError, ServerGoalHandle, UnknownEndpointError,
)

TIMEOUT = 5.0
TYPES = (int, int, str)  # goal, feedback, result
Handle = ServerGoalHandle[int, int, str]


def count_to(handle: Handle) -> str:
    for value in range(handle.goal):
        handle.publish_feedback(value)
    handle.succeed()
    return f"counted to {handle.goal}"


def accept_cancel(_handle: Handle) -> CancelResponse:
    return CancelResponse.ACCEPT


class Gate:
    """Lets a test see that an execute function started and decide when it may go on."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def enter(self) -> None:
        self.started.set()
        assert self.release.wait(TIMEOUT)


def test_goal_succeeds_with_feedback_in_order(bus: Bus) -> None:
    statuses: list[GoalStatus] = []

    def execute(handle: Handle) -> str:
        statuses.append(handle.status)
        return count_to(handle)

    bus.action_server("/count", TYPES, execute)
    feedback: list[int] = []
    goal = bus.action_client("/count", TYPES).send_goal(5, feedback.append)
    assert goal.result(TIMEOUT) == ActionOutcome(GoalStatus.SUCCEEDED, "counted to 5")
    assert bus.wait_idle(TIMEOUT)
    assert feedback == [0, 1, 2, 3, 4]
    assert statuses == [GoalStatus.EXECUTING]
    assert goal.status is GoalStatus.SUCCEEDED and goal.accepted is True and goal.done()


def test_manual_bus_answers_goals_and_feedback_when_spun(manual: Bus) -> None:
    manual.action_server("/count", TYPES, count_to)
    feedback: list[int] = []
    goal = manual.action_client("/count", TYPES).send_goal(2, feedback.append)
    assert goal.status is GoalStatus.PENDING and goal.accepted is None
    assert manual.spin_until(goal.done, TIMEOUT) and manual.wait_idle(TIMEOUT)
    assert feedback == [0, 1] and goal.result(0).result == "counted to 2"


def test_accepted_cancel_ends_the_goal_canceled(bus: Bus) -> None:
    started = threading.Event()

    def until_cancelled(handle: Handle) -> None:
        started.set()
        assert bus.spin_until(lambda: handle.is_cancel_requested, TIMEOUT)
        handle.canceled()

    bus.action_server("/spin", TYPES, until_cancelled, cancel_callback=accept_cancel)
    goal = bus.action_client("/spin", TYPES).send_goal(1)
    assert started.wait(TIMEOUT) and goal.status is GoalStatus.EXECUTING
    assert goal.cancel().result(TIMEOUT) is True
    assert goal.result(TIMEOUT).status is GoalStatus.CANCELED
    assert goal.cancel().result(TIMEOUT) is False  # nothing left to cancel


def test_cancel_is_refused_by_default_as_in_rclpy(bus: Bus) -> None:
    gate = Gate()

    def execute(handle: Handle) -> str:
        gate.enter()
        handle.succeed()
        return "finished anyway"

    bus.action_server("/dock", TYPES, execute)
    goal = bus.action_client("/dock", TYPES).send_goal(1)
    assert gate.started.wait(TIMEOUT)
    assert goal.cancel().result(TIMEOUT) is False
    assert goal.status is GoalStatus.EXECUTING
    gate.release.set()
    assert goal.result(TIMEOUT).status is GoalStatus.SUCCEEDED


def test_goal_callback_can_reject(bus: Bus) -> None:
    executed: list[int] = []

    def execute(handle: Handle) -> str:
        executed.append(handle.goal)
        return count_to(handle)

    def positive_only(goal: int) -> GoalResponse:
        return GoalResponse.ACCEPT if goal > 0 else GoalResponse.REJECT

    bus.action_server("/count", TYPES, execute, goal_callback=positive_only)
    goal = bus.action_client("/count", TYPES).send_goal(-1)
    outcome = goal.result(TIMEOUT)
    assert outcome.status is GoalStatus.REJECTED and "goal callback" in outcome.error
    assert goal.accepted is False and executed == []


@pytest.mark.parametrize(
    ("execute", "error"),
    [
        (lambda handle: 1 / 0, "execute raised ZeroDivisionError"),
        (lambda handle: "no end state", "without calling succeed(), abort() or canceled()"),
        (lambda handle: handle.canceled(), "cannot go from EXECUTING to CANCELED"),
        (lambda handle: handle.succeed() or 42, "result of action '/act': expected str, given int"),
    ],
    ids=["raises", "no-end-state", "canceled-unasked", "wrong-result-type"],
)
def test_faulty_execute_aborts_the_goal_and_the_server_keeps_serving(
    bus: Bus, execute: object, error: str, caplog: pytest.LogCaptureFixture
) -> None:
    calls = {"n": 0}

    def first_faulty(handle: Handle) -> object:
        calls["n"] += 1
        return execute(handle) if calls["n"] == 1 else count_to(handle)  # type: ignore[operator]

    bus.action_server("/act", TYPES, first_faulty)  # type: ignore[arg-type]
    client = bus.action_client("/act", TYPES)
    with caplog.at_level(logging.WARNING, logger="gemma4_ros.bus"):
        outcome = client.send_goal(1).result(TIMEOUT)
    assert outcome.status is GoalStatus.ABORTED and error in outcome.error
    assert client.send_goal(1).result(TIMEOUT).status is GoalStatus.SUCCEEDED


def test_preempt_cancels_the_active_goal_before_the_new_one_starts(bus: Bus) -> None:
    events: list[str] = []
    first_started = threading.Event()

    def execute(handle: Handle) -> str | None:
        events.append(f"start {handle.goal}")
        if handle.goal == 1:
            first_started.set()
            assert bus.spin_until(lambda: handle.is_cancel_requested, TIMEOUT)
            events.append("stop 1")
            handle.canceled()
            return None
        events.append(f"stop {handle.goal}")
        handle.succeed()
        return "done"

    bus.action_server("/nav", TYPES, execute, policy=GoalPolicy.PREEMPT)
    client = bus.action_client("/nav", TYPES)
    first = client.send_goal(1)
    assert first_started.wait(TIMEOUT)
    second = client.send_goal(2)
    assert first.result(TIMEOUT).status is GoalStatus.CANCELED
    assert second.result(TIMEOUT) == ActionOutcome(GoalStatus.SUCCEEDED, "done")
    assert events == ["start 1", "stop 1", "start 2", "stop 2"]


def test_preempted_waiting_goal_never_executes(bus: Bus) -> None:
    gate, started = Gate(), []

    def execute(handle: Handle) -> str | None:
        started.append(handle.goal)
        if handle.goal == 1:
            gate.enter()  # a goal that takes a while to stop
            handle.canceled()
            return None
        handle.succeed()
        return "done"

    bus.action_server("/nav", TYPES, execute, policy=GoalPolicy.PREEMPT)
    client = bus.action_client("/nav", TYPES)
    first = client.send_goal(1)
    assert gate.started.wait(TIMEOUT)
    second = client.send_goal(2)
    assert bus.spin_until(lambda: second.status is GoalStatus.ACCEPTED, TIMEOUT)
    third = client.send_goal(3)
    assert second.result(TIMEOUT).status is GoalStatus.CANCELED
    gate.release.set()
    assert first.result(TIMEOUT).status is GoalStatus.CANCELED
    assert third.result(TIMEOUT).status is GoalStatus.SUCCEEDED
    assert started == [1, 3]


def test_reject_policy_refuses_goals_while_one_is_active(bus: Bus) -> None:
    gate = Gate()

    def execute(handle: Handle) -> str:
        if handle.goal == 1:
            gate.enter()
        handle.succeed()
        return "done"

    bus.action_server("/dock", TYPES, execute, policy=GoalPolicy.REJECT)
    client = bus.action_client("/dock", TYPES)
    first = client.send_goal(1)
    assert gate.started.wait(TIMEOUT)
    refused = client.send_goal(2).result(TIMEOUT)
    assert refused.status is GoalStatus.REJECTED and "busy with goal" in refused.error
    gate.release.set()
    assert first.result(TIMEOUT).status is GoalStatus.SUCCEEDED
    assert client.send_goal(3).result(TIMEOUT).status is GoalStatus.SUCCEEDED


def test_raising_feedback_callback_does_not_lose_the_result(
    bus: Bus, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(_value: int) -> None:
        raise RuntimeError("display gone")

    bus.action_server("/count", TYPES, count_to)
    with caplog.at_level(logging.ERROR, logger="gemma4_ros.bus"):
        goal = bus.action_client("/count", TYPES).send_goal(2, explode)
        assert goal.result(TIMEOUT).status is GoalStatus.SUCCEEDED
        assert bus.wait_idle(TIMEOUT)
    assert any("feedback callback of action '/count'" in r.getMessage() for r in caplog.records)


def test_goal_errors_are_raised_at_send(bus: Bus) -> None:
    client = bus.action_client("/count", TYPES)
    with pytest.raises(UnknownEndpointError, match="action '/count'"):
        client.send_goal(1)
    bus.action_server("/count", TYPES, count_to)
    with pytest.raises(MessageTypeError, match="goal of action '/count'"):
        client.send_goal("1")  # type: ignore[arg-type]
    with pytest.raises(MessageTypeError, match="result type of action '/count'"):
        bus.action_client("/count", (int, int, int)).send_goal(1)


def test_wrong_feedback_type_aborts_the_goal(bus: Bus) -> None:
    bus.action_server("/bad", TYPES, lambda handle: handle.publish_feedback("x"))  # type: ignore
    outcome = bus.action_client("/bad", TYPES).send_goal(1).result(TIMEOUT)
    assert outcome.status is GoalStatus.ABORTED
    assert "feedback of action '/bad': expected int, given str" in outcome.error


def test_single_goal_policy_needs_a_mutually_exclusive_group(bus: Bus) -> None:
    with pytest.raises(BusError, match="workers=1"):
        bus.action_server("/nav", TYPES, count_to, policy=GoalPolicy.PREEMPT,
                          group=bus.callback_group("pool", workers=2))
