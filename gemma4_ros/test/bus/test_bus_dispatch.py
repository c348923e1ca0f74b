"""Delivery model: callbacks on their group's threads, never the publisher's; groups isolate."""

from __future__ import annotations

import threading

import pytest

from gemma4_ros.bus import Bus, BusError

TIMEOUT = 5.0


class Blocker:
    """A callback that holds its group until released, as a long model call would."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, _message: object) -> None:
        self.started.set()
        assert self.release.wait(TIMEOUT)


def test_callbacks_run_on_a_worker_thread_not_the_publishers(bus: Bus) -> None:
    threads: list[str] = []
    bus.subscribe("/t", int, lambda _v: threads.append(threading.current_thread().name))
    bus.publisher("/t", int).publish(1)
    assert bus.spin_until(lambda: bool(threads), TIMEOUT)
    assert threads[0].startswith("bus-default") and threads[0] != threading.current_thread().name


def test_slow_subscriber_blocks_neither_publisher_nor_estop_group(bus: Bus) -> None:
    blocker = Blocker()
    bus.subscribe("/camera", int, blocker, depth=1)
    estop_seen = threading.Event()
    bus.subscribe("/estop", bool, lambda _v: estop_seen.set(), group=bus.callback_group("estop"))
    camera = bus.publisher("/camera", int)
    camera.publish(0)
    assert blocker.started.wait(TIMEOUT)
    for frame in range(1, 1000):  # returns although the only subscriber is stuck
        camera.publish(frame)
    bus.publisher("/estop", bool).publish(True)
    try:
        assert estop_seen.wait(TIMEOUT)
        assert not blocker.release.is_set()  # delivered while the slow callback still runs
    finally:
        blocker.release.set()


def test_default_group_is_mutually_exclusive(bus: Bus) -> None:
    blocker = Blocker()
    later: list[str] = []
    bus.subscribe("/slow", int, blocker)
    bus.subscribe("/other", str, later.append)
    bus.publisher("/slow", int).publish(1)
    assert blocker.started.wait(TIMEOUT)
    bus.publisher("/other", str).publish("queued")
    assert not bus.spin_until(lambda: bool(later), timeout=0.2)  # same group: must wait
    blocker.release.set()
    assert bus.spin_until(lambda: later == ["queued"], TIMEOUT)


def test_reentrant_group_runs_callbacks_concurrently(bus: Bus) -> None:
    both = threading.Barrier(2, timeout=TIMEOUT)
    passed: list[int] = []

    def meet(value: int) -> None:
        both.wait()  # raises BrokenBarrierError unless two callbacks run at the same time
        passed.append(value)

    bus.subscribe("/pair", int, meet, group=bus.callback_group("pool", workers=2))
    publisher = bus.publisher("/pair", int)
    publisher.publish(1)
    publisher.publish(2)
    assert bus.spin_until(lambda: sorted(passed) == [1, 2], TIMEOUT)


def test_each_node_has_its_own_default_group(bus: Bus) -> None:
    planner, executor = bus.node("planner"), bus.node("executor")
    blocker = Blocker()
    seen: list[str] = []
    planner.subscribe("/instruction", str, blocker)
    executor.subscribe("/status", str, seen.append)
    bus.publisher("/instruction", str).publish("go")
    assert blocker.started.wait(TIMEOUT)
    bus.publisher("/status", str).publish("idle")
    try:
        assert bus.spin_until(lambda: seen == ["idle"], TIMEOUT)
    finally:
        blocker.release.set()


def test_wait_idle_waits_for_running_callbacks(bus: Bus) -> None:
    blocker = Blocker()
    bus.subscribe("/x", int, blocker)
    bus.publisher("/x", int).publish(1)
    assert blocker.started.wait(TIMEOUT)
    assert not bus.wait_idle(timeout=0.1)
    blocker.release.set()
    assert bus.wait_idle(TIMEOUT)


def test_spin_once_belongs_to_manual_mode(bus: Bus) -> None:
    with pytest.raises(BusError, match="threaded=False"):
        bus.spin_once()


def test_group_needs_a_worker(bus: Bus) -> None:
    with pytest.raises(BusError, match="workers >= 1"):
        bus.callback_group("none", workers=0)
