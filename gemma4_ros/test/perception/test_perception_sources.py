"""Input sources for the standalone pipeline: files, folders, video, WAV, microphone, readers."""

from __future__ import annotations

import queue
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import soundfile
import soxr

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.config import PerceptionConfig, VadConfig
from gemma4_ros.perception.latest_frame import LatestFrame
from gemma4_ros.perception.listener import SpeechListener
from gemma4_ros.perception.sources import (
    BackgroundReader,
    ImageFiles,
    Microphone,
    VideoFrames,
    WavChunks,
    open_frames,
)
from gemma4_ros.perception.utterances import Utterance
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.types import AudioEncoding

BGR = np.random.default_rng(5).integers(0, 256, size=(24, 32, 3), dtype=np.uint8)


def write_images(folder: Path, count: int) -> list[np.ndarray]:
    folder.mkdir(exist_ok=True)
    images = [np.roll(BGR, i, axis=1) for i in range(count)]
    for i, image in enumerate(images):
        assert cv2.imwrite(str(folder / f"frame_{i:02d}.png"), image)
    (folder / "notes.txt").write_text("not an image")
    return images


def write_video(path: Path, frames: int = 6, fps: float = 25.0) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (32, 24))
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.full((24, 32, 3), i * 40, np.uint8))
    writer.release()


def test_image_file_and_folder(tmp_path: Path) -> None:
    images = write_images(tmp_path / "shots", 3)
    clock = FakeClock()
    (single,) = list(ImageFiles(tmp_path / "shots" / "frame_00.png", clock=clock))
    np.testing.assert_array_equal(single.rgb, images[0][..., ::-1])
    assert (single.stamp, single.frame_id) == (clock(), "camera")
    folder = list(open_frames(str(tmp_path / "shots"), frame_id="cam"))
    assert len(folder) == 3 and folder[2].frame_id == "cam"
    np.testing.assert_array_equal(folder[2].rgb, images[2][..., ::-1])


def test_missing_and_corrupt_images_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(Gemma4RosError, match="does not exist"):
        open_frames(tmp_path / "nope.png")
    (tmp_path / "empty").mkdir()
    with pytest.raises(Gemma4RosError, match="holds no images"):
        open_frames(tmp_path / "empty")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 truncated")
    with pytest.raises(Gemma4RosError, match="not a readable image"):
        list(open_frames(tmp_path / "broken.jpg"))


def test_video_file_frames_and_pace(tmp_path: Path) -> None:
    write_video(tmp_path / "clip.avi")
    source = open_frames(tmp_path / "clip.avi")
    assert isinstance(source, VideoFrames)
    assert source.natural_interval_s == pytest.approx(1 / 25)
    frames = list(source)
    assert len(frames) == 6
    assert [round(float(f.rgb.mean()) / 40) for f in frames] == list(range(6))


def test_looping_video_restarts_until_closed(tmp_path: Path) -> None:
    write_video(tmp_path / "clip.avi", frames=3)
    source = VideoFrames(tmp_path / "clip.avi", loop=True)
    frames = []
    for frame in source:
        frames.append(frame)
        if len(frames) == 7:
            source.close()
    assert len(frames) == 7


def test_missing_and_corrupt_video_and_absent_webcam(tmp_path: Path) -> None:
    with pytest.raises(Gemma4RosError, match="does not exist"):
        open_frames(tmp_path / "nope.mp4")
    (tmp_path / "junk.mp4").write_bytes(b"\0not a video" * 100)
    with pytest.raises(Gemma4RosError, match="junk.mp4") as caught:
        list(open_frames(tmp_path / "junk.mp4"))
    assert "re-encode" in caught.value.hint
    with pytest.raises(Gemma4RosError, match="webcam 57") as caught:
        list(open_frames("57"))
    assert "/dev/video" in caught.value.hint


def test_wav_chunks_carry_the_whole_recording(tmp_path: Path) -> None:
    stereo = np.random.default_rng(2).uniform(-0.5, 0.5, size=(4410, 2)).astype(np.float32)
    soundfile.write(tmp_path / "in.wav", stereo, 44_100, subtype="FLOAT")
    clock = FakeClock()
    chunks = list(WavChunks(tmp_path / "in.wav", chunk_s=0.02, clock=clock))
    assert len(chunks) == 5 and chunks[1].stamp == pytest.approx(clock() + 0.02)
    assert {(c.sample_rate, c.channels, c.encoding) for c in chunks} == {
        (44_100, 2, AudioEncoding.PCM_F32LE)}
    joined = np.frombuffer(b"".join(c.data for c in chunks), "<f4").reshape(-1, 2)
    np.testing.assert_array_equal(joined, stereo)


