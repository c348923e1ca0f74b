"""What the planner node reports on diagnostics: model, provider, speed, load and the last error.

Requests finish on the worker thread and diagnostics are built on a timer's, so the counters sit
behind a lock; building a status reads them once and never touches the model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from gemma4_ros.interfaces import DiagnosticLevel, DiagnosticStatus

STATUS_NAME = "gemma4_ros: planner"


@dataclass(frozen=True)
class Load:
    """Readings from the other parts at the time of a report."""

    busy: bool
    queued: int
    frames_received: int
    frames_dropped: int
    frame_latency_s: float | None
    utterances: int
    executor: str = "not watched"  # Liveness.state() of the executor
    record: str = ""  # "written/dropped/failed" of the flight record; empty: none kept


class PlannerStats:
    """Counts requests and remembers the last speed and error (thread-safe)."""

    def __init__(self, model: str, provider: str) -> None:
        self.model = model
        self.provider = provider
        self._lock = threading.Lock()
        self.requests = 0
        self.failures = 0
        self.tokens_per_s: float | None = None
        self.last_error = ""
        self._last_failed = False

    def succeeded(self, tokens: int, decode_s: float) -> None:
        with self._lock:
            self.requests += 1
            self._last_failed = False
            if tokens > 1 and decode_s > 0:
                self.tokens_per_s = (tokens - 1) / decode_s

    def failed(self, error: str) -> None:
        with self._lock:
            self.requests += 1
            self.failures += 1
            self.last_error = error
            self._last_failed = True

    def status(self, load: Load, stamp: float) -> DiagnosticStatus:
        """WARN while the last request failed (the message says why), OK otherwise."""
        with self._lock:
            speed = "" if self.tokens_per_s is None else f"{self.tokens_per_s:.1f}"
            values = (
                ("model", self.model), ("provider", self.provider), ("tokens_per_s", speed),
                ("requests", str(self.requests)), ("failures", str(self.failures)),
                ("last_error", self.last_error), ("busy", str(load.busy).lower()),
                ("queued", str(load.queued)), ("frames_received", str(load.frames_received)),
                ("frames_dropped", str(load.frames_dropped)),
                ("frame_latency_s", "" if load.frame_latency_s is None
                 else f"{load.frame_latency_s:.3f}"),
                ("utterances", str(load.utterances)), ("executor", load.executor),
            ) + ((("record_written_dropped_failed", load.record),) if load.record else ())
            failed, error = self._last_failed, self.last_error
        level = DiagnosticLevel.WARN if failed else DiagnosticLevel.OK
        message = f"last request failed: {error}" if failed else (
            "planning" if load.busy else "ready")
        if load.executor.startswith("silent"):
            level = DiagnosticLevel.WARN
            message = f"executor {load.executor}: no plan is published for execution"
        return DiagnosticStatus(name=STATUS_NAME, level=level, message=message,
                                hardware_id=self.model, values=values, stamp=stamp)
