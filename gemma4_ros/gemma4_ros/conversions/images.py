"""``sensor_msgs/Image`` and ``CompressedImage`` ⇄ :class:`~gemma4_ros.perception.frame.Frame`.

Kept beside :mod:`gemma4_ros.conversions.messages` but out of its registry: a frame is not a
pydantic model, and two message types map to it. The pixel work is
:mod:`gemma4_ros.perception.frame`'s; these functions read and write message fields and turn its
:class:`~gemma4_ros.perception.frame.FrameError` into a :class:`WireError` naming the field, e.g.
``sensor_msgs/msg/Image.encoding = '16UC1': image encoding '16UC1' is not supported; ...``.
No cv_bridge: the nodes work where it is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gemma4_ros.conversions.base import (
    UINT32_MAX,
    MessageTypes,
    WireError,
    header_field_from_ros,
    header_field_to_ros,
    in_range,
)
from gemma4_ros.perception.frame import (
    Frame,
    FrameError,
    frame_from_compressed,
    frame_from_raw,
    frame_to_compressed,
    frame_to_raw,
)

IMAGE = "sensor_msgs/msg/Image"
COMPRESSED_IMAGE = "sensor_msgs/msg/CompressedImage"


@contextmanager
def _fields_of(message_type: str) -> Iterator[None]:
    try:
        yield
    except FrameError as error:
        raise WireError(message_type, error.field, error.value, error.problem,
                        error.hint) from None


def image_to_ros(frame: Frame, types: MessageTypes, encoding: str = "rgb8") -> Any:
    """A packed ``sensor_msgs/Image`` (no row padding) in ``encoding``."""
    with _fields_of(IMAGE):
        raw = frame_to_raw(frame, encoding)
    return types(IMAGE)(
        header=header_field_to_ros(frame.stamp, frame.frame_id, types, IMAGE),
        height=in_range(raw.height, 1, UINT32_MAX, IMAGE, "height"),
        width=in_range(raw.width, 1, UINT32_MAX, IMAGE, "width"),
        encoding=raw.encoding,
        is_bigendian=int(raw.is_bigendian),
        step=in_range(raw.step, 1, UINT32_MAX, IMAGE, "step"),
        data=types.uint8_array(raw.data),
    )


def image_from_ros(msg: Any) -> Frame:
    """Any accepted encoding, row padding skipped; other encodings raise naming the accepted."""
    stamp, frame_id = header_field_from_ros(msg, IMAGE)
    with _fields_of(IMAGE):
        return frame_from_raw(msg.data, height=int(msg.height), width=int(msg.width),
                              encoding=msg.encoding, step=int(msg.step),
                              is_bigendian=bool(msg.is_bigendian), stamp=stamp,
                              frame_id=frame_id)


def compressed_image_to_ros(frame: Frame, types: MessageTypes, format: str = "jpeg",
                            quality: int = 90) -> Any:
    """A ``sensor_msgs/CompressedImage`` holding JPEG (``quality`` 1..100) or PNG bytes."""
    with _fields_of(COMPRESSED_IMAGE):
        data = frame_to_compressed(frame, format, quality)
    return types(COMPRESSED_IMAGE)(
        header=header_field_to_ros(frame.stamp, frame.frame_id, types, COMPRESSED_IMAGE),
        format=format,
        data=types.uint8_array(data),
    )


def compressed_image_from_ros(msg: Any) -> Frame:
    """JPEG or PNG payloads (image_transport's ``compressed``); corrupt data raises on ``data``."""
    stamp, frame_id = header_field_from_ros(msg, COMPRESSED_IMAGE)
    with _fields_of(COMPRESSED_IMAGE):
        return frame_from_compressed(msg.data, format=msg.format, stamp=stamp,
                                     frame_id=frame_id)


__all__ = [
    "COMPRESSED_IMAGE",
    "IMAGE",
    "compressed_image_from_ros",
    "compressed_image_to_ros",
    "image_from_ros",
    "image_to_ros",
]
