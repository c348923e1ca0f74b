"""Topics: typed, ordered per subscription, keep-last depth, transient-local (latched) history."""

from __future__ import annotations

import logging
import threading

import pytest

from gemma4_ros.bus import Bus, BusError, MessageTypeError, QosMismatchError
from gemma4_ros.types import Pose2D

TIMEOUT = 5.0


def test_messages_arrive_in_publish_order(bus: Bus) -> None:
    seen: list[int] = []
    bus.subscribe("/counter", int, seen.append, depth=500)  # nothing may be dropped
    publisher = bus.publisher("/counter", int)
    for value in range(500):
        publisher.publish(value)
    assert bus.spin_until(lambda: len(seen) == 500, TIMEOUT)
    assert seen == list(range(500))


def test_concurrent_publishers_lose_nothing_and_keep_their_own_order(bus: Bus) -> None:
    seen: list[tuple[int, int]] = []
    bus.subscribe("/multi", tuple, seen.append, depth=800)
    publisher = bus.publisher("/multi", tuple)

    def burst(source: int) -> None:
        for index in range(200):
            publisher.publish((source, index))

    threads = [threading.Thread(target=burst, args=(source,)) for source in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert bus.spin_until(lambda: len(seen) == 800, TIMEOUT)
    for source in range(4):
        assert [index for src, index in seen if src == source] == list(range(200))


def test_callback_may_publish_to_its_own_group(manual: Bus) -> None:
    seen: list[str] = []
    relay = manual.publisher("/b", str)
    manual.subscribe("/a", str, lambda text: relay.publish(text.upper()))
    manual.subscribe("/b", str, seen.append)
    manual.publisher("/a", str).publish("go")
    assert manual.spin_until(lambda: seen == ["GO"], TIMEOUT)


def test_manual_bus_delivers_only_when_spun_in_arrival_order(manual: Bus) -> None:
    seen: list[str] = []
    manual.subscribe("/a", str, lambda m: seen.append(f"a:{m}"))
    manual.subscribe("/b", str, lambda m: seen.append(f"b:{m}"))
    manual.publisher("/a", str).publish("1")
    manual.publisher("/b", str).publish("2")
    manual.publisher("/a", str).publish("3")
    assert seen == []
    assert manual.spin_once()
    assert seen == ["a:1"]
    assert manual.wait_idle(TIMEOUT)
    assert seen == ["a:1", "b:2", "a:3"]
    assert not manual.spin_once(timeout=0.0)


def test_publishing_the_wrong_type_names_topic_and_types(bus: Bus) -> None:
    publisher = bus.publisher("/pose", Pose2D)
    with pytest.raises(MessageTypeError) as error:
        publisher.publish({"x": 1.0})  # type: ignore[arg-type]
    text = str(error.value)
    assert "'/pose'" in text and "expected Pose2D" in text and "given dict" in text
    assert isinstance(error.value, TypeError)


def test_endpoints_must_agree_on_the_topic_type(bus: Bus) -> None:
    bus.publisher("/plan", str)
    with pytest.raises(MessageTypeError, match="'/plan'.*expected str, given int"):
        bus.subscribe("/plan", int, print)


def test_message_type_must_be_a_class(bus: Bus) -> None:
    with pytest.raises(BusError, match="not a type"):
        bus.publisher("/x", "str")  # type: ignore[arg-type]


def test_depth_must_be_positive(bus: Bus) -> None:
    with pytest.raises(BusError, match="depth=0"):
        bus.subscribe("/x", str, print, depth=0)


def test_latched_topic_gives_late_joiner_the_last_depth_messages(manual: Bus) -> None:
    last_only = manual.publisher("/map", str, latched=True, depth=1)
    last_three = manual.publisher("/log", int, latched=True, depth=3)
    for value in range(5):
        last_only.publish(f"map{value}")
        last_three.publish(value)
    maps: list[str] = []
    logs: list[int] = []
    manual.subscribe("/map", str, maps.append, latched=True)
    manual.subscribe("/log", int, logs.append, latched=True)
    assert manual.wait_idle(TIMEOUT)
    assert maps == ["map4"] and logs == [2, 3, 4]


def test_volatile_late_joiner_gets_no_history(manual: Bus) -> None:
    manual.publisher("/map", str, latched=True, depth=1).publish("old")
    seen: list[str] = []
    manual.subscribe("/map", str, seen.append)
    assert manual.wait_idle(TIMEOUT)
    assert seen == []


def test_closing_a_latched_publisher_drops_its_history(manual: Bus) -> None:
    publisher = manual.publisher("/map", str, latched=True, depth=1)
    publisher.publish("old")
    publisher.close()
    seen: list[str] = []
    manual.subscribe("/map", str, seen.append, latched=True)
    assert manual.wait_idle(TIMEOUT)
    assert seen == []
    with pytest.raises(BusError, match="closed"):
        publisher.publish("again")


@pytest.mark.parametrize("subscriber_first", [True, False])
def test_latched_subscription_and_volatile_publisher_are_incompatible(
    bus: Bus, subscriber_first: bool
) -> None:
    with pytest.raises(QosMismatchError, match="latched=True"):
        if subscriber_first:
            bus.subscribe("/map", str, print, latched=True)
            bus.publisher("/map", str)
        else:
            bus.publisher("/map", str)
            bus.subscribe("/map", str, print, latched=True)


def test_keep_last_drops_oldest_queued_when_subscriber_is_slow(bus: Bus) -> None:
    started, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def slow(value: int) -> None:
        started.set()
        assert release.wait(TIMEOUT)
        seen.append(value)

    subscription = bus.subscribe("/scan", int, slow, depth=2)
    publisher = bus.publisher("/scan", int)
    publisher.publish(0)
    assert started.wait(TIMEOUT)  # 0 is being handled; 1..4 compete for two queue slots
    for value in range(1, 5):
        publisher.publish(value)
    release.set()
    assert bus.spin_until(lambda: len(seen) == 3, TIMEOUT) and bus.wait_idle(TIMEOUT)
    assert seen == [0, 3, 4]
    assert subscription.dropped == 2


def test_raising_callback_is_logged_with_topic_and_keeps_serving(
    bus: Bus, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[int] = []

    def fragile(value: int) -> None:
        if value == 1:
            raise ValueError("bad reading")
        seen.append(value)

    bus.subscribe("/sensor", int, fragile)
    publisher = bus.publisher("/sensor", int)
    with caplog.at_level(logging.ERROR, logger="gemma4_ros.bus"):
        for value in range(3):
            publisher.publish(value)
        assert bus.spin_until(lambda: seen == [0, 2], TIMEOUT)
    assert any("'/sensor'" in record.getMessage() and record.exc_info for record in caplog.records)


def test_closed_subscription_gets_nothing_more(manual: Bus) -> None:
    seen: list[str] = []
    subscription = manual.subscribe("/chat", str, seen.append)
    publisher = manual.publisher("/chat", str)
    publisher.publish("queued")
    subscription.close()
    publisher.publish("after")
    assert manual.wait_idle(TIMEOUT)
    assert seen == [] and publisher.subscription_count() == 0
