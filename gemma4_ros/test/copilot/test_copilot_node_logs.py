"""The nodes' warnings and errors as the copilot reads them: only WARN and above, bounded, long
lines cut, newest first, cited by logger with the line as written."""

from __future__ import annotations

from gemma4_ros.copilot.node_logs import LINE_CHARS, LogBuffer, log_citations, logs_consultation
from gemma4_ros.interfaces import LogLevel, LogRecord
from gemma4_ros.types import CitationKind

STAMP = 1_796_000_000.0


def line(msg: str, level: LogLevel = LogLevel.WARN, name: str = "gemma4.executor",
         at: float = 0.0) -> LogRecord:
    return LogRecord(stamp=STAMP + at, level=level, name=name, msg=msg)


def test_warnings_and_errors_newest_first_routine_left_out() -> None:
    logs = LogBuffer(depth=3)
    logs.add(line("planner ready", LogLevel.INFO))
    logs.add(line("battery at 12% is below 15%", at=1))
    logs.add(line("step 1 (move) FAILED: blocked", LogLevel.ERROR, at=2))
    assert [r.msg for r in logs.latest(5)] == ["step 1 (move) FAILED: blocked",
                                               "battery at 12% is below 15%"]
    assert [r.msg for r in logs.latest(1)] == ["step 1 (move) FAILED: blocked"]


def test_a_flood_keeps_the_latest_lines_each_cut_short() -> None:
    logs = LogBuffer(depth=3)
    for index in range(1000):
        logs.add(line(f"{index} " + "x" * 5000, at=index))
    kept = logs.latest(10)
    assert [r.msg.split()[0] for r in kept] == ["999", "998", "997"]
    assert all(len(r.msg) == LINE_CHARS + 4 and r.msg.endswith(" ...") for r in kept)


def test_citations_and_the_models_view() -> None:
    lines = [line("e-stop latched", name="gemma4.executor"),
             line("no plan: planner busy", LogLevel.ERROR, name="", at=1)]
    cited = log_citations(lines)
    assert [(c.kind, c.source, c.quote) for c in cited] == [
        (CitationKind.LOG, "gemma4.executor", "e-stop latched"),
        (CitationKind.LOG, "(unnamed logger)", "no plan: planner busy")]
    assert cited[0].locator == "WARN, 2026-11-30T00:53:20.000+00:00"
    shown = logs_consultation(lines, 5)
    assert shown.declaration["name"] == "recent_logs"
    assert shown.response["lines"][1] == {"node": "", "level": "ERROR",
                                          "time": "2026-11-30T00:53:21.000+00:00",
                                          "message": "no plan: planner busy"}
    assert logs_consultation([], 5).response["note"] == "no warnings or errors logged"
