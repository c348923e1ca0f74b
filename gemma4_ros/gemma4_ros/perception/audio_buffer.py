"""Audio chunks of any rate and layout → one continuous 16 kHz mono stream in a bounded buffer.

The audio subscription pushes :class:`~gemma4_ros.types.AudioChunk` messages; the VAD worker
reads what is new. The ring buffer is the hand-off between the two threads: pushing is a resample
and a copy (microseconds), so the callback never waits on voice detection, and memory stays
bounded however far the worker falls behind (it then loses the oldest audio and is told so).

Resampling is streaming (``soxr.ResampleStream``, the same soxr HQ filter the runtime's one-shot
:func:`~gemma4_ros.media.audio_features.to_mono_16k` uses): resampling each 10–20 ms chunk on
its own would add a filter transient and a rounding of the length at every chunk boundary.

Every sample has a global index (samples since the stream began) and a stamp: the stamp of the
chunk it came from plus its offset at 16 kHz. Stamps are therefore exact to the resampler's
delay (about a millisecond), and follow the driver's clock across dropped chunks.
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import soxr

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.media.audio_features import SAMPLE_RATE, to_float_pcm
from gemma4_ros.media.decode import pcm_from_chunk
from gemma4_ros.types import AudioChunk


class Resampled(NamedTuple):
    """New 16 kHz samples, and where the chunk's own first sample falls relative to the first of
    them: soxr emits in bursts of ~500 samples, so a chunk's audio often comes out with a later
    chunk, and stamps must follow the input position, not the moment of output."""

    samples: np.ndarray
    offset: int


class StreamResampler:
    """Chunks at one rate and channel count → mono float32 at 16 kHz, continuous across chunks.

    soxr compensates its filter delay, so output sample *i* of a segment is input time
    ``i / 16000``. A change of rate mid-stream (a reconfigured driver) starts a new segment; what
    the old filter still held is flushed first, so no audio is lost.
    """

    def __init__(self) -> None:
        self._rate: int | None = None
        self._stream: soxr.ResampleStream | None = None
        self._emitted = 0  # output samples returned so far
        self._segment_start = 0  # output index where the current rate began
        self._segment_in = 0  # input samples consumed at the current rate

    def process(self, samples: np.ndarray, sample_rate: int) -> Resampled:
        """PCM [frames] or [frames, channels] (int16/int32/uint8/float) → new 16 kHz samples."""
        mono = _mono_float(samples)
        if sample_rate <= 0:
            raise Gemma4RosError(f"audio sample rate {sample_rate} is not positive",
                                 "set the rate the microphone records at, e.g. 16000 or 48000")
        emitted_before = self._emitted
        head = np.zeros(0, dtype=np.float32)
        if sample_rate != self._rate:
            head = self.flush()
            self._rate, self._segment_start, self._segment_in = sample_rate, self._emitted, 0
            self._stream = (None if sample_rate == SAMPLE_RATE else
                            soxr.ResampleStream(sample_rate, SAMPLE_RATE, 1, dtype="float32",
                                                quality="HQ"))
        first = self._segment_start + self._segment_in * SAMPLE_RATE // sample_rate
        self._segment_in += mono.size
        out = mono if self._stream is None else self._stream.resample_chunk(mono)
        out = np.concatenate([head, out]).astype(np.float32, copy=False) if head.size else out
        self._emitted += out.size - head.size  # flush() counted the head already
        return Resampled(out, first - emitted_before)

    def flush(self) -> np.ndarray:
        """The samples still inside the filter (end of stream or a rate change)."""
        stream, self._stream, self._rate = self._stream, None, None
        if stream is None:
            return np.zeros(0, dtype=np.float32)
        tail = np.asarray(stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True),
                          dtype=np.float32)
        self._emitted += tail.size
        return tail


def _mono_float(samples: np.ndarray) -> np.ndarray:
    pcm = to_float_pcm(np.asarray(samples))
    if pcm.ndim == 2:
        pcm = pcm.mean(axis=1, dtype=np.float32) if pcm.shape[1] > 1 else pcm[:, 0]
    if pcm.ndim != 1:
        raise Gemma4RosError(f"audio chunk has shape {pcm.shape}; expected [frames] or "
                             "[frames, channels]", "pass interleaved PCM as [frames, channels]")
    if not np.isfinite(pcm).all():
        raise Gemma4RosError("audio chunk contains NaN or infinite samples",
                             "check the microphone driver: float PCM must be finite, in [-1, 1]")
    return np.ascontiguousarray(pcm, dtype=np.float32)


@dataclass(frozen=True)
class AudioRead:
    """New audio for a reader: ``samples`` start at global index ``start``; ``lost`` samples
    between the reader's cursor and ``start`` were overwritten before it came back."""

    start: int
    samples: np.ndarray
    lost: int

    @property
    def end(self) -> int:
        return self.start + int(self.samples.size)


