"""Raw and compressed image bytes → RGB frames: every accepted encoding, padding, and refusals."""

from __future__ import annotations

import array

import cv2
import numpy as np
import pytest

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.frame import (
    ACCEPTED_ENCODINGS,
    Frame,
    FrameError,
    frame_from_bgr,
    frame_from_compressed,
    frame_from_raw,
    frame_to_compressed,
    frame_to_raw,
)

STAMP = 1_800_000_000.25
RNG = np.random.default_rng(7)
RGB = RNG.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)


def encoded_pixels(rgb: np.ndarray, encoding: str) -> np.ndarray:
    """The image as a camera would lay it out in ``encoding`` (alpha opaque)."""
    alpha = np.full(rgb.shape[:2] + (1,), 255, dtype=np.uint8)
    return {
        "rgb8": rgb,
        "bgr8": rgb[..., ::-1],
        "rgba8": np.concatenate([rgb, alpha], axis=2),
        "bgra8": np.concatenate([rgb[..., ::-1], alpha], axis=2),
        "mono8": rgb[..., :1],
    }[encoding]


def padded_bytes(pixels: np.ndarray, padding: int) -> tuple[bytes, int]:
    """Rows followed by ``padding`` junk bytes each, as drivers with aligned rows send them."""
    height = pixels.shape[0]
    rows = pixels.reshape(height, -1)
    junk = np.full((height, padding), 0xAB, dtype=np.uint8)
    return np.concatenate([rows, junk], axis=1).tobytes(), rows.shape[1] + padding


@pytest.mark.parametrize("encoding", ACCEPTED_ENCODINGS)
@pytest.mark.parametrize("padding", [0, 3, 64])
@pytest.mark.parametrize("big_endian", [False, True])
def test_every_encoding_with_row_padding(encoding: str, padding: int, big_endian: bool) -> None:
    pixels = encoded_pixels(RGB, encoding)
    data, step = padded_bytes(pixels, padding)
    frame = frame_from_raw(data, height=5, width=7, encoding=encoding, step=step,
                           is_bigendian=big_endian, stamp=STAMP, frame_id="cam")
    expected = np.repeat(RGB[..., :1], 3, axis=2) if encoding == "mono8" else RGB
    np.testing.assert_array_equal(frame.rgb, expected)
    assert (frame.stamp, frame.frame_id, frame.height, frame.width) == (STAMP, "cam", 5, 7)


def test_alpha_is_blended_onto_white_like_the_processor() -> None:
    rgba = np.array([[[200, 100, 0, 0], [200, 100, 0, 255], [200, 100, 0, 128]]], np.uint8)
    frame = frame_from_raw(rgba.tobytes(), height=1, width=3, encoding="rgba8", step=12,
                           stamp=STAMP)
    np.testing.assert_array_equal(frame.rgb[0], [[255, 255, 255], [200, 100, 0], [227, 177, 127]])


def test_unpadded_last_row_is_accepted_and_buffers_of_any_kind_work() -> None:
    data, step = padded_bytes(RGB, 5)
    short = data[:-5]
    for buffer in (short, array.array("B", short), np.frombuffer(short, np.uint8)):
        frame = frame_from_raw(buffer, height=5, width=7, encoding="rgb8", step=step, stamp=STAMP)
        np.testing.assert_array_equal(frame.rgb, RGB)


@pytest.mark.parametrize("encoding", ["16UC1", "32FC1", "bayer_rggb8", "yuv422", "8UC3", "rgb16",
                                      "", "RGB8"])
def test_other_encodings_are_refused_naming_the_accepted_ones(encoding: str) -> None:
    with pytest.raises(FrameError) as caught:
        frame_from_raw(b"\0" * 70, height=5, width=7, encoding=encoding, step=14, stamp=STAMP)
    message = str(caught.value)
    assert repr(encoding) in message
    assert "accepted: rgb8, bgr8, mono8, rgba8, bgra8" in message
    assert caught.value.field == "encoding" and caught.value.hint


def test_bayer_and_depth_hints_say_what_to_do() -> None:
    with pytest.raises(FrameError, match="debayer"):
        frame_from_raw(b"", height=1, width=1, encoding="bayer_bggr8", step=1, stamp=STAMP)
    with pytest.raises(FrameError, match="depth"):
        frame_from_raw(b"", height=1, width=1, encoding="16UC1", step=2, stamp=STAMP)


@pytest.mark.parametrize("kwargs, field, text", [
    ({"step": 20}, "step", "smaller than width × channels = 21"),
    ({"data": b"\0" * 104}, "data", "needs 105"),
    ({"data": b"\0" * 106}, "data", "has 106 bytes"),
    ({"height": 0, "data": b""}, "height", "empty"),
    ({"width": 0}, "width", "empty"),
])
def test_inconsistent_sizes_are_refused(kwargs: dict, field: str, text: str) -> None:
    args = {"data": b"\0" * 105, "height": 5, "width": 7, "encoding": "rgb8", "step": 21,
            "stamp": STAMP, **kwargs}
    data = args.pop("data")
    with pytest.raises(FrameError, match=text) as caught:
        frame_from_raw(data, **args)
    assert caught.value.field == field


