"""Frames and audio for the standalone pipeline: files, folders, video, webcam and microphone.

Each source is an iterable with a thread-safe :meth:`close`: iterate it directly (tests, one-shot
CLI commands), or let a :class:`BackgroundReader` pull from it on a thread of its own and hand
each item to a sink such as :meth:`LatestFrame.put` or :meth:`SpeechListener.push`. The reading
thread owns the device: ``close()`` asks it to stop and it releases the capture or stream itself,
so OpenCV and PortAudio handles are never freed under a read in progress.

Files are decoded by the runtime's decoders (:mod:`gemma4_ros.media.decode`), so a
missing or corrupt file fails here with the same clear error as anywhere else.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import cv2
import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.image_files import IMAGE_SUFFIXES, list_images
from gemma4_ros.perception.frame import Frame, frame_from_bgr
from gemma4_ros.media.decode import load_audio, load_image
from gemma4_ros.types import AudioChunk, AudioEncoding

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
Clock = Callable[[], float]


class Source(Protocol[T_co]):
    """What :class:`BackgroundReader` reads: items, a natural pace, and a way to stop."""

    @property
    def natural_interval_s(self) -> float | None: ...

    def __iter__(self) -> Iterator[T_co]: ...

    def close(self) -> None: ...


class _Closable:
    """Shared stop flag; ``_release`` runs once, on the reading thread or in ``close``."""

    natural_interval_s: float | None = None

    def __init__(self) -> None:
        self._closed = threading.Event()
        self._guard = threading.Lock()
        self._iterating = False
        self._released = False

    def close(self) -> None:
        self._closed.set()
        with self._guard:
            release_now = not self._iterating
        if release_now:
            self._release_once()

    def _begin(self) -> None:
        with self._guard:
            if self._iterating:
                raise Gemma4RosError(f"{type(self).__name__} is already being read",
                                     "read a source from one thread only")
            self._iterating = True

    def _end(self) -> None:
        with self._guard:
            self._iterating = False
        self._release_once()

    def _release_once(self) -> None:
        with self._guard:
            if self._released:
                return
            self._released = True
        self._release()

    def _release(self) -> None:
        """Free the device or file handle (subclasses that hold one)."""


class ImageFiles(_Closable):
    """Frames from one image file or every image in a folder (sorted by name)."""

    def __init__(self, path: str | Path, *, loop: bool = False, frame_id: str = "camera",
                 clock: Clock = time.time) -> None:
        super().__init__()
        self.paths = _image_paths(Path(path).expanduser())
        self._loop, self._frame_id, self._clock = loop, frame_id, clock

    def __iter__(self) -> Iterator[Frame]:
        self._begin()
        try:
            while not self._closed.is_set():
                for path in self.paths:
                    if self._closed.is_set():
                        return
                    yield frame_from_bgr(load_image(path), self._clock(), self._frame_id)
                if not self._loop:
                    return
        finally:
            self._end()


class VideoFrames(_Closable):
    """Frames from a video file or a webcam (``cv2.VideoCapture``)."""

    def __init__(self, source: str | Path | int, *, loop: bool = False, frame_id: str = "camera",
                 clock: Clock = time.time) -> None:
        super().__init__()
        self._webcam = isinstance(source, int)
        self.name = f"webcam {source}" if self._webcam else str(source)
        target: str | int = source if isinstance(source, int) else str(Path(source).expanduser())
        if isinstance(target, str) and not Path(target).is_file():
            raise Gemma4RosError(f"video file {source} does not exist",
                                 "check the path; relative paths start at the working directory")
        self._capture = _open_capture(target, self.name)
        fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.natural_interval_s = None if self._webcam or not 0 < fps < 1000 else 1.0 / fps
        self._loop, self._frame_id, self._clock = loop, frame_id, clock

    def __iter__(self) -> Iterator[Frame]:
        self._begin()
        try:
            delivered = 0
            while not self._closed.is_set():
                ok, image = self._capture.read()
                if ok:
                    delivered += 1
                    yield frame_from_bgr(image, self._clock(), self._frame_id)
                elif not self._webcam and self._loop and delivered:
                    self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                elif not self._webcam and delivered:
                    return
                else:
                    raise Gemma4RosError(f"{self.name} delivered no frame",
                                         _capture_hint(self._webcam))
        finally:
            self._end()

    def _release(self) -> None:
        self._capture.release()


def open_frames(spec: str | Path | int, *, loop: bool = False, frame_id: str = "camera",
                clock: Clock = time.time) -> ImageFiles | VideoFrames:
    """A frame source from ``spec``: a webcam index (``0`` or ``"0"``), a folder of images, an
    image file, or a video file (anything else OpenCV can open)."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return VideoFrames(int(spec), loop=loop, frame_id=frame_id, clock=clock)
    path = Path(spec).expanduser()
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFiles(path, loop=loop, frame_id=frame_id, clock=clock)
    return VideoFrames(path, loop=loop, frame_id=frame_id, clock=clock)


class WavChunks(_Closable):
    """A recording (WAV, FLAC, OGG) as :class:`AudioChunk` messages of ``chunk_s`` seconds,
    stamped as if recorded from the moment iteration starts; paced by a reader if wanted."""

    def __init__(self, path: str | Path, *, chunk_s: float = 0.02, frame_id: str = "microphone",
                 clock: Clock = time.time) -> None:
        super().__init__()
        if not 0.0 < chunk_s <= 1.0:
            raise Gemma4RosError(f"audio chunk length {chunk_s} s is outside (0, 1]",
                                 "use 0.01–0.1 s chunks, as microphone drivers send them")
        self.samples, self.sample_rate = load_audio(path)
        self.natural_interval_s = chunk_s
        self._frames_per_chunk = max(1, int(round(chunk_s * self.sample_rate)))
        self._frame_id, self._clock = frame_id, clock

    def __iter__(self) -> Iterator[AudioChunk]:
        self._begin()
        try:
            start = self._clock()
            for offset in range(0, self.samples.shape[0], self._frames_per_chunk):
                if self._closed.is_set():
                    return
                block = self.samples[offset:offset + self._frames_per_chunk]
                yield _float_chunk(block, self.sample_rate, start + offset / self.sample_rate,
                                   self._frame_id)
        finally:
            self._end()


