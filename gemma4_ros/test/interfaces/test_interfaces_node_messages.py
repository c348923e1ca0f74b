"""The planner node's standard messages: sensor_msgs images → ImageData (bytes untouched, header
kept), DiagnosticReport ⇄ diagnostic_msgs/DiagnosticArray, checked against the real Jazzy
definitions through rosbags and CDR bytes."""

from __future__ import annotations

import pytest
from gemma4_ros.conversions import MessageTypes, WireError
from gemma4_ros.conversions.node_messages import (
    COMPRESSED_IMAGE,
    DIAGNOSTIC_ARRAY,
    IMAGE,
    LOG,
    compressed_image_data_from_ros,
    compressed_image_data_to_ros,
    diagnostic_report_from_ros,
    diagnostic_report_to_ros,
    image_data_from_ros,
    image_data_to_ros,
    log_record_from_ros,
    log_record_to_ros,
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
from gemma4_ros.nodes.planner_inputs import frame_from_image_data
from gemma4_ros.wire import rosbags_types, typestore

STAMP = 1_764_395_000.25


@pytest.fixture(scope="module")
def types() -> MessageTypes:
    return rosbags_types()


def cdr(msg: object, type_name: str) -> object:
    store = typestore()
    return store.deserialize_cdr(store.serialize_cdr(msg, type_name), type_name)


def test_image_round_trips_through_cdr_and_becomes_a_frame(types: MessageTypes) -> None:
    pixels = bytes(range(2 * 4 * 3)) + bytes(2 * 2)  # two rows of 12 bytes, 2 bytes padding
    image = ImageData(pixels, 2, 4, "bgr8", 14, STAMP, "camera_optical")
    back = image_data_from_ros(cdr(image_data_to_ros(image, types), IMAGE))
    assert (back.height, back.width, back.encoding, back.step) == (2, 4, "bgr8", 14)
    assert (back.stamp, back.frame_id) == (STAMP, "camera_optical")
    assert bytes(back.data) == pixels
    frame = frame_from_image_data(back)
    assert frame.rgb[0, 0].tolist() == [2, 1, 0] and frame.rgb.shape == (2, 4, 3)


def test_compressed_image_keeps_format_and_bytes(types: MessageTypes) -> None:
    sent = CompressedImageData(b"\xff\xd8xyz", "jpeg", 5.0, "cam")
    data = compressed_image_data_from_ros(cdr(compressed_image_data_to_ros(sent, types),
                                              COMPRESSED_IMAGE))
    assert data == CompressedImageData(data.data, "jpeg", 5.0, "cam")
    assert bytes(data.data) == b"\xff\xd8xyz"


def test_diagnostics_round_trip_through_cdr(types: MessageTypes) -> None:
    """Every status of an array comes back, each with the array's stamp."""
    report = DiagnosticReport(statuses=(
        DiagnosticStatus(name="gemma4_ros: planner", level=DiagnosticLevel.WARN,
                         message="last request failed", hardware_id="demo",
                         values=(("model", "demo"), ("tokens_per_s", "41.5")), stamp=STAMP),
        DiagnosticStatus(name="lidar: scan rate", level=DiagnosticLevel.ERROR,
                         message="no scan for 2 s", stamp=STAMP)), stamp=STAMP)
    msg = diagnostic_report_to_ros(report, types, byte=int)
    assert diagnostic_report_from_ros(cdr(msg, DIAGNOSTIC_ARRAY)) == report


def test_diagnostics_refuse_unknown_levels_and_take_an_empty_array(types: MessageTypes) -> None:
    report = DiagnosticReport(statuses=(DiagnosticStatus(name="x", stamp=STAMP),
                                        DiagnosticStatus(name="y", stamp=STAMP)), stamp=STAMP)
    empty = diagnostic_report_to_ros(report, types, byte=int)
    empty.status.clear()
    assert diagnostic_report_from_ros(empty) == DiagnosticReport(statuses=(), stamp=STAMP)
    odd = diagnostic_report_to_ros(report, types, byte=int)
    odd.status[1].level = 7
    with pytest.raises(WireError, match=r"status\[1\].level = 7"):
        diagnostic_report_from_ros(odd)
    assert diagnostic_report_to_ros(report, types).status[0].level == b"\x00"  # rclpy's form


def test_a_rosout_line_round_trips_through_cdr(types: MessageTypes) -> None:
    line = LogRecord(stamp=STAMP, level=LogLevel.ERROR, name="gemma4.executor",
                     msg="step 2 (move) FAILED: blocked", file="executor.py",
                     function="_run", line=212)
    assert log_record_from_ros(cdr(log_record_to_ros(line, types), LOG)) == line


def test_a_rosout_line_with_an_unknown_level_names_it(types: MessageTypes) -> None:
    msg = log_record_to_ros(LogRecord(stamp=STAMP, level=LogLevel.INFO, name="n", msg="m"), types)
    msg.level = 25
    with pytest.raises(WireError, match="Log.level"):
        log_record_from_ros(msg)
