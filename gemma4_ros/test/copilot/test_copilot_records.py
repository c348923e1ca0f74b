"""The audit log as the copilot reads it: the events that stopped or held a plan, newest first,
cited with the gate's own rule ids and reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gemma4_ros.cli import main
from gemma4_ros.copilot.records import EventLog, event_citations, recent_events
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.safety.audit import AuditLog
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.types import (CitationKind, Decision, Plan, ResultStatus, SafetyVerdict, ToolCall,
                              ToolResult)

STAMP = 1_796_000_000.0


def verdict(plan: Plan, step: int, decision: Decision, rules: tuple[str, ...] = (),
            reasons: tuple[str, ...] = ()) -> SafetyVerdict:
    return SafetyVerdict(stamp=STAMP, plan_id=plan.plan_id, step_index=step,
                         tool=plan.steps[step].call.name, decision=decision, rules=rules,
                         reasons=reasons)


@pytest.fixture
def audit_file(tmp_path: Path) -> Path:
    """A morning on the robot: one plan run, one refused twice over, one cut by the e-stop."""
    path = tmp_path / "audit.jsonl"
    clock = FakeClock(STAMP)
    fast = Plan.from_calls([ToolCall(name="move", arguments={"distance": 2, "speed": 0.9})],
                           instruction="move forward 2 meters at 0.9 m/s", plan_id="plan-fast")
    fine = Plan.from_calls([ToolCall(name="wait", arguments={"seconds": 2})],
                           instruction="wait 2 seconds", plan_id="plan-fine")
    long = Plan.from_calls([ToolCall(name="navigate_to", arguments={"place": "lab"})],
                           instruction="drive to the lab", plan_id="plan-long")
    with AuditLog(path, clock=clock) as audit:
        audit.record("plan", plan=fine.model_dump(mode="json"))
        audit.record("verdict", verdict=verdict(fine, 0, Decision.APPROVED).model_dump(mode="json"))
        clock.advance(60)
        audit.record("plan", plan=fast.model_dump(mode="json"))
        refused = verdict(fast, 0, Decision.REJECTED, ("bounds.speed", "plan.ungrounded"),
                          ("move.speed = 0.9 is above the safety limit 0.5",
                           "distance 2 is not in 'go'"))
        audit.record("verdict", verdict=refused.model_dump(mode="json"), recheck=False)
        audit.record("verdict", verdict=refused.model_dump(mode="json"), recheck=True)
        clock.advance(60)
        audit.record("plan", plan=long.model_dump(mode="json"))
        audit.record("estop", action="executor_stopped", plan_id=long.plan_id, step_index=0)
        audit.record("step_result", plan_id=long.plan_id, step_index=0, tool="navigate_to",
                     call_id="c", status="CANCELED", error="e-stop pressed", attempt=0)
    with path.open("ab") as handle:
        handle.write(b'{"kind": "verdict", "torn')  # a crash mid-write: skipped, not fatal
    return path


def test_events_are_what_stopped_or_held_a_plan_newest_first(audit_file: Path) -> None:
    events = recent_events(audit_file, 10)
    assert [e["what"] for e in events] == ["step CANCELED", "e-stop", "gate REJECTED"]
    refused = events[-1]
    assert refused["command"] == "move forward 2 meters at 0.9 m/s"
    assert refused["rules"] == ["bounds.speed", "plan.ungrounded"]
    assert events[0]["command"] == "drive to the lab"
    assert [e["what"] for e in recent_events(audit_file, 1)] == ["step CANCELED"]


def test_citations_quote_the_rule_ids_and_reasons_as_written(audit_file: Path) -> None:
    cited = event_citations(recent_events(audit_file, 10))
    rules = [(c.source, c.quote) for c in cited if c.kind is CitationKind.RULE]
    assert rules == [("bounds.speed", "move.speed = 0.9 is above the safety limit 0.5"),
                     ("plan.ungrounded", "distance 2 is not in 'go'")]
    assert all("step 1 (" in c.locator for c in cited if c.kind is CitationKind.RULE)
    others = [c for c in cited if c.kind is CitationKind.AUDIT]
    assert [c.source for c in others] == ["step CANCELED", "e-stop"]
    assert others[0].quote == "e-stop pressed"


def test_a_nodes_live_topics_read_as_the_audit_log(audit_file: Path) -> None:
    """The same morning from typed messages (a planner node's view of the executor's topics):
    the same events, a result's step and tool found from the plan's call ids."""
    log = EventLog(depth=10)
    fast = Plan.from_calls([ToolCall(name="move", arguments={"distance": 2, "speed": 0.9})],
                           instruction="move forward 2 meters at 0.9 m/s", plan_id="plan-fast")
    long = Plan.from_calls([ToolCall(name="speak", arguments={"text": "off"}),
                            ToolCall(name="navigate_to", arguments={"place": "lab"})],
                           instruction="drive to the lab", plan_id="plan-long")
    log.add_plan(fast)
    refused = verdict(fast, 0, Decision.REJECTED, ("bounds.speed",), ("too fast",))
    log.add_verdict(refused)
    log.add_verdict(refused)  # the recheck: one event
    log.add_verdict(verdict(fast, 0, Decision.APPROVED))  # approved: no event
    log.add_plan(long)
    log.add_estop(STAMP)
    log.add_result(ToolResult(plan_id=long.plan_id, call_id=long.steps[1].call.id,
                              status=ResultStatus.CANCELED, error="e-stop pressed"))
    events = log.latest(10)
    assert [e["what"] for e in events] == ["step CANCELED", "e-stop", "gate REJECTED"]
    assert (events[0]["step"], events[0]["tool"], events[0]["command"]) == (
        1, "navigate_to", "drive to the lab")
    assert events[2]["rules"] == ["bounds.speed"] and events[2]["command"] == fast.instruction


def test_an_event_log_keeps_the_latest(audit_file: Path) -> None:
    log = EventLog(depth=2)
    for index in range(5):
        plan = Plan.from_calls([ToolCall(name="wait", arguments={"seconds": 1})],
                               plan_id=f"plan-{index}")
        log.add_verdict(verdict(plan, 0, Decision.NEEDS_CONFIRMATION, ("mode.supervised",)))
    assert [e["plan_id"] for e in log.latest(10)] == ["plan-4", "plan-3"]
    again = verdict(Plan.from_calls([ToolCall(name="wait", arguments={"seconds": 1})],
                                    plan_id="plan-0"), 0, Decision.NEEDS_CONFIRMATION,
                    ("mode.supervised",))
    log.add_verdict(again)  # forgotten with its event, so it is news again
    assert [e["plan_id"] for e in log.latest(10)] == ["plan-0", "plan-4"]


def test_a_missing_audit_log_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(Gemma4RosError, match="cannot read audit log") as error:
        recent_events(tmp_path / "nowhere.jsonl", 5)
    assert "--audit" in error.value.hint


def test_cli_ask_audit_cites_the_rules(audit_file: Path, capsys) -> None:
    code = main(["ask", "why was my last command refused?", "--audit", str(audit_file),
                 "--events", "3", "--json"])
    answer = json.loads(capsys.readouterr().out)
    # The demo model's text is not what is tested (it was not taught to read events): when it
    # runs out of tokens the command exits 1, and its JSON still carries the citations.
    assert code in (0, 1) and ("error" in answer) == (code == 1)
    assert [c["source"] for c in answer["citations"] if c["kind"] == "rule"] == [
        "bounds.speed", "plan.ungrounded"]


def test_cli_ask_audit_missing_file_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["ask", "why?", "--audit", str(tmp_path / "none.jsonl")]) == 2
    assert "cannot read audit log" in capsys.readouterr().err