class Microphone(_Closable):
    """Live audio through PortAudio (``sounddevice``), as float32 :class:`AudioChunk` messages."""

    def __init__(self, *, sample_rate: int = 16_000, channels: int = 1, chunk_s: float = 0.02,
                 device: int | str | None = None, frame_id: str = "microphone",
                 clock: Clock = time.time, max_queued: int = 500) -> None:
        super().__init__()
        sounddevice = _import_sounddevice()
        self.sample_rate, self.channels, self.overflows = sample_rate, channels, 0
        self._queue: queue.Queue[AudioChunk] = queue.Queue(max_queued)
        self._frame_id, self._clock = frame_id, clock
        try:
            self._stream = sounddevice.InputStream(
                samplerate=sample_rate, channels=channels, dtype="float32", device=device,
                blocksize=max(1, int(round(chunk_s * sample_rate))), callback=self._on_block)
            self._stream.start()
        except Exception as error:  # PortAudioError, ValueError for unknown device names
            raise Gemma4RosError(
                f"cannot open microphone {device if device is not None else '(default)'} at "
                f"{sample_rate} Hz × {channels}: {error}",
                "list devices with `python -m sounddevice` and pass one by index or name; try "
                "sample_rate 48000 (audio is resampled to 16 kHz anyway)") from None

    def __iter__(self) -> Iterator[AudioChunk]:
        self._begin()
        try:
            while not self._closed.is_set():
                try:
                    yield self._queue.get(timeout=0.1)
                except queue.Empty:
                    continue
        finally:
            self._end()

    def _on_block(self, block: np.ndarray, frames: int, timing: Any, status: Any) -> None:
        # PortAudio's thread: copy out and return; a full queue drops the block and counts it.
        stamp = self._clock() - frames / self.sample_rate
        chunk = _float_chunk(block.copy(), self.sample_rate, stamp, self._frame_id)
        try:
            self._queue.put_nowait(chunk)
        except queue.Full:
            self.overflows += 1

    def _release(self) -> None:
        self._stream.stop()
        self._stream.close()


class BackgroundReader(Generic[T]):
    """Pulls items from a source on its own thread into ``sink`` until the end or :meth:`stop`.

    ``paced`` waits the source's natural interval between items (real-time playback of a file);
    errors end the reader and are kept in :attr:`error` rather than lost in a thread.
    """

    def __init__(self, source: Source[T], sink: Callable[[T], None], *, paced: bool = True,
                 name: str = "source-reader") -> None:
        self._source, self._sink, self._paced = source, sink, paced
        self._stop = threading.Event()
        self.error: Exception | None = None
        self.count = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> BackgroundReader[T]:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._source.close()
        if self._thread.ident is None:  # never started: nothing to join
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise Gemma4RosError(f"{self._thread.name} did not stop within {timeout} s",
                                 "the sink is blocking; make it return quickly")

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the source to end; True when the reader has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        interval = self._source.natural_interval_s if self._paced else None
        try:
            for item in self._source:
                if self._stop.is_set():
                    break
                self._sink(item)
                self.count += 1
                if interval and self._stop.wait(interval):
                    break
        except Exception as error:  # kept for the owner; the thread must not die silently
            self.error = error
        finally:
            self._source.close()


def _float_chunk(block: np.ndarray, rate: int, stamp: float, frame_id: str) -> AudioChunk:
    data = np.ascontiguousarray(block, dtype="<f4")
    return AudioChunk(stamp=stamp, frame_id=frame_id, sample_rate=rate,
                      channels=int(data.shape[1]) if data.ndim == 2 else 1,
                      encoding=AudioEncoding.PCM_F32LE, data=data.tobytes())


def _image_paths(path: Path) -> tuple[Path, ...]:
    if path.is_dir():
        found = list_images(path)
        if not found:
            raise Gemma4RosError(f"folder {path} holds no images ({', '.join(IMAGE_SUFFIXES)})",
                                 "point at a folder of PNG or JPEG files")
        return found
    if not path.is_file():
        raise Gemma4RosError(f"image file {path} does not exist",
                             "check the path; relative paths start at the working directory")
    return (path,)


def _open_capture(source: str | int, name: str) -> Any:
    capture = cv2.VideoCapture(source)
    if not capture.isOpened():
        capture.release()
        raise Gemma4RosError(f"cannot open {name}", _capture_hint(isinstance(source, int)))
    return capture


def _capture_hint(webcam: bool) -> str:
    if webcam:
        return ("check that the camera is connected (ls /dev/video*) and that you may read it "
                "(add your user to the 'video' group); try another index")
    return "the file is corrupt or not a video OpenCV can decode; re-encode it as H.264 MP4"


def _import_sounddevice() -> Any:
    try:
        import sounddevice
    except (ImportError, OSError) as error:  # OSError: the package is there, PortAudio is not
        raise Gemma4RosError(
            f"microphone input needs the Python package sounddevice and the PortAudio library "
            f"({type(error).__name__}: {error})",
            "pip install 'sounddevice>=0.4' and apt-get install libportaudio2, or give a WAV "
            "file instead of the microphone") from None
    return sounddevice
