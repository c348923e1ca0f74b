"""Image and audio files (or their bytes) → the arrays the preprocessors take, or a clear error.

Images decode with OpenCV (``cv2.imdecode``: PNG, JPEG, BMP, WebP, TIFF…) to 8-bit BGR, which is
what transformers' ``load_image`` makes of a file: EXIF orientation applied, grey expanded to
three channels, alpha dropped (not blended: only in-memory RGBA frames are blended onto white).
Audio decodes with soundfile (libsndfile: WAV, FLAC, OGG…), the decoder transformers'
``load_audio`` uses, read as float32 [frames, channels]. ROS audio chunks
(:class:`gemma4_ros.types.AudioChunk`) are raw interleaved PCM and need no decoder.
"""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import soundfile

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.types import AudioChunk, AudioEncoding

_CHUNK_DTYPES: dict[AudioEncoding, np.dtype[np.generic]] = {
    AudioEncoding.PCM_S16LE: np.dtype("<i2"), AudioEncoding.PCM_F32LE: np.dtype("<f4"),
}


def decode_image(data: bytes, source: str = "image bytes") -> np.ndarray:
    """Encoded image bytes → an H×W×3 uint8 **BGR** frame (pass ``encoding="bgr8"`` on)."""
    if not data:
        raise Gemma4RosError(f"{source} is empty", "pass the bytes of a PNG or JPEG image")
    frame = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        raise Gemma4RosError(
            f"{source} ({len(data)} bytes) is not a readable image (corrupt, truncated or an "
            "unsupported format)",
            "re-encode it as PNG or JPEG, e.g. `cv2.imencode('.png', frame)`",
        )
    return frame


def load_image(path: str | Path) -> np.ndarray:
    """Read and decode an image file into a BGR frame; see :func:`decode_image`."""
    return decode_image(_read(path, "image"), str(path))


def decode_audio(data: bytes, source: str = "audio bytes") -> tuple[np.ndarray, int]:
    """Encoded audio bytes → (float32 [frames, channels] in [−1, 1], sample rate)."""
    if not data:
        raise Gemma4RosError(f"{source} is empty", "pass the bytes of a WAV, FLAC or OGG file")
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        raise Gemma4RosError(
            f"{source} ({len(data)} bytes) is not readable audio ({error})",
            "convert it to 16-bit PCM WAV, e.g. `ffmpeg -i IN -ac 1 -ar 16000 OUT.wav`",
        ) from None
    if samples.shape[0] == 0:
        raise Gemma4RosError(f"{source} holds no audio samples", "record or pass a non-empty clip")
    return samples, int(rate)


def load_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Read and decode an audio file; see :func:`decode_audio`."""
    return decode_audio(_read(path, "audio"), str(path))


def pcm_from_chunk(chunk: AudioChunk) -> np.ndarray:
    """The samples of an :class:`AudioChunk` as [frames, channels] int16 or float32 (not scaled)."""
    dtype = _CHUNK_DTYPES[chunk.encoding]
    samples = np.frombuffer(chunk.data, dtype=dtype).reshape(-1, chunk.channels)
    return samples.astype(dtype.newbyteorder("="))


def _read(path: str | Path, kind: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except FileNotFoundError:
        raise Gemma4RosError(f"{kind} file {path} does not exist",
                             "check the path; relative paths start at the working directory",
                             ) from None
    except OSError as error:
        raise Gemma4RosError(f"{kind} file {path} cannot be read ({error.strerror})",
                             "check that it is a readable file, not a directory") from None
