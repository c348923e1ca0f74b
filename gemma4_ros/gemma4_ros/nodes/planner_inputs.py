"""The planner node's sensor side: camera messages into the latest-frame slot, audio into the VAD.

Both callbacks only convert and store, so they keep up with the sensor whatever the model does:
a camera message becomes a :class:`~gemma4_ros.perception.Frame` in a one-slot
:class:`~gemma4_ros.perception.LatestFrame` (pointer swap), an audio chunk goes into the
:class:`~gemma4_ros.perception.SpeechListener`'s ring buffer (its VAD runs on its own thread).
A frame that cannot be converted (a depth image, a Bayer pattern, truncated data) is dropped and
counted; the warning naming the encoding and the fix is logged at most once per ``throttle_s``
for each kind of problem, since a misconfigured camera would otherwise log 30 lines a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from gemma4_ros.interfaces import CompressedImageData, ImageData
from gemma4_ros.nodes.transport import Logger
from gemma4_ros.perception.frame import (
    Frame,
    FrameError,
    frame_from_compressed,
    frame_from_raw,
)
from gemma4_ros.perception.latest_frame import LatestFrame, NoFrameError


class Throttle:
    """Says whether a message keyed ``key`` may be logged now (once per ``period_s`` per key)."""

    def __init__(self, period_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.period_s = period_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.period_s:
                return False
            self._last[key] = now
            return True


def frame_from_image_data(image: ImageData) -> Frame:
    """``sensor_msgs/Image`` fields → frame; raises FrameError naming the field at fault."""
    return frame_from_raw(image.data, height=image.height, width=image.width,
                          encoding=image.encoding, step=image.step, stamp=image.stamp,
                          frame_id=image.frame_id, is_bigendian=image.is_bigendian)


class CameraInput:
    """Converts camera messages into the latest-frame slot, dropping what cannot be shown."""

    def __init__(self, logger: Logger, throttle_s: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.frames = LatestFrame(clock)
        self._logger = logger
        self._throttle = Throttle(throttle_s)
        self._lock = threading.Lock()
        self.dropped = 0
        self.last_drop = ""

    def on_image(self, image: ImageData) -> None:
        self._store(lambda: frame_from_image_data(image))

    def on_compressed(self, image: CompressedImageData) -> None:
        self._store(lambda: frame_from_compressed(image.data, format=image.format,
                                                  stamp=image.stamp, frame_id=image.frame_id))

    def latest(self, max_age_s: float) -> Frame | None:
        """The newest frame if it is fresh enough, else None (the caller goes without)."""
        try:
            return self.frames.latest(max_age_s)
        except NoFrameError:
            return None

    def _store(self, convert: Callable[[], Frame]) -> None:
        try:
            frame = convert()
        except FrameError as error:
            self._drop(error)
            return
        self.frames.put(frame)

    def _drop(self, error: FrameError) -> None:
        with self._lock:
            self.dropped += 1
            self.last_drop = str(error)
        if self._throttle.allow(f"{error.field}={error.value!r}"):
            self._logger.warning(
                f"dropped camera frame ({self.dropped} so far): {error} — logged at most every "
                f"{self._throttle.period_s:g} s")
