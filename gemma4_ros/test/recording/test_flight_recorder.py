"""The flight recorder writes ROS 2 MCAP that reads back, even cut off, and never blocks."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.frame import Frame
from gemma4_ros.recording import FlightRecorder, read_recording
from gemma4_ros.recording import topics as T
from gemma4_ros.recording.metadata import config_files, record_metadata
from gemma4_ros.types import (
    AudioChunk,
    AudioEncoding,
    Decision,
    ExecutorState,
    ExecutorStatus,
    Plan,
    PlanSource,
    PlanStep,
    ResultStatus,
    SafetyVerdict,
    ToolCall,
    ToolResult,
)
from mcap.reader import make_reader
from mcap.writer import Writer

PLAN = Plan(plan_id="p1", instruction="go to the kitchen", source=PlanSource.TEXT,
            steps=(PlanStep(index=0, call=ToolCall(name="navigate_to",
                                                   arguments={"place": "kitchen"}),
                            confidence=0.9),), model="demo", prompt_tokens=12)
VERDICT = SafetyVerdict(plan_id="p1", step_index=0, tool="navigate_to",
                        decision=Decision.NEEDS_CONFIRMATION, rules=("plan.ungrounded",),
                        reasons=("place kitchen is not in 'go'",))
RESULT = ToolResult(plan_id="p1", call_id="c1", status=ResultStatus.SUCCEEDED,
                    result={"place": "kitchen"})
FRAME = Frame(np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3), 12.5, "camera")


def one_of_each(path: Path) -> None:
    with FlightRecorder(path, {"model": "demo"}) as recorder:
        recorder.command("go to the kitchen")
        recorder.plan(PLAN, FRAME, np.linspace(-1, 1, 160, dtype=np.float32), 16000)
        recorder.verdict(VERDICT)
        recorder.result(RESULT)
        recorder.status(ExecutorStatus(state=ExecutorState.EXECUTING, plan_id="p1"))
        recorder.estop()


def test_every_topic_reads_back_as_it_was_recorded(tmp_path: Path) -> None:
    path = tmp_path / "mission.mcap"
    one_of_each(path)
    record = read_recording(path)
    assert not record.truncated and record.problems == []
    assert [m.topic for m in record.messages] == [
        T.COMMAND, T.IMAGE_USED, T.AUDIO_USED, T.PLAN, T.VERDICTS, T.RESULTS, T.STATUS, T.ESTOP]
    assert record.on(T.COMMAND) == ["go to the kitchen"]
    assert record.on(T.PLAN)[0].steps == PLAN.steps and record.on(T.PLAN)[0].prompt_tokens == 12
    assert record.on(T.VERDICTS)[0].rules == ("plan.ungrounded",)
    assert record.on(T.RESULTS)[0].result == {"place": "kitchen"}
    assert record.on(T.ESTOP) == [True]
    frame = record.on(T.IMAGE_USED)[0]
    assert np.array_equal(frame.rgb, FRAME.rgb) and frame.frame_id == "camera"
    audio: AudioChunk = record.on(T.AUDIO_USED)[0]
    assert audio.sample_rate == 16000 and audio.encoding is AudioEncoding.PCM_F32LE
    assert np.array_equal(np.frombuffer(audio.data, "<f4"), np.linspace(-1, 1, 160, dtype="f4"))
    assert record.info == {"model": "demo"}
    assert record.recorder_stats == {"written": "8", "dropped": "0", "failed": "0"}


def test_the_file_is_the_ros2_mcap_profile_with_full_definitions(tmp_path: Path) -> None:
    """What Foxglove and ros2 bag look for: profile ros2, ros2msg schemas naming every nested
    type, cdr messages, and a summary an indexed reader can seek with."""
    path = tmp_path / "mission.mcap"
    one_of_each(path)
    with open(path, "rb") as stream:
        reader = make_reader(stream)
        assert reader.get_header().profile == "ros2"
        summary = reader.get_summary()
        assert summary is not None and summary.statistics is not None
        assert summary.statistics.message_count == 8
        schemas = {s.name: s for s in summary.schemas.values()}
        plan = schemas["gemma4_ros_msgs/msg/Plan"]
        assert plan.encoding == "ros2msg"
        text = plan.data.decode()
        assert "MSG: gemma4_ros_msgs/PlanStep" in text and "MSG: std_msgs/Header" in text
        assert {c.message_encoding for c in summary.channels.values()} == {"cdr"}
        assert {c.topic for c in summary.channels.values()} == set(T.TOPICS)


def test_status_is_kept_when_it_changes_not_at_each_heartbeat(tmp_path: Path) -> None:
    path = tmp_path / "status.mcap"
    with FlightRecorder(path) as recorder:
        for state, message in ((ExecutorState.IDLE, ""), (ExecutorState.IDLE, ""),
                               (ExecutorState.EXECUTING, "step 1"),
                               (ExecutorState.EXECUTING, "step 1, 2 m left"),
                               (ExecutorState.IDLE, "done")):
            recorder.record(T.STATUS, ExecutorStatus(state=state, message=message))
    states = [s.state for s in read_recording(path).on(T.STATUS)]
    assert states == [ExecutorState.IDLE, ExecutorState.EXECUTING, ExecutorState.IDLE]


def test_a_full_queue_drops_and_counts_instead_of_blocking(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "busy.mcap"
    recorder = FlightRecorder(path, depth=4)
    gate = threading.Event()
    original = recorder._write
    monkeypatch.setattr(recorder, "_write", lambda *item: gate.wait() and original(*item))
    started = time.monotonic()
    for index in range(50):
        recorder.record(T.COMMAND, f"command {index}")
    assert time.monotonic() - started < 1.0  # never waited for the stuck writer
    gate.set()
    stats = recorder.close()
    assert stats.dropped >= 45 and stats.written + stats.dropped == 50
    record = read_recording(path)
    assert record.recorder_stats["dropped"] == str(stats.dropped)


def test_a_value_that_cannot_be_encoded_is_counted_and_the_rest_recorded(tmp_path: Path) -> None:
    path = tmp_path / "bad.mcap"
    with FlightRecorder(path) as recorder:
        recorder.record(T.COMMAND, "go \udcff")  # a lone surrogate: no CDR string
        recorder.record(T.COMMAND, "dock")
    assert recorder.stats().failed == 1
    assert read_recording(path).on(T.COMMAND) == ["dock"]


def test_an_unknown_topic_is_a_programming_error(tmp_path: Path) -> None:
    with FlightRecorder(tmp_path / "x.mcap") as recorder, \
            pytest.raises(ValueError, match="not a recorded topic"):
        recorder.record("/gemma4/nope", 1)


def test_a_file_cut_anywhere_reads_up_to_its_last_complete_chunk(tmp_path: Path) -> None:
    path = tmp_path / "mission.mcap"
    one_of_each(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.mcap"
    counts = []
    for end in range(len(data) - 1, 120, -97):  # past the header and the metadata (~90 bytes)
        cut.write_bytes(data[:end])
        record = read_recording(cut)
        assert record.truncated and record.problems and "ends early" in record.problems[0]
        counts.append(len(record.messages))
    assert counts[0] == 8 and counts == sorted(counts, reverse=True)


def test_kill_9_while_recording_leaves_a_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "killed.mcap"
    script = textwrap.dedent(f"""
        import sys, time
        from gemma4_ros.recording import FlightRecorder, topics
        recorder = FlightRecorder({str(path)!r}, {{"model": "demo"}}, flush_s=0.05)
        for index in range(5):
            recorder.record(topics.COMMAND, f"command {{index}}")
        while recorder.stats().written < 5:
            time.sleep(0.01)
        time.sleep(0.5)  # the queue ran dry after the fifth: the writer closed its chunk
        print("written", flush=True)
        time.sleep(60)
    """)
    # From tmp_path: run from the repository root, "gemma4_ros" would name the checkout's folder.
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline().strip()
        assert line == "written", process.stderr.read() if process.poll() is not None else line
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    record = read_recording(path)
    assert record.truncated and record.info == {"model": "demo"}
    assert record.on(T.COMMAND) == [f"command {i}" for i in range(5)]
    assert record.recorder_stats == {}  # it never closed


def test_a_topic_of_another_type_is_reported_by_name_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "foreign.mcap"
    with open(path, "wb") as stream:
        writer = Writer(stream)
        writer.start(profile="ros2")
        schema = writer.register_schema("std_msgs/msg/Int32", "ros2msg", b"int32 data")
        wrong = writer.register_channel(T.PLAN, "cdr", schema)
        fine = read_schema_channel(writer)
        writer.add_message(wrong, 1, b"\x00\x01\x00\x00\x05\x00\x00\x00", 1)
        writer.add_message(fine, 2, b"\x00\x01\x00\x00\x01", 2)
        writer.finish()
    record = read_recording(path)
    assert record.on(T.ESTOP) == [True]
    assert len(record.problems) == 1
    assert f"topic {T.PLAN} holds std_msgs/msg/Int32" in record.problems[0]


def read_schema_channel(writer: Writer) -> int:
    schema = writer.register_schema("std_msgs/msg/Bool", "ros2msg", b"bool data")
    return writer.register_channel(T.ESTOP, "cdr", schema)


@pytest.mark.parametrize("content", [b"", b"not an mcap file at all"])
def test_a_file_that_is_no_mcap_says_so(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.mcap"
    path.write_bytes(content)
    with pytest.raises(Gemma4RosError, match="not a readable MCAP file"):
        read_recording(path)


def test_unwritable_and_missing_paths_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(Gemma4RosError, match="cannot write the flight record"):
        FlightRecorder(tmp_path / "no" / "such" / "dir" / "x.mcap")
    with pytest.raises(Gemma4RosError, match="cannot read the flight record"):
        read_recording(tmp_path / "absent.mcap")


def test_metadata_names_the_model_and_hashes_each_config(tmp_path: Path) -> None:
    tools = config_files({})["tools"]
    mine = tmp_path / "tools.yaml"
    mine.write_text(tools.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    packaged = record_metadata("demo", config_files({}))
    edited = record_metadata("demo", config_files({"tools": str(mine)}))
    assert packaged["model"] == "demo" and packaged["tools_yaml"] == tools.read_text("utf-8")
    assert packaged["config.safety.sha256"] == edited["config.safety.sha256"]
    assert packaged["config.tools.sha256"] != edited["config.tools.sha256"]
    assert packaged["config_sha256"] != edited["config_sha256"]
    assert edited["config.tools.path"] == str(mine)
