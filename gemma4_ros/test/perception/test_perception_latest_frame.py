"""The latest-frame buffer: newest wins, staleness by capture stamp, counters, many threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from gemma4_ros.perception.frame import Frame
from gemma4_ros.perception.latest_frame import LATENCY_WINDOW, LatestFrame, NoFrameError
from gemma4_ros.testing.clock import FakeClock

PIXELS = np.zeros((2, 2, 3), np.uint8)


def frame(stamp: float, frame_id: str = "cam") -> Frame:
    return Frame(PIXELS, stamp, frame_id)


def test_empty_buffer() -> None:
    buffer = LatestFrame(FakeClock())
    assert buffer.get() is None and buffer.age() is None and buffer.is_stale(100.0)
    with pytest.raises(NoFrameError, match="no camera frame") as caught:
        buffer.latest()
    assert "pass an image" in caught.value.hint
    stats = buffer.stats()
    assert (stats.received, stats.unread_dropped, stats.latency_mean_s) == (0, 0, None)


def test_newest_frame_wins_and_unread_ones_are_counted() -> None:
    clock = FakeClock()
    buffer = LatestFrame(clock)
    first, second, third = (frame(clock() - 0.1 * i) for i in (3, 2, 1))
    buffer.put(first)
    buffer.put(second)  # first replaced unread
    assert buffer.get() is second
    buffer.put(third)  # second was read: not a drop
    assert buffer.latest() is third
    stats = buffer.stats()
    assert (stats.received, stats.unread_dropped) == (3, 1)
    assert stats.latency_last_s == pytest.approx(0.1)
    assert stats.latency_mean_s == pytest.approx(0.2)
    assert stats.latency_max_s == pytest.approx(0.3)


def test_staleness_by_capture_stamp() -> None:
    clock = FakeClock()
    buffer = LatestFrame(clock)
    buffer.put(frame(clock() - 0.5))
    assert buffer.age() == pytest.approx(0.5)
    assert buffer.latest(max_age_s=1.0).stamp == clock() - 0.5
    clock.advance(1.0)
    assert buffer.is_stale(1.0) and not buffer.is_stale(2.0)
    with pytest.raises(NoFrameError, match=r"1\.50 s old \(limit 1\.0 s\)") as caught:
        buffer.latest(max_age_s=1.0)
    assert "max_frame_age_s" in caught.value.hint
    buffer.clear()
    assert buffer.get() is None and buffer.stats().received == 1


def test_latency_statistics_cover_a_window() -> None:
    clock = FakeClock()
    buffer = LatestFrame(clock)
    buffer.put(frame(clock() - 100.0))  # one huge latency, then a full window of small ones
    for _ in range(LATENCY_WINDOW):
        buffer.put(frame(clock() - 0.01))
    stats = buffer.stats()
    assert stats.latency_max_s == pytest.approx(0.01)
    assert stats.received == LATENCY_WINDOW + 1


def test_concurrent_writers_and_readers_see_only_whole_recent_frames() -> None:
    clock = FakeClock()
    buffer = LatestFrame(clock)
    writers, per_writer = 4, 500
    seen: list[list[Frame]] = [[] for _ in range(3)]
    done = threading.Event()

    def write(writer: int) -> None:
        for i in range(per_writer):
            buffer.put(frame(float(i), f"w{writer}"))

    def read(out: list[Frame]) -> None:  # checked on the main thread, where asserts count
        while not done.is_set():
            got = buffer.get()
            if got is not None:
                out.append(got)

    readers = [threading.Thread(target=read, args=(out,)) for out in seen]
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in readers + threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    for thread in readers:
        thread.join()
    stats = buffer.stats()
    assert stats.received == writers * per_writer
    assert stats.unread_dropped <= stats.received - 1
    final = buffer.get()
    assert final is not None and final.stamp == per_writer - 1
    frames = [got for out in seen for got in out]
    assert frames, "readers saw no frame"
    assert all(0 <= got.stamp < per_writer and got.frame_id in {"w0", "w1", "w2", "w3"}
               for got in frames)
