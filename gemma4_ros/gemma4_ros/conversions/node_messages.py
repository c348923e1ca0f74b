"""The planner node's standard messages ⇄ its core values: camera images and diagnostics.

- ``sensor_msgs/Image`` / ``CompressedImage`` → :class:`ImageData` / :class:`CompressedImageData`:
  the header becomes stamp and frame id, the pixel bytes stay the message's own buffer (no copy
  per frame at 30 Hz); turning them into a frame, and refusing encodings, is the planner's job.
- :class:`DiagnosticReport` ⇄ ``diagnostic_msgs/DiagnosticArray``, every status of it, as
  ``diagnostic_updater`` (one array per node) and aggregators publish on ``/diagnostics``.
- :class:`LogRecord` ⇄ ``rcl_interfaces/Log``, what every node's logger publishes on ``/rosout``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gemma4_ros.conversions.base import (
    UINT32_MAX,
    MessageTypes,
    WireError,
    header_field_from_ros,
    header_field_to_ros,
    in_range,
    inside,
    time_from_ros,
    time_to_ros,
)
from gemma4_ros.interfaces import (
    CompressedImageData,
    DiagnosticLevel,
    DiagnosticReport,
    DiagnosticStatus,
    ImageData,
    LogLevel,
    LogRecord,
)

IMAGE = "sensor_msgs/msg/Image"
COMPRESSED_IMAGE = "sensor_msgs/msg/CompressedImage"
DIAGNOSTIC_ARRAY = "diagnostic_msgs/msg/DiagnosticArray"
DIAGNOSTIC_STATUS = "diagnostic_msgs/msg/DiagnosticStatus"
KEY_VALUE = "diagnostic_msgs/msg/KeyValue"
LOG = "rcl_interfaces/msg/Log"


def image_data_from_ros(msg: Any) -> ImageData:
    stamp, frame_id = header_field_from_ros(msg, IMAGE)
    return ImageData(msg.data, int(msg.height), int(msg.width), msg.encoding, int(msg.step),
                     stamp, frame_id, bool(msg.is_bigendian))


def image_data_to_ros(image: ImageData, types: MessageTypes) -> Any:
    return types(IMAGE)(
        header=header_field_to_ros(image.stamp, image.frame_id, types, IMAGE),
        height=in_range(image.height, 0, UINT32_MAX, IMAGE, "height"),
        width=in_range(image.width, 0, UINT32_MAX, IMAGE, "width"),
        encoding=image.encoding, is_bigendian=int(image.is_bigendian),
        step=in_range(image.step, 0, UINT32_MAX, IMAGE, "step"),
        data=types.uint8_array(bytes(memoryview(image.data))))


def compressed_image_data_from_ros(msg: Any) -> CompressedImageData:
    stamp, frame_id = header_field_from_ros(msg, COMPRESSED_IMAGE)
    return CompressedImageData(msg.data, msg.format, stamp, frame_id)


def rclpy_byte(value: int) -> bytes:
    """rclpy holds a ``byte`` field as a one-byte ``bytes``."""
    return bytes([value])


def compressed_image_data_to_ros(image: CompressedImageData, types: MessageTypes) -> Any:
    return types(COMPRESSED_IMAGE)(
        header=header_field_to_ros(image.stamp, image.frame_id, types, COMPRESSED_IMAGE),
        format=image.format, data=types.uint8_array(bytes(memoryview(image.data))))


def diagnostic_report_to_ros(report: DiagnosticReport, types: MessageTypes,
                             byte: Callable[[int], Any] = rclpy_byte) -> Any:
    """A DiagnosticArray stamped with the report's stamp, holding its statuses. ``byte`` makes
    the ``level`` fields' values: rclpy wants ``bytes``, rosbags (pass ``int``) an integer."""
    entries = [types(DIAGNOSTIC_STATUS)(
        level=byte(status.level.value), name=status.name, message=status.message,
        hardware_id=status.hardware_id,
        values=[types(KEY_VALUE)(key=key, value=value) for key, value in status.values])
        for status in report.statuses]
    return types(DIAGNOSTIC_ARRAY)(
        header=header_field_to_ros(report.stamp, "", types, DIAGNOSTIC_ARRAY), status=entries)


def diagnostic_report_from_ros(msg: Any) -> DiagnosticReport:
    """Every status of a DiagnosticArray, each stamped with the array's header (an empty array
    is an empty report: a node with nothing to say)."""
    stamp, _ = header_field_from_ros(msg, DIAGNOSTIC_ARRAY)
    statuses = []
    for index, entry in enumerate(msg.status):
        with inside(DIAGNOSTIC_ARRAY, f"status[{index}]"):
            level = _level(entry.level)
        statuses.append(DiagnosticStatus(
            name=entry.name, level=level, message=entry.message, hardware_id=entry.hardware_id,
            values=tuple((pair.key, pair.value) for pair in entry.values), stamp=stamp))
    return DiagnosticReport(statuses=tuple(statuses), stamp=stamp)


def _level(raw: Any) -> DiagnosticLevel:
    """``byte`` fields arrive as ``bytes`` (rclpy) or ``int`` (rosbags)."""
    value = raw[0] if isinstance(raw, (bytes, bytearray)) else int(raw)
    try:
        return DiagnosticLevel(value)
    except ValueError:
        raise WireError(DIAGNOSTIC_STATUS, "level", value, "unknown level; allowed: 0..3",
                        "use the DiagnosticStatus OK/WARN/ERROR/STALE constants") from None


def log_record_to_ros(record: LogRecord, types: MessageTypes) -> Any:
    return types(LOG)(stamp=time_to_ros(record.stamp, types), level=record.level.value,
                      name=record.name, msg=record.msg, file=record.file,
                      function=record.function,
                      line=in_range(record.line, 0, UINT32_MAX, LOG, "line"))


def log_record_from_ros(msg: Any) -> LogRecord:
    with inside(LOG, "stamp"):
        stamp = time_from_ros(msg.stamp)
    try:
        level = LogLevel(int(msg.level))
    except ValueError:
        raise WireError(LOG, "level", msg.level, "unknown level; allowed: 10, 20, 30, 40, 50",
                        "use the Log DEBUG/INFO/WARN/ERROR/FATAL constants") from None
    return LogRecord(stamp=stamp, level=level, name=msg.name, msg=msg.msg, file=msg.file,
                     function=msg.function, line=int(msg.line))