@pytest.mark.parametrize("encoding", ACCEPTED_ENCODINGS)
def test_raw_round_trip(encoding: str) -> None:
    source = np.repeat(RGB[..., :1], 3, axis=2) if encoding == "mono8" else RGB
    frame = Frame(source.copy(), STAMP, "cam")
    raw = frame_to_raw(frame, encoding)
    assert raw.step == 7 * {"mono8": 1, "rgb8": 3, "bgr8": 3}.get(encoding, 4)
    back = frame_from_raw(raw.data, height=raw.height, width=raw.width, encoding=raw.encoding,
                          step=raw.step, stamp=STAMP)
    np.testing.assert_array_equal(back.rgb, source)


def test_png_is_lossless_and_jpeg_is_close() -> None:
    smooth = cv2.resize(RGB, (64, 48), interpolation=cv2.INTER_LINEAR)
    frame = Frame(smooth, STAMP, "cam")
    png = frame_from_compressed(frame_to_compressed(frame, "png"), format="png", stamp=STAMP)
    np.testing.assert_array_equal(png.rgb, smooth)
    jpeg = frame_from_compressed(frame_to_compressed(frame, "jpeg", 95),
                                 format="rgb8; jpeg compressed bgr8", stamp=STAMP, frame_id="c")
    assert jpeg.frame_id == "c" and jpeg.rgb.shape == smooth.shape
    assert np.abs(jpeg.rgb.astype(int) - smooth).mean() < 6


def test_compressed_decode_keeps_colour_order() -> None:
    red = np.zeros((8, 8, 3), np.uint8)
    red[..., 0] = 255
    ok, png = cv2.imencode(".png", red[..., ::-1])  # OpenCV writes BGR
    assert ok
    frame = frame_from_compressed(png.tobytes(), format="png", stamp=STAMP)
    np.testing.assert_array_equal(frame.rgb[0, 0], [255, 0, 0])


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_corrupt_compressed_data_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(FrameError, match="compressed image data") as caught:
        frame_from_compressed(data, format="png", stamp=STAMP)
    assert caught.value.field == "data" and "JPEG or PNG" in caught.value.hint


def test_jpeg_cut_inside_its_header_is_refused() -> None:
    jpeg = frame_to_compressed(Frame(RGB.copy(), STAMP), "jpeg")
    with pytest.raises(FrameError):
        frame_from_compressed(jpeg[:20], format="jpeg", stamp=STAMP)


def test_compressed_depth_is_refused() -> None:
    png = frame_to_compressed(Frame(RGB.copy(), STAMP), "png")
    with pytest.raises(FrameError, match="depth") as caught:
        frame_from_compressed(png, format="16UC1; compressedDepth png", stamp=STAMP)
    assert caught.value.field == "format"


def test_compression_arguments_are_checked() -> None:
    frame = Frame(RGB.copy(), STAMP)
    with pytest.raises(FrameError, match="'tiff'"):
        frame_to_compressed(frame, "tiff")
    with pytest.raises(FrameError, match="quality 0"):
        frame_to_compressed(frame, "jpeg", 0)


def test_frame_is_read_only_and_validated() -> None:
    frame = frame_from_bgr(RGB[..., ::-1].copy(), STAMP)
    np.testing.assert_array_equal(frame.rgb, RGB)
    np.testing.assert_array_equal(frame.bgr(), RGB[..., ::-1])
    with pytest.raises(ValueError):
        frame.rgb[0, 0, 0] = 1
    for bad in (RGB[..., :2], RGB.astype(np.uint16), np.zeros((0, 4, 3), np.uint8), "pixels"):
        with pytest.raises(Gemma4RosError, match="H×W×3 uint8"):
            Frame(bad, STAMP)  # type: ignore[arg-type]
    with pytest.raises(Gemma4RosError, match="not finite"):
        Frame(RGB.copy(), float("nan"))


@pytest.mark.parametrize("encoding", ACCEPTED_ENCODINGS)
def test_frame_owns_its_pixels(encoding: str) -> None:
    pixels = encoded_pixels(RGB, encoding)
    buffer = array.array("B", pixels.tobytes())
    frame = frame_from_raw(buffer, height=5, width=7, encoding=encoding,
                           step=7 * pixels.shape[2], stamp=STAMP)
    before = frame.rgb.copy()
    buffer[: len(buffer)] = array.array("B", bytes(len(buffer)))  # the sender reuses its buffer
    np.testing.assert_array_equal(frame.rgb, before)


@pytest.mark.parametrize("encoding", ["rgba8", "bgra8"])
def test_opaque_fast_path_equals_the_processor_blend(encoding: str) -> None:
    from gemma4_ros.media.image_preprocessing import to_rgb

    pixels = encoded_pixels(RGB, encoding).copy()
    opaque = frame_from_raw(pixels.tobytes(), height=5, width=7, encoding=encoding, step=28,
                            stamp=STAMP)
    np.testing.assert_array_equal(opaque.rgb, to_rgb(pixels, encoding))  # type: ignore[arg-type]
    pixels[0, 0, 3] = 254  # one translucent pixel: the whole frame goes through the blend
    blended = frame_from_raw(pixels.tobytes(), height=5, width=7, encoding=encoding, step=28,
                             stamp=STAMP)
    np.testing.assert_array_equal(blended.rgb, to_rgb(pixels, encoding))  # type: ignore[arg-type]
