"""The robot's components' health as the copilot reads it: the latest ``/diagnostics`` status of
each (by name and hardware id), the troubled ones first, given to the model as the response of a
``diagnostics`` call and cited with the level and values exactly as reported.

A status replaces the one before it of the same component: "is the lidar OK?" is about now, not
about every second of the last hour. The board is bounded (the components heard longest ago are
forgotten first), so a flood of made-up names costs a fixed amount.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from typing import Any

from gemma4_ros.interfaces import DiagnosticLevel, DiagnosticReport, DiagnosticStatus
from gemma4_ros.planning.answer import Consultation
from gemma4_ros.types import Citation, CitationKind

COMPONENTS = 200  # components a node keeps
# Troubled first: an error before a stale status before a warning before OK.
ORDER = {DiagnosticLevel.ERROR: 0, DiagnosticLevel.STALE: 1, DiagnosticLevel.WARN: 2,
         DiagnosticLevel.OK: 3}

DIAGNOSTICS: dict[str, Any] = {
    "name": "diagnostics",
    "description": "The latest health status of the robot's components from /diagnostics, the "
                   "troubled ones first: name, level (OK, WARN, ERROR, STALE), message, values.",
    "parameters": {
        "type": "object",
        "properties": {"count": {"type": "integer", "minimum": 1, "maximum": 20,
                                 "description": "how many components"}},
        "required": ["count"],
    },
}


class DiagnosticsBoard:
    """The latest status of each component heard, at most ``depth`` components; thread-safe."""

    def __init__(self, depth: int = COMPONENTS) -> None:
        self._latest: OrderedDict[tuple[str, str], DiagnosticStatus] = OrderedDict()
        self._depth = depth
        self._lock = threading.Lock()

    def add(self, report: DiagnosticReport) -> None:
        with self._lock:
            for status in report.statuses:
                key = (status.name, status.hardware_id)
                self._latest.pop(key, None)
                self._latest[key] = status
            while len(self._latest) > self._depth:
                self._latest.popitem(last=False)

    def latest(self, count: int) -> list[DiagnosticStatus]:
        """Up to ``count`` components, the troubled first, then the most recently heard."""
        with self._lock:
            newest_first = list(reversed(self._latest.values()))
        return sorted(newest_first, key=lambda status: ORDER[status.level])[:count]


def diagnostics_consultation(statuses: list[DiagnosticStatus], count: int) -> Consultation:
    found = [{"name": s.name, "level": s.level.name, "message": s.message,
              "hardware_id": s.hardware_id, "values": dict(s.values), "time": _time(s.stamp)}
             for s in statuses]
    return Consultation(declaration=DIAGNOSTICS, arguments={"count": count},
                        response={"components": found} if found else {
                            "components": [], "note": "no component reported"})


def diagnostic_citations(statuses: list[DiagnosticStatus]) -> tuple[Citation, ...]:
    """One per component: its level, hardware and time where, its message and values as
    reported the quote."""
    cited = []
    for status in statuses:
        where = ", ".join(part for part in (status.level.name, status.hardware_id,
                                            _time(status.stamp)) if part)
        values = "; ".join(f"{key}={value}" for key, value in status.values)
        quote = " | ".join(part for part in (status.message, values) if part)
        cited.append(Citation(kind=CitationKind.DIAGNOSTIC,
                              source=status.name or "(unnamed component)", locator=where,
                              quote=quote))
    return tuple(cited)


def _time(stamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(stamp, tz=datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds")
