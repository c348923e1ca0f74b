"""Speech → the audio encoder's ``input_features`` / ``input_features_mask``, as Gemma 4 wants them.

Equal to transformers' ``Gemma4AudioFeatureExtractor`` (5.24) on one utterance: 16 kHz mono float32,
right-padded with zeros to a multiple of 128 samples, 160 zeros prepended ("semicausal": the first
frame is centred on t = 0), 321-sample frames every 160 samples (10 ms) of which the first 320 are
used, periodic Hann window, 512-point real FFT magnitude, 128 HTK mel filters 0–8 kHz without
normalisation, ``log(mel + 0.001)``. A frame is valid when its last sample is real audio; invalid
frames are zeroed. The same float32/float64 steps as the extractor keep the numbers bit-identical.

Resampling uses soxr at ``soxr_hq``, then pads or trims to ``ceil(n × 16000 / rate)`` samples:
that is what transformers' own ``load_audio`` (and ``librosa.load``) do, so a 44.1 kHz recording
gives the features transformers would compute from the same file. (scipy's ``resample_poly``
differs by up to 3.5 in the log-mel at 44.1/48 kHz: not the reference.)

Longer than 30 s (750 soft tokens, the most the audio encoder takes) is an error unless the caller
asks for ``truncate=True``, which keeps the first 30 s as the extractor does silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import soxr

from gemma4_ros.errors import Gemma4RosError

SAMPLE_RATE = 16_000
FRAME_LENGTH = 320  # 20 ms
HOP_LENGTH = 160  # 10 ms
FFT_LENGTH = 512
MEL_BINS = 128
MEL_FLOOR = 1e-3
PAD_MULTIPLE = 128
MAX_SECONDS = 30
MAX_SAMPLES = MAX_SECONDS * SAMPLE_RATE
MS_PER_SOFT_TOKEN = 40
MAX_SOFT_TOKENS = 750
#: Most channels accepted; more means the array is probably [channels, frames] turned around.
MAX_CHANNELS = 32


@dataclass(frozen=True)
class AudioFeatures:
    """What ``audio_encoder.onnx`` takes, and how many ``<|audio|>`` placeholders the clip needs."""

    input_features: np.ndarray  # float32 [1, T, 128] log-mel, zero where the mask is False
    input_features_mask: np.ndarray  # bool [1, T]
    num_soft_tokens: int  # ≤ 750
    duration_s: float  # of the 16 kHz audio actually used


def to_float_pcm(samples: np.ndarray) -> np.ndarray:
    """PCM as float32 in [−1, 1), scaled the way libsndfile reads integer WAV (÷ 2^(bits−1))."""
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / np.float32(32768.0)
    if samples.dtype == np.int32:
        return (samples.astype(np.float64) / 2147483648.0).astype(np.float32)
    if samples.dtype == np.uint8:
        return (samples.astype(np.float32) - 128.0) / np.float32(128.0)
    if samples.dtype in (np.float32, np.float64):
        return samples.astype(np.float32, copy=False)
    raise Gemma4RosError(f"audio samples of dtype {samples.dtype} are not supported",
                         "pass int16, int32, uint8 or float32 PCM (float in [-1, 1])")


def to_mono_16k(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Any-rate PCM, 1-D or [frames, channels], → float32 mono at 16 kHz (channel mean, soxr_hq)."""
    pcm = to_float_pcm(np.asarray(samples))
    if pcm.ndim == 2 and 0 < pcm.shape[1] <= MAX_CHANNELS:
        pcm = pcm.mean(axis=1, dtype=np.float32) if pcm.shape[1] > 1 else pcm[:, 0]
    if pcm.ndim != 1:
        raise Gemma4RosError(
            f"audio has shape {pcm.shape}; expected [frames] or [frames, channels ≤ "
            f"{MAX_CHANNELS}]",
            "pass [frames, channels]: transpose a [channels, frames] array (samples.T)",
        )
    if sample_rate <= 0:
        raise Gemma4RosError(f"audio sample rate {sample_rate} is not positive",
                             "pass the rate the samples were recorded at, e.g. 16000 or 48000")
    if not np.isfinite(pcm).all():
        raise Gemma4RosError("audio contains NaN or infinite samples",
                             "check the microphone driver: float PCM must be finite, in [-1, 1]")
    if sample_rate == SAMPLE_RATE or pcm.size == 0:
        return np.ascontiguousarray(pcm)
    length = math.ceil(pcm.size * SAMPLE_RATE / sample_rate)
    resampled = soxr.resample(pcm, sample_rate, SAMPLE_RATE, quality="HQ")  # = "soxr_hq"
    return np.ascontiguousarray(np.pad(resampled, (0, max(0, length - resampled.size)))[:length],
                                dtype=np.float32)


