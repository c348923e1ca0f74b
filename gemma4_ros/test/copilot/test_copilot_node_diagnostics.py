"""The components' health as the copilot reads it: the latest status of each, the troubled
first, bounded, cited with level and values as reported."""

from __future__ import annotations

from gemma4_ros.copilot.node_diagnostics import (DiagnosticsBoard, diagnostic_citations,
                                                 diagnostics_consultation)
from gemma4_ros.interfaces import DiagnosticLevel, DiagnosticReport, DiagnosticStatus
from gemma4_ros.types import CitationKind

STAMP = 1_796_000_000.0


def status(name: str, level: DiagnosticLevel = DiagnosticLevel.OK, message: str = "ok",
           at: float = 0.0, **values: str) -> DiagnosticStatus:
    return DiagnosticStatus(name=name, level=level, message=message, hardware_id="",
                            values=tuple(values.items()), stamp=STAMP + at)


def report(*statuses: DiagnosticStatus) -> DiagnosticReport:
    return DiagnosticReport(statuses=statuses, stamp=statuses[0].stamp if statuses else STAMP)


def test_the_latest_of_each_component_troubled_first() -> None:
    board = DiagnosticsBoard()
    board.add(report(status("lidar", DiagnosticLevel.ERROR, "no scan"),
                     status("motors", at=0)))
    board.add(report(status("battery", DiagnosticLevel.WARN, "low", at=1)))
    board.add(report(status("lidar", message="scanning", at=2)))  # recovered: replaces
    assert [(s.name, s.message) for s in board.latest(5)] == [
        ("battery", "low"), ("lidar", "scanning"), ("motors", "ok")]
    assert [s.name for s in board.latest(1)] == ["battery"]
    board.add(report())  # an empty array changes nothing
    assert len(board.latest(5)) == 3


def test_a_flood_of_names_keeps_the_latest_components() -> None:
    board = DiagnosticsBoard(depth=3)
    for index in range(500):
        board.add(report(status(f"made-up {index}", at=index)))
    assert [s.name for s in board.latest(10)] == ["made-up 499", "made-up 498", "made-up 497"]


def test_citations_quote_level_message_and_values_as_reported() -> None:
    cited = diagnostic_citations([status("battery", DiagnosticLevel.WARN, "low", voltage="22.1",
                                         percent="12")])
    assert [(c.kind, c.source, c.quote) for c in cited] == [
        (CitationKind.DIAGNOSTIC, "battery", "low | voltage=22.1; percent=12")]
    assert cited[0].locator == "WARN, 2026-11-30T00:53:20.000+00:00"
    shown = diagnostics_consultation([status("battery", DiagnosticLevel.WARN, "low",
                                             percent="12")], 5)
    assert shown.declaration["name"] == "diagnostics"
    assert shown.response["components"][0]["level"] == "WARN"
    assert shown.response["components"][0]["values"] == {"percent": "12"}
    assert diagnostics_consultation([], 5).response["note"] == "no component reported"
