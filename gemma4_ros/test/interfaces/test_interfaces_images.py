"""Frames survive frame → message → frame and CDR bytes: sensor_msgs Image and CompressedImage.

The messages are rosbags dataclasses of the real Jazzy definitions, so the field names and types
used by the conversions are checked against sensor_msgs itself.
"""

from __future__ import annotations

import array

import numpy as np
import pytest

from gemma4_ros.conversions import MessageTypes, WireError
from gemma4_ros.conversions.images import (
    COMPRESSED_IMAGE,
    IMAGE,
    compressed_image_from_ros,
    compressed_image_to_ros,
    image_from_ros,
    image_to_ros,
)
from gemma4_ros.perception.frame import ACCEPTED_ENCODINGS, Frame
from gemma4_ros.wire import rosbags_types, typestore

STAMP = 1_764_395_000.123456
RGB = np.random.default_rng(3).integers(0, 256, size=(6, 9, 3), dtype=np.uint8)
GREY = np.repeat(RGB[..., :1], 3, axis=2)


@pytest.fixture(scope="module")
def types() -> MessageTypes:
    return rosbags_types()


def cdr_round_trip(msg: object, type_name: str) -> object:
    store = typestore()
    return store.deserialize_cdr(store.serialize_cdr(msg, type_name), type_name)


@pytest.mark.parametrize("encoding", ACCEPTED_ENCODINGS)
def test_image_round_trip_through_message_and_cdr(types: MessageTypes, encoding: str) -> None:
    pixels = GREY if encoding == "mono8" else RGB
    frame = Frame(pixels.copy(), STAMP, "camera_optical")
    msg = image_to_ros(frame, types, encoding)
    assert (msg.encoding, msg.height, msg.width, msg.is_bigendian) == (encoding, 6, 9, 0)
    for received in (msg, cdr_round_trip(msg, IMAGE)):
        back = image_from_ros(received)
        np.testing.assert_array_equal(back.rgb, pixels)
        assert (back.stamp, back.frame_id) == (STAMP, "camera_optical")


def test_padded_image_message_from_a_driver(types: MessageTypes) -> None:
    rows = np.concatenate([RGB[..., ::-1].reshape(6, 27), np.zeros((6, 5), np.uint8)], axis=1)
    msg = types(IMAGE)(header=image_to_ros(Frame(RGB.copy(), STAMP), types).header,
                       height=6, width=9, encoding="bgr8", is_bigendian=1, step=32,
                       data=types.uint8_array(rows.tobytes()))
    np.testing.assert_array_equal(image_from_ros(cdr_round_trip(msg, IMAGE)).rgb, RGB)


def test_rclpy_style_array_data_is_read(types: MessageTypes) -> None:
    msg = image_to_ros(Frame(RGB.copy(), STAMP), types)
    msg.data = array.array("B", bytes(msg.data))  # what rclpy stores in uint8[]
    np.testing.assert_array_equal(image_from_ros(msg).rgb, RGB)


def test_refused_encoding_names_the_message_field(types: MessageTypes) -> None:
    msg = image_to_ros(Frame(RGB.copy(), STAMP), types)
    msg.encoding = "16UC1"
    with pytest.raises(WireError) as caught:
        image_from_ros(msg)
    error = caught.value
    assert (error.message_type, error.field, error.value) == (IMAGE, "encoding", "16UC1")
    assert str(error).startswith("sensor_msgs/msg/Image.encoding = '16UC1': ")
    assert "accepted: rgb8, bgr8, mono8, rgba8, bgra8" in str(error)


def test_wrong_step_names_the_step_field(types: MessageTypes) -> None:
    msg = image_to_ros(Frame(RGB.copy(), STAMP), types)
    msg.step = 10
    with pytest.raises(WireError, match=r"Image\.step = 10: step 10 is smaller"):
        image_from_ros(msg)


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_compressed_round_trip(types: MessageTypes, fmt: str) -> None:
    smooth = np.repeat(np.repeat(RGB, 8, axis=0), 8, axis=1)
    msg = compressed_image_to_ros(Frame(smooth, STAMP, "cam"), types, fmt, 95)
    assert msg.format == fmt
    back = compressed_image_from_ros(cdr_round_trip(msg, COMPRESSED_IMAGE))
    assert (back.stamp, back.frame_id, back.rgb.shape) == (STAMP, "cam", smooth.shape)
    tolerance = 0 if fmt == "png" else 12
    assert np.abs(back.rgb.astype(int) - smooth).mean() <= tolerance


def test_corrupt_compressed_payload_names_the_data_field(types: MessageTypes) -> None:
    msg = compressed_image_to_ros(Frame(RGB.copy(), STAMP), types, "png")
    msg.data = types.uint8_array(b"\x89PNG garbage")
    with pytest.raises(WireError) as caught:
        compressed_image_from_ros(msg)
    assert caught.value.field == "data" and "not a readable image" in str(caught.value)


def test_bad_compression_format_is_a_wire_error(types: MessageTypes) -> None:
    with pytest.raises(WireError, match=r"CompressedImage\.format = 'gif'"):
        compressed_image_to_ros(Frame(RGB.copy(), STAMP), types, "gif")