def extract_audio_features(
    samples: np.ndarray, sample_rate: int = SAMPLE_RATE, *, truncate: bool = False
) -> AudioFeatures:
    """PCM at any rate and channel count → log-mel features for one utterance."""
    audio = to_mono_16k(samples, sample_rate)
    if audio.size > MAX_SAMPLES and not truncate:
        raise Gemma4RosError(
            f"audio is {audio.size / SAMPLE_RATE:.2f} s long; Gemma 4 takes at most "
            f"{MAX_SECONDS} s ({MAX_SOFT_TOKENS} soft tokens)",
            "split the recording into utterances of at most 30 s, or pass truncate=True to keep "
            "the first 30 s",
        )
    audio = audio[:MAX_SAMPLES]
    if audio.size <= FRAME_LENGTH // 2:
        raise Gemma4RosError(
            f"audio has {audio.size} samples at 16 kHz; one feature frame needs more than "
            f"{FRAME_LENGTH // 2} (10 ms)",
            "record a longer utterance; check that the microphone delivers samples",
        )
    features, mask = log_mel(audio)
    duration = audio.size / SAMPLE_RATE
    return AudioFeatures(features[None], mask[None], audio_soft_tokens(mask), duration)


def log_mel(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """16 kHz float32 mono → (float32 [T, 128] log-mel zeroed where invalid, bool [T] mask)."""
    padded_length = -(-audio.size // PAD_MULTIPLE) * PAD_MULTIPLE
    waveform = np.zeros(FRAME_LENGTH // 2 + padded_length, dtype=np.float32)
    waveform[FRAME_LENGTH // 2:FRAME_LENGTH // 2 + audio.size] = audio
    count = (waveform.size - (FRAME_LENGTH + 1)) // HOP_LENGTH + 1
    frames = np.lib.stride_tricks.as_strided(
        waveform, shape=(count, FRAME_LENGTH), strides=(waveform.strides[0] * HOP_LENGTH,
                                                        waveform.strides[0]))
    magnitude = np.abs(np.fft.rfft(frames * _hann_window(), n=FFT_LENGTH, axis=-1))
    mel = np.matmul(magnitude, mel_filters())  # float32 @ float64 → float64, as the extractor
    log_spec = np.log(mel + np.float64(MEL_FLOOR)).astype(np.float32)
    # A frame counts when its last sample (index i·hop + frame_length in the padded waveform) is
    # real audio, i.e. lies before the zeros added to reach a multiple of 128.
    frame_ends = np.arange(count) * HOP_LENGTH + FRAME_LENGTH
    mask = frame_ends < FRAME_LENGTH // 2 + audio.size
    return log_spec * mask[:, None], mask


def audio_soft_tokens(mask: np.ndarray) -> int:
    """``<|audio|>`` placeholders for a frame mask: the encoder's two stride-2 convolutions
    (kernel 3, padding 1) keep every other frame twice; count the valid frames left."""
    reduced = np.asarray(mask, dtype=bool).reshape(-1)
    for _ in range(2):
        reduced = reduced[::2][: (reduced.size - 1) // 2 + 1]
    return min(int(reduced.sum()), MAX_SOFT_TOKENS)


@lru_cache(maxsize=1)
def _hann_window() -> np.ndarray:
    """Periodic Hann window (``0.5 − 0.5·cos(2πn/N)``), float32 as the extractor stores it."""
    n = np.arange(FRAME_LENGTH, dtype=np.float64)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / FRAME_LENGTH)).astype(np.float32)


@lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """float64 [257, 128] triangular HTK-mel filters over 0–8 kHz, unnormalised (peak 1)."""
    def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)

    mel_edges = np.linspace(hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2), MEL_BINS + 2)
    hz_edges = 700.0 * (10.0 ** (mel_edges / 2595.0) - 1.0)
    fft_hz = np.linspace(0, SAMPLE_RATE // 2, FFT_LENGTH // 2 + 1)
    widths = np.diff(hz_edges)
    slopes = hz_edges[None, :] - fft_hz[:, None]
    rising = -slopes[:, :-2] / widths[:-1]
    falling = slopes[:, 2:] / widths[1:]
    return np.maximum(0.0, np.minimum(rising, falling))
