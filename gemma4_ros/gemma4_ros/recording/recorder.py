"""``FlightRecorder``: messages into an MCAP file without ever making the robot wait.

The file is ROS 2's MCAP profile — schemas are the full ``ros2msg`` definitions (ours from
``gemma4_ros_msgs``, the standard ones from the Jazzy interfaces rosbags carries), messages are
CDR as rmw sends them — written by the ``mcap`` library, never by hand. Callers only put values
into a bounded queue: a full queue drops the message and counts it (``stats().dropped``, shown in
the planner's diagnostics and written into the file when it closes), since a planner or executor
that blocked on its disk would be worse than a gap in its record. The executor's status is kept
when it changes, not at each heartbeat republish. A thread of its own encodes and
writes; whenever the queue runs dry, or at least every ``flush_s``, it closes the chunk in
progress and flushes it, so a crash or ``kill -9`` leaves a file that reads back up to its last
complete chunk (:func:`gemma4_ros.recording.reader.read_recording`).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from mcap.writer import CompressionType, Writer

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.frame import Frame
from gemma4_ros.recording.topics import (
    AUDIO_USED,
    COMMAND,
    ESTOP,
    IMAGE_USED,
    PLAN,
    RESULTS,
    STATUS,
    TOPICS,
    VERDICTS,
)
from gemma4_ros.types import (
    AudioChunk,
    AudioEncoding,
    ExecutorStatus,
    Plan,
    SafetyVerdict,
    ToolResult,
)
from gemma4_ros.wire import typestore

LOG = logging.getLogger(__name__)
QUEUE_DEPTH = 256
FLUSH_S = 1.0
PROFILE = "ros2"
METADATA_NAME = "gemma4_ros"
STATS_NAME = "gemma4_ros.recorder"
_CLOSE = object()


@dataclass(frozen=True)
class RecorderStats:
    """Counts since the recorder opened: written, dropped (queue full) and failed (could not be
    encoded: the error is logged once per topic)."""

    written: int
    dropped: int
    failed: int


class FlightRecorder:
    """Records core values on the topics of :data:`gemma4_ros.recording.topics.TOPICS`.

    ``metadata`` (string keys and values: model id, config hash, tool registry, ...) goes into
    the file's ``gemma4_ros`` metadata record before any message. Use as a context manager, or
    call :meth:`close`; :meth:`record` never blocks, and raises only for a topic that is not
    recorded (a programming error); the MissionRecord calls never raise.
    """

    def __init__(self, path: str | os.PathLike[str], metadata: dict[str, str] | None = None,
                 *, depth: int = QUEUE_DEPTH, flush_s: float = FLUSH_S,
                 interface_dir: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser()
        self._store = typestore(interface_dir)
        try:
            self._file = open(self.path, "wb")  # noqa: SIM115 - closed by the writer thread
        except OSError as error:
            raise Gemma4RosError(f"cannot write the flight record {self.path}: {error.strerror}",
                                 "choose a writable path for --record") from error
        self._writer = Writer(self._file, compression=CompressionType.ZSTD)
        self._writer.start(profile=PROFILE, library="gemma4_ros")
        self._writer.add_metadata(METADATA_NAME, {str(k): str(v) for k, v in
                                                  (metadata or {}).items()})
        self._writer.flush()
        self._channels: dict[str, int] = {}
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._flush_s = flush_s
        self._written = self._dropped = self._failed = 0
        self._failed_topics: set[str] = set()
        self._last_status: dict[str, Any] | None = None
        self._counts = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="flight-recorder", daemon=True)
        self._thread.start()

    def record(self, topic: str, value: Any, stamp_ns: int | None = None) -> None:
        """Queue ``value`` for ``topic`` (a name of TOPICS), logged at ``stamp_ns`` (now)."""
        if topic not in TOPICS:
            raise ValueError(f"{topic} is not a recorded topic; known: {', '.join(TOPICS)}")
        if self._closed or (topic == STATUS and not self._status_changed(value)):
            return
        item = (topic, value, time.time_ns() if stamp_ns is None else stamp_ns)
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            with self._counts:
                self._dropped += 1

    def _status_changed(self, status: ExecutorStatus) -> bool:
        """The executor republishes its status as a heartbeat and with progress text; a record
        keeps the changes of state, plan, step and e-stop."""
        key = status.model_dump(exclude={"stamp", "message"})
        with self._counts:
            changed, self._last_status = key != self._last_status, key
        return changed

    # --- what the planner node reports (gemma4_ros.nodes.mission_record.MissionRecord) --------

    def command(self, text: str) -> None:
        self.record(COMMAND, text)

    def plan(self, plan: Plan, frame: Frame | None, speech: np.ndarray | None,
             sample_rate: int) -> None:
        """The camera frame and the speech (mono float32 samples at ``sample_rate``) a plan was
        made from, then the plan: a replay pairs each plan with the inputs logged before it."""
        if frame is not None:
            self.record(IMAGE_USED, frame)
        if speech is not None:
            samples = np.ascontiguousarray(speech, dtype="<f4")
            self.record(AUDIO_USED, AudioChunk(
                stamp=time.time(), frame_id="speech", sample_rate=sample_rate, channels=1,
                encoding=AudioEncoding.PCM_F32LE, data=samples.tobytes()))
        self.record(PLAN, plan)

    def estop(self) -> None:
        self.record(ESTOP, True)

    def verdict(self, verdict: SafetyVerdict) -> None:
        self.record(VERDICTS, verdict)

    def result(self, result: ToolResult) -> None:
        self.record(RESULTS, result)

    def status(self, status: ExecutorStatus) -> None:
        self.record(STATUS, status)

    def stats(self) -> RecorderStats:
        with self._counts:
            return RecorderStats(self._written, self._dropped, self._failed)

    def close(self) -> RecorderStats:
        """Write what is queued, the closing counts and the file's summary; idempotent."""
        if not self._closed:
            self._closed = True
            self._queue.put(_CLOSE)
            self._thread.join()
        return self.stats()

    def __enter__(self) -> FlightRecorder:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the writer thread -----------------------------------------------------------------------

    def _run(self) -> None:
        last_flush = time.monotonic()
        pending = False
        try:
            while True:
                try:
                    item = self._queue.get(timeout=self._flush_s)
                except queue.Empty:
                    item = None
                if item is _CLOSE:
                    break
                if item is not None:
                    pending = self._write(*item) or pending
                if pending and (self._queue.empty()
                                or time.monotonic() - last_flush >= self._flush_s):
                    self._writer.flush()
                    last_flush, pending = time.monotonic(), False
            stats = self.stats()
            self._writer.add_metadata(STATS_NAME, {"written": str(stats.written),
                                                   "dropped": str(stats.dropped),
                                                   "failed": str(stats.failed)})
            self._writer.finish()
        except OSError as error:  # a full disk or a vanished file: the robot goes on
            LOG.error("flight record %s stopped: %s", self.path, error)
        finally:
            self._file.close()

    def _write(self, topic: str, value: Any, stamp_ns: int) -> bool:
        spec = TOPICS[topic]
        try:
            data = spec.encode(value, self._store)
        except Exception as error:  # noqa: BLE001 - a bad value must not end the record
            with self._counts:
                self._failed += 1
            if topic not in self._failed_topics:
                self._failed_topics.add(topic)
                LOG.error("flight record: cannot encode a %s for %s: %s", spec.ros_type, topic,
                          error)
            return False
        channel = self._channels.get(topic)
        if channel is None:
            channel = self._channels[topic] = self._register(topic, spec.ros_type)
        self._writer.add_message(channel_id=channel, log_time=stamp_ns, publish_time=stamp_ns,
                                 data=data, sequence=0)
        with self._counts:
            self._written += 1
        return True

    def _register(self, topic: str, ros_type: str) -> int:
        definition, _ = self._store.generate_msgdef(ros_type, ros_version=2)
        schema = self._writer.register_schema(name=ros_type, encoding="ros2msg",
                                              data=definition.encode())
        return self._writer.register_channel(topic=topic, message_encoding="cdr",
                                             schema_id=schema)