class AudioRingBuffer:
    """The newest ``capacity_s`` seconds of the stream at 16 kHz mono; thread-safe."""

    def __init__(self, capacity_s: float = 60.0) -> None:
        if capacity_s <= 0:
            raise Gemma4RosError(f"audio buffer capacity {capacity_s} s is not positive",
                                 "set audio.buffer_s to a positive number of seconds")
        self._data = np.zeros(int(round(capacity_s * SAMPLE_RATE)), dtype=np.float32)
        self._end = 0  # global index one past the newest sample
        self._anchors: deque[tuple[int, float]] = deque()  # (global index, stamp), ascending
        self._resampler = StreamResampler()
        self._push_lock = threading.Lock()  # one pusher at a time through the resampler's state
        self._changed = threading.Condition()

    @property
    def capacity(self) -> int:
        return int(self._data.size)

    @property
    def end(self) -> int:
        """Global index one past the newest sample (samples written since the stream began)."""
        with self._changed:
            return self._end

    @property
    def start(self) -> int:
        """Global index of the oldest sample still held."""
        with self._changed:
            return max(0, self._end - self.capacity)

    def push_chunk(self, chunk: AudioChunk) -> int:
        """Convert and append one chunk; returns how many 16 kHz samples it added."""
        pcm = pcm_from_chunk(chunk)
        with self._push_lock:
            resampled = self._resampler.process(pcm, chunk.sample_rate)
            self.append(resampled.samples, chunk.stamp, resampled.offset)
        return int(resampled.samples.size)

    def append(self, samples: np.ndarray, stamp: float | None, offset: int = 0) -> None:
        """Append 16 kHz mono float32 samples; the sample ``offset`` places after the first of
        them (it may lie beyond the last) was captured at ``stamp`` (None: stamps continue)."""
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._changed:
            if stamp is not None:
                self._anchor(self._end + offset, float(stamp))
            if samples.size:
                self._write(samples[-self.capacity:], self._end + max(0, samples.size
                                                                      - self.capacity))
                self._end += samples.size
                self._prune_anchors()
            self._changed.notify_all()

    def read_from(self, cursor: int, max_samples: int | None = None) -> AudioRead:
        """Samples from global index ``cursor`` on (from the oldest held if it was overwritten)."""
        with self._changed:
            start = max(cursor, self._end - self.capacity, 0)
            stop = self._end if max_samples is None else min(self._end, start + max_samples)
            return AudioRead(start, self._copy(start, stop), start - cursor)

    def wait_beyond(self, cursor: int, timeout: float) -> bool:
        """Block until a sample at or after ``cursor`` exists (True) or ``timeout`` s pass."""
        with self._changed:
            return self._changed.wait_for(lambda: self._end > cursor, timeout)

    def wake(self) -> None:
        """Wake waiting readers (e.g. to let a worker see a stop request)."""
        with self._changed:
            self._changed.notify_all()

    def stamp_at(self, index: int) -> float:
        """Capture time of the sample at global ``index`` (may lie beyond the newest sample)."""
        with self._changed:
            if not self._anchors:
                raise Gemma4RosError("no audio has been buffered yet, so no stamp is known",
                                     "push audio before asking for stamps")
            position = bisect.bisect_right(self._anchors, (index, float("inf"))) - 1
            anchor_index, anchor_stamp = self._anchors[max(position, 0)]
            return anchor_stamp + (index - anchor_index) / SAMPLE_RATE

    def flush_resampler(self) -> None:
        """Append what the resampler still holds (end of a stream); its stamps are known."""
        with self._push_lock:
            self.append(self._resampler.flush(), None)

    def _write(self, samples: np.ndarray, index: int) -> None:
        at = index % self.capacity
        first = min(samples.size, self.capacity - at)
        self._data[at:at + first] = samples[:first]
        self._data[:samples.size - first] = samples[first:]

    def _copy(self, start: int, stop: int) -> np.ndarray:
        count = max(0, stop - start)
        at = start % self.capacity
        first = min(count, self.capacity - at)
        return np.concatenate([self._data[at:at + first], self._data[:count - first]])

    def _anchor(self, index: int, stamp: float) -> None:
        while self._anchors and self._anchors[-1][0] >= index:  # newer word on the same samples
            self._anchors.pop()
        self._anchors.append((index, stamp))

    def _prune_anchors(self) -> None:
        oldest = self._end - self.capacity
        while len(self._anchors) > 1 and self._anchors[1][0] <= oldest:
            self._anchors.popleft()
