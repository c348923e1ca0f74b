"""Keep only the newest camera frame, for whoever asks next.

The planner reads the camera far less often than the camera publishes (one ``Ask`` every few
seconds against 30 frames per second), so queuing frames would only add latency and memory: a
sensor-data subscription with depth 1 feeds :meth:`LatestFrame.put`, and a request that gives no
image takes :meth:`LatestFrame.latest`. Both sides hold the lock for a pointer swap only, so the
camera callback never waits on the model worker.

Staleness is judged from the frame's capture stamp, because that is what says whether the image
still shows the world; receive latency (arrival − capture) is kept separately, where it reveals a
slow link or unsynchronised camera clock rather than hiding it in the age.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.frame import Frame

#: Receive latencies averaged in :class:`FrameStats` (the most recent ones).
LATENCY_WINDOW = 100


class NoFrameError(Gemma4RosError):
    """No frame has arrived yet, or the newest one is older than the caller accepts."""


@dataclass(frozen=True)
class FrameStats:
    """Counters for diagnostics: how many frames came, how many nobody read, how late they came."""

    received: int
    unread_dropped: int  # replaced by a newer frame before anyone read them (normal at 30 fps)
    latency_last_s: float | None
    latency_mean_s: float | None  # over the last LATENCY_WINDOW frames
    latency_max_s: float | None  # over the last LATENCY_WINDOW frames


class LatestFrame:
    """A one-slot, thread-safe frame holder; ``clock`` gives the current time in epoch seconds."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._frame: Frame | None = None
        self._read = True
        self._received = 0
        self._dropped = 0
        self._latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)

    def put(self, frame: Frame) -> None:
        """Replace the held frame; never blocks beyond a pointer swap."""
        latency = self._clock() - frame.stamp
        with self._lock:
            if not self._read:
                self._dropped += 1
            self._frame, self._read = frame, False
            self._received += 1
            self._latencies.append(latency)

    def get(self) -> Frame | None:
        """The newest frame, or None before the first one; marks it read."""
        with self._lock:
            self._read = True
            return self._frame

    def latest(self, max_age_s: float | None = None) -> Frame:
        """The newest frame, refusing one older than ``max_age_s`` (None: any age)."""
        frame = self.get()
        if frame is None:
            raise NoFrameError("no camera frame has been received yet",
                               "check that the camera publishes and the topic is remapped "
                               "correctly, or pass an image with the request")
        age = self._clock() - frame.stamp
        if max_age_s is not None and age > max_age_s:
            raise NoFrameError(f"the newest camera frame is {age:.2f} s old (limit {max_age_s} s)",
                               "check that the camera still publishes, or raise "
                               "camera.max_frame_age_s in perception.yaml")
        return frame

    def age(self) -> float | None:
        """Seconds since the held frame was captured, or None before the first one."""
        with self._lock:
            frame = self._frame
        return None if frame is None else self._clock() - frame.stamp

    def is_stale(self, max_age_s: float) -> bool:
        """True when there is no frame or the newest is older than ``max_age_s``."""
        age = self.age()
        return age is None or age > max_age_s

    def stats(self) -> FrameStats:
        with self._lock:
            latencies = list(self._latencies)
            received, dropped = self._received, self._dropped
        if not latencies:
            return FrameStats(received, dropped, None, None, None)
        return FrameStats(received, dropped, latencies[-1], sum(latencies) / len(latencies),
                          max(latencies))

    def clear(self) -> None:
        """Forget the held frame (e.g. on lifecycle deactivate); counters are kept."""
        with self._lock:
            self._frame, self._read = None, True
