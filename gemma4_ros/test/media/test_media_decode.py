"""Decoding image and audio files gives what transformers' load_image / load_audio give; corrupt,
empty and missing inputs fail with the source named and a fix."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import soundfile

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.media import audio_features as af
from gemma4_ros.media import decode as md
from gemma4_ros.media.image_preprocessing import preprocess_image
from gemma4_ros.types import AudioChunk, AudioEncoding

transformers = pytest.importorskip("transformers")
pytest.importorskip("PIL")
from transformers.audio_utils import load_audio as hf_load_audio  # noqa: E402
from transformers.image_utils import load_image as hf_load_image  # noqa: E402
from transformers.models.gemma4.image_processing_pil_gemma4 import (  # noqa: E402
    Gemma4ImageProcessorPil,
)


def _picture(channels: int) -> np.ndarray:
    rows, cols = np.mgrid[0:120, 0:200]
    noise = np.random.default_rng(channels).integers(0, 60, (120, 200, channels))
    base = np.stack([cols % 256, rows * 2, (rows + cols) % 256, 255 - rows][:channels], axis=-1)
    return (base * 0.75 + noise).astype(np.uint8)


@pytest.mark.parametrize(("extension", "channels"), [(".jpg", 3), (".png", 3), (".png", 1),
                                                     (".png", 4), (".bmp", 3)])
def test_decoded_files_preprocess_like_transformers(tmp_path: Path, extension: str,
                                                    channels: int) -> None:
    """File → our decoder → our preprocessing equals file → load_image → the processor."""
    ok, encoded = cv2.imencode(extension, _picture(channels))
    assert ok
    path = tmp_path / f"picture{extension}"
    path.write_bytes(encoded.tobytes())
    frame = md.load_image(path)
    assert frame.dtype == np.uint8 and frame.shape == (120, 200, 3)
    expected = np.asarray(hf_load_image(str(path)))
    np.testing.assert_array_equal(frame[..., ::-1], expected)
    ref = Gemma4ImageProcessorPil(max_soft_tokens=70)(images=[hf_load_image(str(path))],
                                                       return_tensors="np")
    np.testing.assert_array_equal(preprocess_image(frame, "bgr8", 70).pixel_values,
                                  ref["pixel_values"])


def test_corrupt_truncated_and_empty_images_name_the_source(tmp_path: Path) -> None:
    ok, encoded = cv2.imencode(".jpg", _picture(3))
    data = encoded.tobytes()
    for bad in (data[: len(data) // 2], data[:64], b"not an image at all", b"\x89PNG\r\n\x1a\n"):
        with pytest.raises(Gemma4RosError, match="camera/front: .* not a readable image") as error:
            md.decode_image(bad, "camera/front:")
        assert "PNG or JPEG" in error.value.hint
    with pytest.raises(Gemma4RosError, match="is empty"):
        md.decode_image(b"", "upload.png")
    with pytest.raises(Gemma4RosError, match="does not exist"):
        md.load_image(tmp_path / "missing.png")
    with pytest.raises(Gemma4RosError, match="cannot be read"):
        md.load_image(tmp_path)


@pytest.mark.parametrize(("rate", "channels", "fmt", "subtype"), [
    (16_000, 1, "WAV", "PCM_16"), (44_100, 2, "WAV", "PCM_16"), (48_000, 1, "FLAC", "PCM_24"),
    (22_050, 2, "WAV", "FLOAT"),
])
def test_decoded_audio_gives_load_audio_samples(tmp_path: Path, rate: int, channels: int,
                                                fmt: str, subtype: str) -> None:
    audio = (0.3 * np.random.default_rng(rate).standard_normal((rate, channels))).astype(np.float32)
    path = tmp_path / f"clip.{fmt.lower()}"
    soundfile.write(path, audio, rate, format=fmt, subtype=subtype)
    samples, decoded_rate = md.load_audio(path)
    assert decoded_rate == rate and samples.shape == (rate, channels)
    expected = hf_load_audio(str(path), sampling_rate=16_000, backend="soundfile")
    np.testing.assert_array_equal(af.to_mono_16k(samples, decoded_rate), expected)


def test_corrupt_and_empty_audio_name_the_source(tmp_path: Path) -> None:
    path = tmp_path / "clip.wav"
    soundfile.write(path, np.zeros(1600, np.float32), 16_000, subtype="PCM_16")
    data = path.read_bytes()
    with pytest.raises(Gemma4RosError, match="mic.wav .* not readable audio") as error:
        md.decode_audio(b"RIFF\x00\x00garbage" * 4, "mic.wav")
    assert "ffmpeg" in error.value.hint
    with pytest.raises(Gemma4RosError, match="holds no audio samples"):
        md.decode_audio(data[:44], "header-only.wav")
    with pytest.raises(Gemma4RosError, match="is empty"):
        md.decode_audio(b"", "mic.wav")
    with pytest.raises(Gemma4RosError, match="does not exist"):
        md.load_audio(tmp_path / "nothing.wav")


@pytest.mark.parametrize("encoding", list(AudioEncoding))
def test_audio_chunks_become_frames_by_channels(encoding: AudioEncoding) -> None:
    interleaved = np.array([[100, -200], [300, -400], [500, -600]])
    dtype = "<i2" if encoding is AudioEncoding.PCM_S16LE else "<f4"
    values = interleaved if encoding is AudioEncoding.PCM_S16LE else interleaved / 32768
    chunk = AudioChunk(sample_rate=48_000, channels=2, encoding=encoding,
                       data=values.astype(dtype).tobytes())
    samples = md.pcm_from_chunk(chunk)
    assert samples.shape == (3, 2) and samples.dtype.isnative
    np.testing.assert_array_equal(samples, values.astype(dtype))
    np.testing.assert_allclose(af.to_float_pcm(samples), interleaved / 32768, rtol=0, atol=1e-7)
