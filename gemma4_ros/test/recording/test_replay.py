"""Replay labels what changed between a recorded mission and the same inputs planned again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.frame import Frame
from gemma4_ros.pipeline.plan_check import CheckedCommand, PlanChecker
from gemma4_ros.pipeline.replay import (
    Mission,
    compare,
    missions,
    record_files,
    replay_mission,
    summary,
)
from gemma4_ros.planning import Planner, PlannerConfig
from gemma4_ros.recording import FlightRecorder, read_recording
from gemma4_ros.recording import topics as T
from gemma4_ros.runtime.generation import Engine
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.testing.fixture_tokenizer import build_fixture_tokenizer
from gemma4_ros.testing.scripted_model import ScriptedModel
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import Decision, Plan, PlanSource, PlanStep, SafetyVerdict, ToolCall

A, ASK, NO = Decision.APPROVED, Decision.NEEDS_CONFIRMATION, Decision.REJECTED
KITCHEN = ("navigate_to", {"place": "kitchen"})
OFFICE = ("navigate_to", {"place": "office"})
TURN = ("rotate", {"angle": 270})


def plan_of(plan_id: str, *calls: tuple[str, dict]) -> Plan:
    return Plan(plan_id=plan_id, instruction="do it", steps=tuple(
        PlanStep(index=i, call=ToolCall(name=n, arguments=a)) for i, (n, a) in enumerate(calls)))


def verdicts(plan: Plan, *decisions: Decision) -> tuple[SafetyVerdict, ...]:
    return tuple(SafetyVerdict(plan_id=plan.plan_id, step_index=s.index, tool=s.call.name,
                               decision=d) for s, d in zip(plan.steps, decisions))


def label(old: tuple[list, list], new: tuple[list, list] | None) -> str:
    recorded = plan_of("old", *old[0])
    mission = Mission(Path("m.mcap"), 1, recorded, verdicts(recorded, *old[1]))
    if new is None:
        replayed = CheckedCommand("do it", None, "no plan", (), 0.0, 0.0)
    else:
        plan = plan_of("new", *new[0])
        replayed = CheckedCommand("do it", plan, "", verdicts(plan, *new[1]), 0.0, 0.0)
    return compare(mission, replayed).label


@pytest.mark.parametrize(("old", "new", "expected"), [
    (([KITCHEN], [A]), ([KITCHEN], [A]), "same"),
    (([], []), ([], []), "same"),
    (([TURN], [NO]), ([TURN], [A]), "newly_approved"),  # a weaker safety file
    (([TURN], [ASK]), ([TURN], [A]), "newly_approved"),  # no operator asked any more
    (([], []), ([KITCHEN], [A]), "newly_approved"),  # declined before, runs now
    (([TURN], [NO]), ([KITCHEN], [A]), "newly_approved"),  # nothing ran before
    (([KITCHEN], [A]), ([KITCHEN], [ASK]), "newly_refused"),
    (([KITCHEN], [A]), ([], []), "newly_refused"),
    (([KITCHEN], [A]), None, "newly_refused"),  # the new model made no plan
    (([KITCHEN, TURN], [A, A]), ([KITCHEN], [A]), "newly_refused"),
    (([KITCHEN], [A]), ([OFFICE], [A]), "different"),
    (([TURN], [NO]), ([TURN], [ASK]), "different"),  # held for an operator instead
    (([TURN], [NO]), ([], []), "different"),
])
def test_labels(old, new, expected) -> None:
    assert label(old, new) == expected


def test_verdict_changes_name_the_step_and_both_decisions() -> None:
    recorded = plan_of("old", KITCHEN, TURN)
    mission = Mission(Path("m.mcap"), 1, recorded, verdicts(recorded, A, NO))
    plan = plan_of("new", KITCHEN, TURN)
    comparison = compare(mission, CheckedCommand("do it", plan, "", verdicts(plan, A, A),
                                                 0.0, 0.0))
    assert comparison.verdict_changes == ((1, "rotate", "REJECTED", "APPROVED"),)
    row = comparison.as_json()
    assert row["label"] == "newly_approved"
    assert row["recorded"][1] == {"name": "rotate", "arguments": {"angle": 270},
                                  "decision": "REJECTED", "rules": []}
    assert summary([comparison]) == {"missions": 1, "newly_approved": 1, "newly_refused": 0,
                                     "different": 0, "same": 0, "verdict_changes": 1,
                                     "no_plan": 0}


def test_missions_pair_each_plan_with_its_inputs_and_first_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "r.mcap"
    first, second = plan_of("p1", KITCHEN), plan_of("p2", TURN)
    frame = Frame(np.full((2, 3, 3), 7, np.uint8), 1.0, "camera")
    with FlightRecorder(path) as recorder:
        recorder.plan(first, frame, None, 16000)
        recorder.verdict(verdicts(first, A)[0])
        recorder.verdict(verdicts(first, NO)[0])  # a re-check before the step
        recorder.plan(second, None, np.ones(8, np.float32), 16000)
    found = missions(read_recording(path))
    assert [m.plan.plan_id for m in found] == ["p1", "p2"]
    assert [v.decision for v in found[0].verdicts] == [A]
    assert found[0].image is not None and found[0].speech is None
    assert found[1].image is None and np.array_equal(found[1].speech, np.ones(8, np.float32))
    assert found[1].verdicts == ()


def test_folders_stand_for_their_records_and_missing_paths_are_named(tmp_path: Path) -> None:
    (tmp_path / "b.mcap").write_bytes(b"")
    (tmp_path / "a.mcap").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("x")
    empty = tmp_path / "empty"
    empty.mkdir()
    problems: list[str] = []
    files = record_files([tmp_path, empty, tmp_path / "absent.mcap"], problems)
    assert files == [tmp_path / "a.mcap", tmp_path / "b.mcap"]
    assert problems == [f"{empty}: a folder with no .mcap file or rosbag2 folder",
                        f"{tmp_path / 'absent.mcap'}: no such file or folder"]


@pytest.mark.parametrize("storage", ["sqlite3", "mcap"])
def test_a_robots_rosbag2_folder_reads_and_bad_topics_are_named(tmp_path: Path,
                                                                storage: str) -> None:
    """A bag ``ros2 bag record`` wrote on a robot: the planner's topics are read whatever the
    storage, a topic of the wrong type is named and skipped, other topics are ignored."""
    from rosbags.rosbag2 import StoragePlugin, Writer
    from gemma4_ros.wire import to_cdr, typestore

    store = typestore()
    bag = tmp_path / f"robot_{storage}"
    plan = plan_of("p1", KITCHEN)
    with Writer(bag, version=8, storage_plugin=StoragePlugin[storage.upper()]) as writer:
        plans = writer.add_connection(T.PLAN, "gemma4_ros_msgs/msg/Plan", typestore=store)
        wrong = writer.add_connection(T.RESULTS, "std_msgs/msg/String", typestore=store)
        other = writer.add_connection("/tf", "std_msgs/msg/String", typestore=store)
        text = bytes(store.serialize_cdr(store.types["std_msgs/msg/String"](data="x"),
                                         "std_msgs/msg/String"))
        writer.write(plans, 1, to_cdr(plan, store))
        writer.write(wrong, 2, text)
        writer.write(other, 3, text)
    assert record_files([tmp_path], []) == [bag]
    record = read_recording(bag)
    assert [p.plan_id for p in record.on(T.PLAN)] == ["p1"]
    assert record.problems == [f"{bag}: topic {T.RESULTS} holds std_msgs/msg/String "
                               "(gemma4_ros_msgs/msg/ToolResult expected); skipped"]
    assert [m.plan.plan_id for m in missions(record)] == ["p1"]


def test_a_broken_bag_folder_names_itself(tmp_path: Path) -> None:
    bag = tmp_path / "broken"
    bag.mkdir()
    (bag / "metadata.yaml").write_text("rosbag2_bagfile_information: {version: 8}\n")
    with pytest.raises(Gemma4RosError, match="broken is not a readable rosbag2 folder"):
        read_recording(bag)


class WitnessPlanner(Planner):
    """The real planner (scripted model) that notes the image, speech and source it is handed,
    then plans from the text alone (the scripted model neither sees nor hears)."""

    given: list[tuple[Any, Any, Any]]

    def plan(self, instruction: str, image: Any = None, audio: Any = None, context: Any = None,
             **options: Any) -> Plan:
        self.given.append((image, audio, options.get("source")))
        return super().plan(instruction, None, None, context, **options)


def test_replay_hands_the_model_the_recorded_frame_and_speech(tmp_path: Path) -> None:
    """An image or voice mission is asked again with the very frame and speech it was made
    from (the demo model is blind and deaf, so the example records cannot show it)."""
    built = build_fixture_tokenizer(tmp_path / "tok", vocab_size=512)
    tokenizer = Gemma4Tokenizer.from_file(built.path)
    model = ScriptedModel(tokenizer, '<|tool_call>call:capture_image{}<tool_call|><|tool_response>')
    engine = Engine(model, eos_token_id=tokenizer.special_ids.eos, stop_token_ids=[])
    planner = WitnessPlanner(engine, tokenizer, ToolRegistry.load(), PlannerConfig())
    planner.given = []
    frame = Frame(np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3), 5.0, "camera")
    speech = np.linspace(-0.5, 0.5, 1600, dtype=np.float32)
    recorded = Plan(plan_id="v1", instruction="(voice command)", source=PlanSource.VOICE,
                    steps=(PlanStep(index=0, call=ToolCall(name="capture_image", arguments={})),))
    path = tmp_path / "voice.mcap"
    with FlightRecorder(path) as recorder:
        recorder.plan(recorded, frame, speech, 16000)
        recorder.verdict(verdicts(recorded, A)[0])
    (mission,) = missions(read_recording(path))
    comparison = replay_mission(mission, PlanChecker.from_files(planner))
    (image, audio, source), = planner.given
    assert np.array_equal(image, frame.rgb) and np.array_equal(audio, speech)
    assert source is PlanSource.VOICE and comparison.label == "same"
