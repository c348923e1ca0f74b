"""What the robot's nodes logged, as the copilot reads it: the warnings and errors on ``/rosout``
kept by the planner node, newest first, given to the model as the response of a ``recent_logs``
call and cited line by line (logger, level, time, the message as written).

Only WARN and above are kept: a node's INFO lines are its routine ("planner ready", each plan)
and would push what went wrong out of a small model's context. The buffer is bounded and each
line cut to :data:`LINE_CHARS`, so a node logging in a loop costs memory and prompt a fixed
amount and the oldest lines go first.
"""

from __future__ import annotations

import datetime
import threading
from collections import deque
from typing import Any

from gemma4_ros.interfaces import LogLevel, LogRecord
from gemma4_ros.planning.answer import Consultation
from gemma4_ros.types import Citation, CitationKind

LINE_CHARS = 400  # a logged line longer than this is cut (with "...")
KEPT = 200  # lines a node keeps

RECENT_LOGS: dict[str, Any] = {
    "name": "recent_logs",
    "description": "The robot's nodes' latest warnings and errors from /rosout, newest first: "
                   "the node, the level, the time and the message as logged.",
    "parameters": {
        "type": "object",
        "properties": {"count": {"type": "integer", "minimum": 1, "maximum": 20,
                                 "description": "how many lines"}},
        "required": ["count"],
    },
}


class LogBuffer:
    """The latest WARN-and-above lines heard, at most ``depth``; thread-safe (the subscription
    feeds it while Ask reads it)."""

    def __init__(self, depth: int = KEPT, least: LogLevel = LogLevel.WARN) -> None:
        self._lines: deque[LogRecord] = deque(maxlen=depth)
        self._least = least
        self._lock = threading.Lock()

    def add(self, record: LogRecord) -> None:
        if record.level < self._least:
            return
        if len(record.msg) > LINE_CHARS:
            record = record.model_copy(update={"msg": record.msg[:LINE_CHARS] + " ..."})
        with self._lock:
            self._lines.append(record)

    def latest(self, count: int) -> list[LogRecord]:
        with self._lock:
            return list(reversed(self._lines))[:count]


def logs_consultation(lines: list[LogRecord], count: int) -> Consultation:
    found = [{"node": line.name, "level": line.level.name, "time": _time(line.stamp),
              "message": line.msg} for line in lines]
    return Consultation(declaration=RECENT_LOGS, arguments={"count": count},
                        response={"lines": found} if found else {
                            "lines": [], "note": "no warnings or errors logged"})


def log_citations(lines: list[LogRecord]) -> tuple[Citation, ...]:
    return tuple(Citation(kind=CitationKind.LOG, source=line.name or "(unnamed logger)",
                          locator=f"{line.level.name}, {_time(line.stamp)}", quote=line.msg)
                 for line in lines)


def _time(stamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(stamp, tz=datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds")