def test_missing_and_corrupt_wav_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(Gemma4RosError, match="does not exist"):
        WavChunks(tmp_path / "nope.wav")
    (tmp_path / "bad.wav").write_bytes(b"RIFF\x10\0\0\0WAVEfmt garbage")
    with pytest.raises(Gemma4RosError, match="not readable audio") as caught:
        WavChunks(tmp_path / "bad.wav")
    assert "ffmpeg" in caught.value.hint
    with pytest.raises(Gemma4RosError, match="chunk length"):
        WavChunks(tmp_path / "bad.wav", chunk_s=0)


def test_wav_through_a_reader_into_the_speech_listener(tmp_path: Path,
                                                       speech: np.ndarray) -> None:
    gap = np.zeros(16_000, np.float32)
    up = soxr.resample(np.concatenate([gap, speech, gap, speech, gap]), 16_000, 48_000)
    soundfile.write(tmp_path / "command.wav", up, 48_000, subtype="PCM_16")
    got: queue.Queue[Utterance] = queue.Queue()
    listener = SpeechListener(got.put, PerceptionConfig(vad=VadConfig(backend="silero"))).start()
    reader = BackgroundReader(WavChunks(tmp_path / "command.wav"), listener.push,
                              paced=False).start()
    assert reader.join(timeout=30) and reader.error is None
    listener.stop()
    assert got.qsize() == 2 and reader.count == listener.stats().chunks


def test_reader_feeds_latest_frame_and_stops_cleanly(tmp_path: Path) -> None:
    write_images(tmp_path / "shots", 2)
    latest = LatestFrame()
    source = ImageFiles(tmp_path / "shots", loop=True)
    reader = BackgroundReader(source, latest.put).start()
    while latest.stats().received < 10:
        assert reader.running
        time.sleep(0.001)
    reader.stop()
    assert not reader.running and reader.error is None
    assert list(source) == []  # a closed source yields nothing more


def test_reader_keeps_the_sources_error(tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "bad.png").write_bytes(b"broken")
    reader = BackgroundReader(ImageFiles(tmp_path / "shots"), lambda frame: None).start()
    assert reader.join(timeout=10)
    assert isinstance(reader.error, Gemma4RosError) and "not a readable image" in str(reader.error)


def test_microphone_without_sounddevice_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    with pytest.raises(Gemma4RosError, match="package sounddevice and the PortAudio") as caught:
        Microphone()
    assert "libportaudio2" in caught.value.hint and "WAV" in caught.value.hint


class FakeInputStream:
    """Calls the callback from a thread with 320-frame blocks, as PortAudio does."""

    def __init__(self, samplerate: int, channels: int, dtype: str, device: Any, blocksize: int,
                 callback: Any) -> None:
        if device == "missing":
            raise ValueError("No input device matching 'missing'")
        self.blocksize, self.channels, self.callback = blocksize, channels, callback
        self.running = threading.Event()
        self.closed = False

    def start(self) -> None:
        self.running.set()
        threading.Thread(target=self._produce, daemon=True).start()

    def _produce(self) -> None:
        value = 0.0
        while self.running.is_set():
            value += 0.001
            block = np.full((self.blocksize, self.channels), value, np.float32)
            self.callback(block, self.blocksize, None, None)
            self.running.wait(0.001)

    def stop(self) -> None:
        self.running.clear()

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_sounddevice(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("sounddevice")
    module.InputStream = FakeInputStream  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", module)
    return module


def test_microphone_chunks_and_close(fake_sounddevice: types.ModuleType) -> None:
    mic = Microphone(sample_rate=16_000, channels=2, chunk_s=0.02)
    chunks = []
    for chunk in mic:
        chunks.append(chunk)
        if len(chunks) == 5:
            mic.close()
    assert len(chunks) == 5 and mic._stream.closed and not mic._stream.running.is_set()
    assert {(c.sample_rate, c.channels, len(c.data)) for c in chunks} == {(16_000, 2, 320 * 8)}
    with pytest.raises(Gemma4RosError, match="cannot open microphone missing") as caught:
        Microphone(device="missing")
    assert "python -m sounddevice" in caught.value.hint


def test_stopping_a_reader_that_never_started_closes_its_source(tmp_path: Path) -> None:
    write_video(tmp_path / "clip.avi", frames=2)
    source = VideoFrames(tmp_path / "clip.avi")
    BackgroundReader(source, lambda frame: None).stop()
    assert list(source) == []
