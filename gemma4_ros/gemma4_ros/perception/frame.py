"""The core camera frame, and raw or compressed image bytes → frame and back, without cv_bridge.

A :class:`Frame` is always H×W×3 ``uint8`` **RGB**: every camera encoding the planner accepts is
converted once at the edge, so nothing downstream branches on encodings. Raw images arrive as a
ROS ``sensor_msgs/Image`` carries them (bytes, width, height, encoding, step, is_bigendian), but
these functions take plain values so the standalone pipeline and tests need no message classes.

Only 8-bit colour and grey encodings are accepted. Depth (16UC1, 32FC1), Bayer and YUV frames
are refused with an error naming the encoding, because guessing a conversion would show the
model an image that is not what the camera saw. Alpha is blended onto white exactly as Gemma 4's
image processor does it (:func:`gemma4_ros.media.image_preprocessing.to_rgb`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import cv2
import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.media.image_preprocessing import to_rgb
from gemma4_ros.media.decode import decode_image

RawEncoding = Literal["rgb8", "bgr8", "mono8", "rgba8", "bgra8"]
#: The ``sensor_msgs/Image`` encodings a frame may be built from (and written back to).
ACCEPTED_ENCODINGS: tuple[str, ...] = get_args(RawEncoding)
CHANNELS: dict[str, int] = {"rgb8": 3, "bgr8": 3, "mono8": 1, "rgba8": 4, "bgra8": 4}
CompressedFormat = Literal["jpeg", "png"]
COMPRESSED_FORMATS: tuple[str, ...] = get_args(CompressedFormat)
_EXTENSIONS = {"jpeg": ".jpg", "png": ".png"}


class FrameError(Gemma4RosError):
    """Image data that cannot become a frame; ``field`` names the offending image field
    (``encoding``, ``step``, ``data``, ``format``...) for the ROS layer to report."""

    def __init__(self, field: str, value: Any, problem: str, hint: str) -> None:
        self.field = field
        self.value = value
        super().__init__(problem, hint)


@dataclass(frozen=True)
class Frame:
    """One camera image: RGB pixels, capture time (float seconds, epoch) and the camera's frame.

    The pixel array is made read-only, so a frame shared between the camera thread and the model
    worker cannot be changed under a reader. Build from a fresh array (the converters do).
    """

    rgb: np.ndarray
    stamp: float
    frame_id: str = ""

    def __post_init__(self) -> None:
        rgb = self.rgb
        if not (isinstance(rgb, np.ndarray) and rgb.dtype == np.uint8 and rgb.ndim == 3
                and rgb.shape[2] == 3 and rgb.shape[0] > 0 and rgb.shape[1] > 0):
            shape = getattr(rgb, "shape", None)
            kind = getattr(rgb, "dtype", type(rgb).__name__)
            raise FrameError("rgb", shape, f"a frame needs a non-empty H×W×3 uint8 RGB array, "
                             f"got {kind} with shape {shape}",
                             "build frames with frame_from_raw / frame_from_bgr, which convert")
        if not math.isfinite(self.stamp):
            raise FrameError("stamp", self.stamp, f"frame stamp {self.stamp} is not finite",
                             "stamp frames with the capture time in seconds (time.time())")
        view = rgb.view()
        view.flags.writeable = False
        object.__setattr__(self, "rgb", view)

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    def bgr(self) -> np.ndarray:
        """A BGR copy for OpenCV functions (imwrite, imshow)."""
        return np.ascontiguousarray(self.rgb[..., ::-1])


@dataclass(frozen=True)
class RawImage:
    """The fields of a ``sensor_msgs/Image`` payload, as :func:`frame_to_raw` writes them."""

    data: bytes
    height: int
    width: int
    encoding: str
    step: int
    is_bigendian: bool = False


def frame_from_bgr(bgr: np.ndarray, stamp: float, frame_id: str = "") -> Frame:
    """An OpenCV BGR image (``cv2.imread``, ``VideoCapture.read``) → frame."""
    return Frame(to_rgb(bgr, "bgr8"), stamp, frame_id)


def check_encoding(encoding: str) -> str:
    """``encoding`` if a frame can be built from it; otherwise an error naming the accepted ones."""
    if encoding in CHANNELS:
        return encoding
    accepted = ", ".join(ACCEPTED_ENCODINGS)
    raise FrameError("encoding", encoding,
                     f"image encoding {encoding!r} is not supported; accepted: {accepted}",
                     _encoding_hint(encoding))


def frame_from_raw(data: Any, *, height: int, width: int, encoding: str, step: int,
                   stamp: float, frame_id: str = "", is_bigendian: bool = False) -> Frame:
    """Raw image bytes (any buffer: bytes, ``array.array``, numpy) → frame.

    ``step`` is the row length in bytes and may exceed ``width × channels`` (row padding, which
    is skipped). ``is_bigendian`` is accepted either way: every accepted encoding has one byte
    per channel, so byte order cannot change a value. The data must hold ``step × height`` bytes;
    a last row without its padding is accepted too, since some drivers send it that way.
    """
    channels = CHANNELS[check_encoding(encoding)]
    if height <= 0 or width <= 0:
        raise FrameError("height" if height <= 0 else "width", (height, width),
                         f"image size {width}×{height} is empty",
                         "check the camera driver: width and height must be positive")
    row = width * channels
    if step < row:
        raise FrameError("step", step, f"step {step} is smaller than width × channels = {row} "
                         f"bytes for a {width}-pixel {encoding} row",
                         "set step to the row length in bytes (width × bytes per pixel + padding)")
    buffer = np.frombuffer(data, dtype=np.uint8)
    shortest, full = step * (height - 1) + row, step * height
    if not shortest <= buffer.size <= full:
        raise FrameError("data", buffer.size, f"image data has {buffer.size} bytes; a {width}×"
                         f"{height} {encoding} image with step {step} needs {full}",
                         "send step × height bytes; check step and the encoding")
    pixels = np.lib.stride_tricks.as_strided(
        buffer, shape=(height, width, channels), strides=(step, channels, 1), writeable=False)
    return Frame(_to_rgb_copy(pixels, encoding), stamp, frame_id)


def _to_rgb_copy(pixels: np.ndarray, encoding: str) -> np.ndarray:
    """RGB pixels that own their memory (the message's buffer may be reused by its sender).

    Opaque alpha, what cameras send, is dropped by OpenCV: blending with alpha 255 gives the
    colour unchanged, and the processor's float blend costs ~25 ms on a VGA frame, too slow for
    30 fps. Every other conversion writes a new array; rgb8 alone needs an explicit copy.
    """
    if CHANNELS[encoding] == 4:
        packed = np.ascontiguousarray(pixels)
        if cv2.minMaxLoc(cv2.extractChannel(packed, 3))[0] == 255:
            code = cv2.COLOR_RGBA2RGB if encoding == "rgba8" else cv2.COLOR_BGRA2RGB
            return np.asarray(cv2.cvtColor(packed, code))
        return to_rgb(packed, cast(RawEncoding, encoding))
    source = np.array(pixels) if encoding == "rgb8" else np.ascontiguousarray(pixels)
    return to_rgb(source, cast(RawEncoding, encoding))


def frame_to_raw(frame: Frame, encoding: str = "rgb8") -> RawImage:
    """Frame → packed raw bytes (step = width × channels) in ``encoding``; alpha is opaque."""
    channels = CHANNELS[check_encoding(encoding)]
    rgb = frame.rgb
    if encoding == "mono8":
        pixels = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    else:
        ordered = rgb[..., ::-1] if encoding.startswith("bgr") else rgb
        pixels = ordered
        if channels == 4:
            alpha = np.full(rgb.shape[:2] + (1,), 255, dtype=np.uint8)
            pixels = np.concatenate([ordered, alpha], axis=2)
    data = np.ascontiguousarray(pixels).tobytes()
    return RawImage(data, frame.height, frame.width, encoding, frame.width * channels)


def frame_from_compressed(data: Any, *, format: str, stamp: float, frame_id: str = "") -> Frame:
    """JPEG or PNG bytes (a ``sensor_msgs/CompressedImage`` payload) → frame.

    The bytes decide the codec (OpenCV reads the signature), so image_transport's format strings
    such as ``"bgr8; jpeg compressed bgr8"`` work. ``compressedDepth`` payloads are depth, not
    pictures, and are refused like raw depth images.
    """
    if "compresseddepth" in format.lower():
        raise FrameError("format", format, f"compressed image format {format!r} is a depth image",
                         "subscribe to the colour image topic (…/image_raw/compressed)")
    try:
        bgr = decode_image(bytes(memoryview(data)), "compressed image data")
    except Gemma4RosError as error:
        raise FrameError("data", f"<{len(memoryview(data))} bytes>", error.problem,
                         "send JPEG or PNG bytes; check the publisher's image_transport format",
                         ) from None
    return frame_from_bgr(bgr, stamp, frame_id)


def frame_to_compressed(frame: Frame, format: str = "jpeg", quality: int = 90) -> bytes:
    """Frame → JPEG (``quality`` 1..100) or PNG bytes."""
    if format not in _EXTENSIONS:
        raise FrameError("format", format, f"cannot compress to {format!r}",
                         f"use one of {', '.join(COMPRESSED_FORMATS)}")
    if not 1 <= quality <= 100:
        raise FrameError("quality", quality, f"JPEG quality {quality} is outside 1..100",
                         "pass a quality between 1 and 100 (90 is a good default)")
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if format == "jpeg" else []
    ok, encoded = cv2.imencode(_EXTENSIONS[format], frame.bgr(), params)
    if not ok:  # pragma: no cover - OpenCV fails here only without its codecs
        raise FrameError("format", format, f"OpenCV could not encode {format}",
                         "install opencv-python-headless with its bundled codecs")
    return encoded.tobytes()


def _encoding_hint(encoding: str) -> str:
    lowered = encoding.lower()
    if lowered in ("8uc1", "8uc3", "8uc4"):
        return "8UCn carries no colour order; publish mono8, bgr8 or bgra8 instead"
    if lowered.startswith(("16u", "32f", "64f", "16s", "32s", "mono16", "rgb16", "bgr16")):
        return ("depth and 16-bit images are not shown to the model; subscribe to the colour "
                "topic, or convert to mono8/rgb8 first")
    if lowered.startswith("bayer"):
        return "debayer first (image_proc's debayer node publishes rgb8/bgr8)"
    if lowered in ("yuv422", "uyvy", "yuyv", "nv21", "nv24", "yuv422_yuy2"):
        return "convert YUV to rgb8 first (image_proc, or set the camera driver's pixel format)"
    return "publish one of the accepted encodings (most camera drivers can emit rgb8 or bgr8)"
