"""Append-only JSONL audit log: every plan, verdict, step, e-stop, confirmation, mode change,
and the planner falling silent (its plan cancelled, later plans refused) or being heard again.

Each record is one line written with a single ``os.write`` on an ``O_APPEND`` descriptor and
fsynced before ``record`` returns, so a crash can at worst leave the *last* line torn; records
before it are already on disk and untouched. On reopening, a torn tail is closed with a newline
(the torn bytes are kept as evidence, never rewritten) and :func:`read_audit` reports such lines
instead of failing on them.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from gemma4_ros.errors import Gemma4RosError

KINDS = frozenset({"plan", "verdict", "step_started", "step_result", "estop", "estop_reset",
                   "confirmation", "mode", "planner_silent", "planner_heard", "plan_refused",
                   "watch_stalled"})
MEMORY_RECORDS = 1000


class AuditLog:
    """Append records to ``path`` (fsync per record); with ``path=None`` keep the last records in
    memory only, for tests and dry runs."""

    def __init__(self, path: str | Path | None, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path) if path is not None else None
        self._clock = clock
        self._lock = threading.Lock()
        self.recent: deque[dict[str, Any]] = deque(maxlen=MEMORY_RECORDS)
        self._fd: int | None = None
        if self.path is not None:
            self._fd = _open_append(self.path)

    def record(self, kind: str, **fields: Any) -> None:
        """Write one record ``{"time", "kind", **fields}``; returns once it is on disk."""
        if kind not in KINDS:
            raise Gemma4RosError(f"unknown audit record kind {kind!r}",
                                 f"use one of: {', '.join(sorted(KINDS))}")
        entry = {"time": self._clock(), "kind": kind, **fields}
        data = (_dumps(entry) + "\n").encode("utf-8")
        with self._lock:
            self.recent.append(entry)
            if self._fd is not None:
                _write_all(self._fd, data)
                os.fsync(self._fd)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class AuditReadResult:
    """The records that parsed, and the 1-based numbers of lines that did not (torn or corrupt)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)

    line_count: int = 0

    @property
    def torn_tail(self) -> bool:
        """True when the last line is incomplete: a crash during the final write."""
        return bool(self.bad_lines) and self.bad_lines[-1] == self.line_count


def read_audit(path: str | Path) -> AuditReadResult:
    """Every complete record in file order; unreadable lines are listed, not fatal."""
    result = AuditReadResult()
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            result.line_count = number
            try:
                record = json.loads(raw) if raw.endswith(b"\n") else None
            except ValueError:
                record = None
            if isinstance(record, dict):
                result.records.append(record)
            else:
                result.bad_lines.append(number)
    return result


def _open_append(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as error:
        raise Gemma4RosError(f"cannot open audit log {path}: {error.strerror}",
                             "choose a writable path for the audit log") from None
    size = os.fstat(fd).st_size
    if size:
        with open(path, "rb") as handle:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                _write_all(fd, b"\n")  # close a torn last record; its bytes stay as evidence
                os.fsync(fd)
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _dumps(entry: dict[str, Any]) -> str:
    try:
        return json.dumps(entry, default=_jsonable, separators=(",", ":"), allow_nan=False,
                          ensure_ascii=False)
    except ValueError:
        # NaN or infinity (e.g. a broken robot pose being refused): keep the record readable
        # as strict JSON by writing those numbers as strings.
        plain = json.loads(json.dumps(entry, default=_jsonable), parse_constant=str)
        return json.dumps(plain, separators=(",", ":"), ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to the audit log")
