"""What the planner node tells a flight recorder, as an interface the node logic owns.

The node logic only says what happened (a command, a plan and what it was made from, an e-stop,
the executor's verdicts, results and status); where and how it is written — the MCAP file of
:class:`gemma4_ros.recording.FlightRecorder` — is not the node's concern, and the nodes import
nothing of the recording package (which needs the message conversions, which need the nodes'
interface types).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from gemma4_ros.perception.frame import Frame
from gemma4_ros.types import ExecutorStatus, Plan, SafetyVerdict, ToolResult


class RecordCounts(Protocol):
    @property
    def written(self) -> int: ...

    @property
    def dropped(self) -> int: ...

    @property
    def failed(self) -> int: ...


class MissionRecord(Protocol):
    """A record the planner node writes to; none of its calls may block or raise."""

    def command(self, text: str) -> None: ...

    def plan(self, plan: Plan, frame: Frame | None, speech: np.ndarray | None,
             sample_rate: int) -> None:
        """A plan, after the frame and speech (mono float32) it was made from."""

    def estop(self) -> None: ...

    def verdict(self, verdict: SafetyVerdict) -> None: ...

    def result(self, result: ToolResult) -> None: ...

    def status(self, status: ExecutorStatus) -> None: ...

    def stats(self) -> RecordCounts: ...

    def close(self) -> RecordCounts:
        """Flush and close; the node logic calls it when it closes (idempotent)."""
