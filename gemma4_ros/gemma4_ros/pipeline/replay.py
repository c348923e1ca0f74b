"""Replaying flight records: the recorded missions asked again of a model and config, compared.

A mission is one recorded plan with what it was made from — its instruction and source, and the
camera frame and speech the recorder logged for it — and the gate's verdicts on it (the first per
step: the check on arrival). Replaying plans the same inputs with the planner and gate under
test (:class:`PlanChecker`: nothing executes; verdicts from an idle robot at the sim's start, as
``plan --commands`` judges) and labels each mission with the change that matters most:

* ``newly_approved`` — a call would now run with no operator asked that did not run before: the
  same call was held or rejected when recorded, or the recorded mission ran nothing at all. The
  regression that matters for safety: ``replay`` exits 1 when any mission has it.
* ``newly_refused`` — a call that ran before is now held, rejected or gone, and nothing new runs.
* ``different`` — other changes of calls or verdicts (a different call approved both times...).
* ``same`` — the same calls with the same verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.frame import Frame
from gemma4_ros.pipeline.plan_check import CheckedCommand, PlanChecker
from gemma4_ros.planning.errors import MediaUnavailableError
from gemma4_ros.recording import Recording, read_recording
from gemma4_ros.recording.reader import is_rosbag2
from gemma4_ros.recording import topics as recorded
from gemma4_ros.types import AudioChunk, AudioEncoding, Decision, Plan, PlanStep, SafetyVerdict

LABELS = ("newly_approved", "newly_refused", "different", "same")


@dataclass(frozen=True)
class Mission:
    """One recorded plan, what it was made from, and the verdicts it got on arrival."""

    path: Path
    index: int
    plan: Plan
    verdicts: tuple[SafetyVerdict, ...]
    image: Frame | None = None
    speech: np.ndarray | None = None


@dataclass(frozen=True)
class Comparison:
    """A mission replayed: the new plan and verdicts (``replayed``) and the change's label."""

    mission: Mission
    replayed: CheckedCommand
    label: str
    verdict_changes: tuple[tuple[int, str, str, str], ...]  # step, tool, recorded, replayed

    def as_json(self) -> dict[str, Any]:
        mission = self.mission
        return {
            "file": str(mission.path), "mission": mission.index,
            "plan_id": mission.plan.plan_id, "instruction": mission.plan.instruction,
            "source": mission.plan.source.value, "label": self.label,
            "recorded": _calls_json(mission.plan.steps, mission.verdicts),
            "replayed": (_calls_json(self.replayed.plan.steps, self.replayed.verdicts)
                         if self.replayed.plan is not None else None),
            "error": self.replayed.error,
            "verdict_changes": [{"step": s, "tool": t, "recorded": a, "replayed": b}
                                for s, t, a, b in self.verdict_changes],
        }


def missions(record: Recording) -> list[Mission]:
    """The record's plans in order, each with the frame and speech logged since the plan before."""
    first_verdicts: dict[tuple[str, int], SafetyVerdict] = {}
    for verdict in record.on(recorded.VERDICTS):
        first_verdicts.setdefault((verdict.plan_id, verdict.step_index), verdict)
    found: list[Mission] = []
    image: Frame | None = None
    speech: np.ndarray | None = None
    for message in record.messages:
        if message.topic == recorded.IMAGE_USED:
            image = message.value
        elif message.topic == recorded.AUDIO_USED:
            speech = _samples(message.value)
        elif message.topic == recorded.PLAN:
            plan: Plan = message.value
            verdicts = tuple(first_verdicts[(plan.plan_id, step.index)] for step in plan.steps
                             if (plan.plan_id, step.index) in first_verdicts)
            found.append(Mission(record.path, len(found) + 1, plan, verdicts, image, speech))
            image, speech = None, None
    return found


def replay_mission(mission: Mission, checker: PlanChecker) -> Comparison:
    """Plan the mission's inputs again and judge the new plan; label the change."""
    image = mission.image.rgb if mission.image is not None else None
    try:
        replayed = checker.check(mission.plan.instruction, image, audio=mission.speech,
                                 source=mission.plan.source)
    except MediaUnavailableError as error:  # recorded with a frame or speech this model lacks
        replayed = CheckedCommand(mission.plan.instruction, None, str(error), (), 0.0, 0.0)
    return compare(mission, replayed)


