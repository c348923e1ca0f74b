"""The e-stop bridge: True latches from a group of its own; False never unlatches."""

from __future__ import annotations

import threading

import pytest

from gemma4_ros.bus import Bus, EStopBridge

TIMEOUT = 5.0


class RecordingLatch:
    """The least a latch can be: records triggers; a reset would be a test failure."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.triggered = threading.Event()

    def trigger(self, reason: str) -> None:
        self.reasons.append(reason)
        self.triggered.set()

    def reset(self, operator: str) -> None:
        raise AssertionError(f"the bridge must never reset the latch (asked by {operator})")


def test_true_triggers_and_false_is_ignored(manual: Bus) -> None:
    latch = RecordingLatch()
    EStopBridge(manual, latch)
    button = manual.publisher("/estop", bool)
    button.publish(False)
    button.publish(True)
    button.publish(False)
    assert manual.wait_idle(TIMEOUT)
    assert latch.reasons == ["e-stop message on /estop"]


def test_estop_latches_while_a_long_callback_holds_the_model_lock(bus: Bus) -> None:
    model_lock = threading.Lock()
    inside, release = threading.Event(), threading.Event()

    def long_model_call(_text: str) -> None:
        with model_lock:
            inside.set()
            assert release.wait(TIMEOUT)

    latch = RecordingLatch()
    bridge = EStopBridge(bus, latch)
    bus.subscribe("/instruction", str, long_model_call)
    bus.publisher("/instruction", str).publish("go to the dock")
    assert inside.wait(TIMEOUT)
    bus.publisher("/estop", bool).publish(True)
    try:
        assert latch.triggered.wait(TIMEOUT)
        assert model_lock.locked() and not release.is_set()
        assert bridge.group.name == "estop"
    finally:
        release.set()


def test_latched_bridge_sees_a_press_from_before_it_existed(manual: Bus) -> None:
    manual.publisher("/estop", bool, latched=True, depth=1).publish(True)
    latch = RecordingLatch()
    EStopBridge(manual, latch, latched=True)
    assert manual.wait_idle(TIMEOUT)
    assert latch.reasons == ["e-stop message on /estop"]


def test_closed_bridge_ignores_presses(manual: Bus) -> None:
    latch = RecordingLatch()
    EStopBridge(manual, latch, "estop").close()
    manual.publisher("/estop", bool).publish(True)
    assert manual.wait_idle(TIMEOUT)
    assert latch.reasons == []


def test_with_the_safety_latch_only_an_operator_reset_unlatches(bus: Bus) -> None:
    estop = pytest.importorskip("gemma4_ros.safety.estop")
    latch = estop.EStopLatch()
    heard: list[tuple[bool, str]] = []
    latch.add_listener(lambda latched: heard.append((latched, threading.current_thread().name)))
    EStopBridge(bus, latch)
    button = bus.publisher("/estop", bool)
    button.publish(True)
    button.publish(False)
    assert bus.wait_idle(TIMEOUT)
    assert latch.latched and latch.latched_at is not None
    assert heard == [(True, "bus-estop-0")]  # synchronously, on the e-stop group's thread
    latch.reset("operator on console")
    assert not latch.latched and heard[-1][0] is False
