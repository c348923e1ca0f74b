"""Audio chunks in, utterances out, with voice detection on a worker thread of its own.

What the audio subscription (and the standalone pipeline's WAV or microphone reader) talks to:
:meth:`SpeechListener.push` converts a chunk into the ring buffer and returns at once, so a
sensor callback never waits for the VAD; the worker reads what is new, segments it and hands each
finished :class:`~gemma4_ros.perception.utterances.Utterance` to ``on_utterance`` (on the worker
thread: pass ``queue.put`` to hand them to another thread). An exception in that callback is
recorded in :attr:`ListenerStats.last_error` and does not stop listening.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.audio_buffer import AudioRingBuffer
from gemma4_ros.perception.config import PerceptionConfig
from gemma4_ros.perception.utterances import Utterance, UtteranceSegmenter
from gemma4_ros.perception.vad import VoiceDetector
from gemma4_ros.types import AudioChunk

_LOG = logging.getLogger(__name__)
#: How long the worker sleeps between checks for a stop request when no audio comes.
_IDLE_WAIT_S = 0.1
#: Most samples segmented per read, so a stop request is seen within ~2 s of backlog.
_READ_SAMPLES = 32_000


@dataclass(frozen=True)
class ListenerStats:
    """For diagnostics: what came in, what came out, what was lost and the last failure."""

    chunks: int
    samples: int  # 16 kHz samples buffered
    utterances: int
    lost_samples: int  # overwritten before the worker read them
    last_error: str


class SpeechListener:
    """Owns the ring buffer, the segmenter and the worker thread; start, push, stop."""

    def __init__(self, on_utterance: Callable[[Utterance], None],
                 config: PerceptionConfig | None = None,
                 detector: VoiceDetector | None = None) -> None:
        self._config = config if config is not None else PerceptionConfig()
        self._on_utterance = on_utterance
        self._segmenter = UtteranceSegmenter(self._config.vad, detector)
        self._buffer = AudioRingBuffer(self._config.audio.buffer_s)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._chunks = self._utterances = self._lost = 0
        self._last_error = ""
        self._flush_on_exit = True

    @property
    def buffer(self) -> AudioRingBuffer:
        """The ring buffer (e.g. to fetch the last seconds of audio for a request)."""
        return self._buffer

    def start(self) -> SpeechListener:
        if self._thread is not None:
            raise Gemma4RosError("speech listener already started", "call start() once")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="speech-listener", daemon=True)
        self._thread.start()
        return self

    def push(self, chunk: AudioChunk) -> None:
        """Add one chunk (any thread, never blocks on the VAD); bad chunks raise at once."""
        self._buffer.push_chunk(chunk)
        with self._lock:
            self._chunks += 1

    def stop(self, flush: bool = True, timeout: float = 5.0) -> None:
        """Stop the worker; with ``flush`` the audio already pushed is segmented first and the
        utterance in progress is delivered if long enough."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        if flush:
            self._buffer.flush_resampler()
        self._flush_on_exit = flush
        self._stop.set()
        self._buffer.wake()
        thread.join(timeout)
        if thread.is_alive():
            raise Gemma4RosError(f"speech listener did not stop within {timeout} s",
                                 "the on_utterance callback is blocking; make it return quickly")

    def stats(self) -> ListenerStats:
        with self._lock:
            return ListenerStats(self._chunks, self._buffer.end, self._utterances, self._lost,
                                 self._last_error)

    def __enter__(self) -> SpeechListener:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _run(self) -> None:
        cursor = 0
        while not self._stop.is_set():
            if not self._buffer.wait_beyond(cursor, _IDLE_WAIT_S):
                continue
            cursor = self._segment_from(cursor)
        if self._flush_on_exit:
            while cursor < self._buffer.end:
                cursor = self._segment_from(cursor)
            self._deliver(self._segmenter.flush())

    def _segment_from(self, cursor: int) -> int:
        read = self._buffer.read_from(cursor, _READ_SAMPLES)
        if read.lost:
            with self._lock:
                self._lost += read.lost
            _LOG.warning("speech listener fell %d samples behind; restarting segmentation",
                         read.lost)
            self._segmenter.reset()
        self._deliver(self._segmenter.feed(read.samples, self._buffer.stamp_at(read.start)))
        return read.end

    def _deliver(self, utterances: list[Utterance]) -> None:
        for utterance in utterances:
            with self._lock:
                self._utterances += 1
            try:
                self._on_utterance(utterance)
            except Exception as error:  # the callback is the caller's; keep listening
                _LOG.exception("on_utterance callback failed")
                with self._lock:
                    self._last_error = f"on_utterance: {type(error).__name__}: {error}"