def compare(mission: Mission, replayed: CheckedCommand) -> Comparison:
    """The label and verdict changes of ``replayed`` against the recorded mission."""
    old = _judged(mission.plan.steps, mission.verdicts)
    new = _judged(replayed.plan.steps if replayed.plan is not None else (), replayed.verdicts)
    old_ran = [call for call, decision in old if decision is Decision.APPROVED]
    new_ran = [call for call, decision in new if decision is Decision.APPROVED]
    changes = tuple((index, call[0], a.value if a else "none", b.value if b else "none")
                    for index, ((call, a), (other, b)) in enumerate(zip(old, new))
                    if call == other and a is not b)
    if any(_newly_run(call, old, old_ran) for call in new_ran):
        label = "newly_approved"
    elif any(call not in new_ran for call in old_ran) and all(c in old_ran for c in new_ran):
        label = "newly_refused"
    elif old == new:
        label = "same"
    else:
        label = "different"
    return Comparison(mission, replayed, label, changes)


def replay_files(files: Sequence[Path], checker: PlanChecker, problems: list[str]
                 ) -> list[Comparison]:
    """Every mission of every record file, replayed; a file or message that cannot be read
    adds a line to ``problems`` and the rest is still scored."""
    comparisons: list[Comparison] = []
    for path in files:
        try:
            record = read_recording(path)
        except Gemma4RosError as error:
            problems.append(str(error))
            continue
        problems.extend(record.problems)
        comparisons.extend(replay_mission(m, checker) for m in missions(record))
    return comparisons


def record_files(paths: Iterable[Path], problems: list[str]) -> list[Path]:
    """The records named: MCAP files and rosbag2 folders; any other folder stands for the
    ``*.mcap`` files and rosbag2 folders in it."""
    files: list[Path] = []
    for path in paths:
        if is_rosbag2(path):
            files.append(path)
        elif path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix == ".mcap" or is_rosbag2(p))
            if not inside:
                problems.append(f"{path}: a folder with no .mcap file or rosbag2 folder")
            files.extend(inside)
        elif path.exists():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    return files


def summary(comparisons: Sequence[Comparison]) -> dict[str, int]:
    counts = {label: 0 for label in LABELS}
    for comparison in comparisons:
        counts[comparison.label] += 1
    return {"missions": len(comparisons), **counts,
            "verdict_changes": sum(len(c.verdict_changes) for c in comparisons),
            "no_plan": sum(c.replayed.plan is None for c in comparisons)}


def call_text(name: str, arguments: dict[str, Any]) -> str:
    return f"{name} {json.dumps(arguments, ensure_ascii=False)}" if arguments else name


Judged = tuple[tuple[str, str], Decision | None]


def _judged(steps: Sequence[PlanStep], verdicts: Sequence[SafetyVerdict]) -> list[Judged]:
    """(call key, decision) per step; a step with no verdict has decision None."""
    by_step = {verdict.step_index: verdict.decision for verdict in verdicts}
    return [((step.call.name, json.dumps(step.call.arguments, sort_keys=True)),
             by_step.get(step.index)) for step in steps]


def _newly_run(call: tuple[str, str], old: list[Judged], old_ran: list[tuple[str, str]]) -> bool:
    """Whether approved ``call`` did not run when recorded: it was held or rejected then, or the
    recorded mission ran nothing at all."""
    if call in old_ran:
        return False
    return any(c == call for c, _ in old) or not old_ran


def _calls_json(steps: Sequence[PlanStep], verdicts: Sequence[SafetyVerdict]
                ) -> list[dict[str, Any]]:
    by_step = {verdict.step_index: verdict for verdict in verdicts}
    out = []
    for step in steps:
        verdict = by_step.get(step.index)
        out.append({"name": step.call.name, "arguments": step.call.arguments,
                    "decision": verdict.decision.value if verdict else None,
                    "rules": list(verdict.rules) if verdict else []})
    return out


def _samples(chunk: AudioChunk) -> np.ndarray:
    """Mono float32 samples of the recorded speech (our recorder writes float32; a robot's
    audio topic may carry 16-bit)."""
    if chunk.encoding is AudioEncoding.PCM_S16LE:
        return np.frombuffer(chunk.data, dtype="<i2").astype(np.float32) / 32768.0
    return np.frombuffer(chunk.data, dtype="<f4").astype(np.float32)
