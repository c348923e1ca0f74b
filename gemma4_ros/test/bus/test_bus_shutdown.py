"""Shutdown: final, idempotent, fails what is pending with a clear error, leaves no thread."""

from __future__ import annotations

import threading

import pytest

from gemma4_ros.bus import Bus, BusError, BusShutdownError, GoalStatus, ServerGoalHandle

TIMEOUT = 5.0


def test_context_manager_shuts_down_and_shutdown_is_final() -> None:
    with Bus() as bus:
        publisher = bus.publisher("/chat", str)
    assert bus.is_shutdown
    with pytest.raises(BusShutdownError, match="publish on topic '/chat'.*shut down"):
        publisher.publish("late")
    with pytest.raises(BusShutdownError):
        bus.subscribe("/chat", str, print)
    with pytest.raises(BusShutdownError):
        bus.callback_group("late")
    bus.shutdown()  # idempotent
    assert isinstance(BusShutdownError("x"), BusError)


def test_pending_call_and_goal_fail_and_queued_callbacks_are_dropped(manual: Bus) -> None:
    delivered: list[str] = []
    manual.subscribe("/chat", str, delivered.append)
    manual.service("/echo", str, str, lambda text: text)
    manual.action_server("/act", (int, int, int), lambda handle: 1)  # never runs
    manual.publisher("/chat", str).publish("queued")
    call = manual.client("/echo", str, str).call_async("hi")
    goal = manual.action_client("/act", (int, int, int)).send_goal(1)
    manual.shutdown()
    with pytest.raises(BusShutdownError, match="call to service '/echo'"):
        call.result(0)
    with pytest.raises(BusShutdownError, match="goal of action '/act'"):
        goal.result(0)
    assert not manual.spin_once() and delivered == []


def test_callback_blocked_on_a_future_is_woken_by_shutdown(bus: Bus) -> None:
    """A callback waiting on a call that is queued behind itself would wait for ever; shutdown
    fails the future first, so the callback returns and its worker can be joined."""
    bus.service("/echo", str, str, lambda text: text)  # same group as the caller: never served
    client = bus.client("/echo", str, str)
    waiting, errors = threading.Event(), []

    def stuck(text: str) -> None:
        future = client.call_async(text)
        waiting.set()
        try:
            future.result(TIMEOUT)
        except BusShutdownError as error:
            errors.append(error)

    bus.subscribe("/chat", str, stuck)
    bus.publisher("/chat", str).publish("hello")
    assert waiting.wait(TIMEOUT)
    bus.shutdown()
    assert len(errors) == 1


def test_running_goal_is_asked_to_cancel_and_joined(bus: Bus) -> None:
    started, saw_cancel = threading.Event(), threading.Event()

    def until_cancelled(handle: ServerGoalHandle[int, int, int]) -> None:
        started.set()
        if bus.spin_until(lambda: handle.is_cancel_requested, TIMEOUT):
            saw_cancel.set()
        handle.canceled()

    bus.action_server("/patrol", (int, int, int), until_cancelled)
    goal = bus.action_client("/patrol", (int, int, int)).send_goal(1)
    assert started.wait(TIMEOUT)
    bus.shutdown()
    assert saw_cancel.is_set() and goal.status is GoalStatus.CANCELED
    with pytest.raises(BusShutdownError):
        goal.result(0)


def test_shutdown_from_inside_a_callback_does_not_deadlock(bus: Bus) -> None:
    bus.subscribe("/quit", bool, lambda _pressed: bus.shutdown())
    bus.publisher("/quit", bool).publish(True)
    assert bus.spin_until(lambda: bus.is_shutdown, TIMEOUT)
    assert bus.spin_until(
        lambda: not any(t.name.startswith("bus-") for t in threading.enumerate()), TIMEOUT
    )
