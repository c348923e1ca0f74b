"""E-stop latch semantics and the audit log's crash safety."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import pytest

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.safety import AuditLog, EStopLatch, read_audit
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.types import Decision, Pose2D, RobotState, SafetyVerdict


def test_estop_latches_until_reset() -> None:
    clock = FakeClock()
    latch = EStopLatch(clock)
    seen: list[bool] = []
    latch.add_listener(seen.append)
    assert not latch.latched and latch.latched_at is None
    latch.trigger("operator pressed the button")
    assert latch.latched and latch.latched_at == clock() and latch.reason.startswith("operator")
    clock.advance(5)
    latch.trigger("again")
    assert latch.latched_at == clock()
    latch.reset("alice")
    assert not latch.latched and latch.latched_at == clock()  # kept: older plans stay void
    latch.reset("alice")  # not latched: no second notification
    assert seen == [True, True, False]


def test_estop_reset_needs_an_operator() -> None:
    latch = EStopLatch()
    latch.trigger("x")
    with pytest.raises(Gemma4RosError, match="operator"):
        latch.reset("  ")
    assert latch.latched


def test_estop_broken_listener_does_not_block_others() -> None:
    latch = EStopLatch()
    calls: list[str] = []

    def broken(latched: bool) -> None:
        raise RuntimeError("boom")

    latch.add_listener(broken)
    latch.add_listener(lambda latched: calls.append("cancel"))
    latch.trigger("x")
    assert latch.latched and calls == ["cancel"]


def test_estop_from_many_threads() -> None:
    latch = EStopLatch()
    count = []
    latch.add_listener(lambda latched: count.append(latched))
    threads = [threading.Thread(target=latch.trigger, args=(f"t{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert latch.latched and count == [True] * 8


def test_audit_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "audit" / "log.jsonl"
    verdict = SafetyVerdict(decision=Decision.REJECTED, tool="move", rules=("bounds.speed",),
                            reasons=("too fast",))
    with AuditLog(path, clock=lambda: 12.5) as audit:
        audit.record("verdict", verdict=verdict, recheck=False)
        audit.record("estop", reason="button")
    result = read_audit(path)
    assert result.bad_lines == [] and not result.torn_tail
    assert [r["kind"] for r in result.records] == ["verdict", "estop"]
    assert result.records[0]["time"] == 12.5
    assert result.records[0]["verdict"]["rules"] == ["bounds.speed"]
    assert result.records[0]["verdict"]["decision"] == "REJECTED"


def test_audit_survives_a_torn_last_record(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    with AuditLog(path) as audit:
        for index in range(3):
            audit.record("step_started", index=index)
    data = path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[: last_start + 9])  # crash half-way through the third record
    torn = read_audit(path)
    assert [r["index"] for r in torn.records] == [0, 1] and torn.bad_lines == [3] and torn.torn_tail
    with AuditLog(path) as audit:  # restart: append after the torn bytes, on a fresh line
        audit.record("step_result", index=3)
    after = read_audit(path)
    assert [r.get("index") for r in after.records] == [0, 1, 3]
    assert after.bad_lines == [3] and not after.torn_tail
    assert path.read_bytes().startswith(data[:last_start])  # earlier records byte-identical


def test_audit_writes_non_finite_numbers_as_strings(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    with AuditLog(path) as audit:
        audit.record("plan", robot=RobotState(pose=Pose2D(x=math.nan)), value=math.inf)
    line = path.read_text().strip()
    record = json.loads(line)  # strict JSON: no bare NaN
    assert "NaN" not in line.replace('"NaN"', "")
    assert record["robot"]["pose"]["x"] == "NaN" and record["value"] == "Infinity"


def test_audit_memory_only_and_unknown_kind() -> None:
    audit = AuditLog(None)
    audit.record("mode", mode="maintenance")
    assert audit.recent[-1]["mode"] == "maintenance"
    with pytest.raises(Gemma4RosError, match="unknown audit record kind"):
        audit.record("gossip")


def test_audit_unwritable_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(Gemma4RosError, match="cannot open audit log"):
        AuditLog(blocker / "log.jsonl")
