"""A 16 kHz audio stream → utterances, the unit a voice command is planned from.

The state machine follows the shape of Silero's own ``get_speech_timestamps``: speech starts on
the first frame whose probability reaches the threshold, continues through pauses shorter than
``min_silence_s`` (the hangover), and ends after that much silence; ``padding_s`` of audio is
kept on both sides so the first and last phonemes are not clipped; an utterance with less than
``min_speech_s`` of voiced frames is dropped; speech longer than ``max_utterance_s`` (at most 30 s,
Gemma 4's audio limit) is cut, and the cut is flagged so the caller knows the command went on.

The segmenter is single-threaded and returns utterances from :meth:`UtteranceSegmenter.feed`;
:class:`gemma4_ros.perception.listener.SpeechListener` runs it on a worker thread behind a ring
buffer and delivers them to a callback.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from gemma4_ros.perception.config import VadConfig
from gemma4_ros.perception.vad import VoiceDetector, end_threshold, make_detector
from gemma4_ros.media.audio_features import SAMPLE_RATE


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech: 16 kHz mono float32 samples and their capture times.

    ``cut`` is True when it ended because it reached ``max_utterance_s`` while speech went on.
    """

    samples: np.ndarray
    start: float
    end: float
    cut: bool = False
    voiced_s: float = 0.0
    sample_rate: int = SAMPLE_RATE

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate


@dataclass
class _Span:
    """The utterance being collected: frames with the stamp of each frame's first sample."""

    frames: list[tuple[float, np.ndarray]]
    voiced: int = 0
    silent_run: int = 0


class UtteranceSegmenter:
    """Frames audio for ``detector`` and groups voiced frames into :class:`Utterance` objects."""

    def __init__(self, config: VadConfig, detector: VoiceDetector | None = None) -> None:
        self._config = config
        self._detector = detector if detector is not None else make_detector(config)
        self._frame = self._detector.frame_samples
        frame_s = self._frame / SAMPLE_RATE
        self._pad_frames = math.ceil(config.padding_s / frame_s)
        self._hangover_frames = max(1, math.ceil(config.min_silence_s / frame_s))
        self._min_voiced = math.ceil(config.min_speech_s / frame_s)
        self._max_frames = max(1, int(config.max_utterance_s * SAMPLE_RATE) // self._frame)
        self._start_p, self._end_p = config.threshold, end_threshold(config)
        self._history: deque[tuple[float, np.ndarray]] = deque(maxlen=self._pad_frames or None)
        self._pending = np.zeros(0, dtype=np.float32)
        self._pending_stamp = 0.0
        self._span: _Span | None = None

    @property
    def frame_samples(self) -> int:
        return self._frame

    @property
    def in_speech(self) -> bool:
        return self._span is not None

    def feed(self, samples: np.ndarray, stamp: float) -> list[Utterance]:
        """Consume 16 kHz mono samples, the first captured at ``stamp``; return finished ones."""
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self._pending_stamp = stamp - self._pending.size / SAMPLE_RATE  # follow the source clock
        audio = np.concatenate([self._pending, samples])
        whole = audio.size - audio.size % self._frame
        finished: list[Utterance] = []
        for offset in range(0, whole, self._frame):
            frame_stamp = self._pending_stamp + offset / SAMPLE_RATE
            utterance = self._step(frame_stamp, audio[offset:offset + self._frame].copy())
            if utterance is not None:
                finished.append(utterance)
        self._pending = audio[whole:]
        return finished

    def flush(self) -> list[Utterance]:
        """End of stream: finish the utterance in progress (if long enough) and reset."""
        span, self._span = self._span, None
        utterance = self._finish(span, cut=False) if span is not None else None
        self.reset()
        return [utterance] if utterance is not None else []

    def reset(self) -> None:
        """Drop everything in progress (after lost audio, or on flush)."""
        self._span = None
        self._history.clear()
        self._pending = np.zeros(0, dtype=np.float32)
        self._detector.reset()

    def _step(self, stamp: float, frame: np.ndarray) -> Utterance | None:
        probability = self._detector.speech_probability(frame)
        span = self._span
        if span is None:
            if probability >= self._start_p:
                self._span = _Span([*self._history, (stamp, frame)], voiced=1)
                self._history.clear()
            elif self._pad_frames:
                self._history.append((stamp, frame))
            return None
        span.frames.append((stamp, frame))
        if probability >= self._end_p:
            span.voiced, span.silent_run = span.voiced + 1, 0
        else:
            span.silent_run += 1
        if span.silent_run >= self._hangover_frames:
            return self._end_on_silence(span)
        if len(span.frames) >= self._max_frames:
            self._span = _Span([])
            return self._finish(span, cut=True)
        return None

    def _end_on_silence(self, span: _Span) -> Utterance | None:
        """Keep ``padding`` of the trailing silence; the rest becomes pre-roll for what follows."""
        self._span = None
        keep = len(span.frames) - span.silent_run + min(self._pad_frames, span.silent_run)
        for item in span.frames[keep:]:
            if self._pad_frames:
                self._history.append(item)
        span.frames = span.frames[:keep]
        return self._finish(span, cut=False)

    def _finish(self, span: _Span, cut: bool) -> Utterance | None:
        if span.voiced < max(self._min_voiced, 1) or not span.frames:
            return None
        samples = np.concatenate([frame for _, frame in span.frames])
        start = span.frames[0][0]
        end = span.frames[-1][0] + self._frame / SAMPLE_RATE
        return Utterance(samples, start, end, cut, span.voiced * self._frame / SAMPLE_RATE)


def split_utterances(samples: np.ndarray, stamp: float, config: VadConfig,
                     detector: VoiceDetector | None = None) -> list[Utterance]:
    """All utterances in a whole 16 kHz mono recording whose first sample was taken at ``stamp``."""
    segmenter = UtteranceSegmenter(config, detector)
    return segmenter.feed(samples, stamp) + segmenter.flush()
