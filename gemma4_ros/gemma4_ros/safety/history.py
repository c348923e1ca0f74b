"""What has already run: sliding-window rate counts and forbidden-sequence state.

Fed by ``SafetyGate.record_started`` (the executor calls it when a step really starts), so a
plan that was approved but never ran does not count. Plan checks read a snapshot and add the
plan's own earlier steps on top, which makes a flood inside one plan as visible as a flood of
plans. A tiny lock guards the deques; nothing else is done while it is held.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from gemma4_ros.safety.config import RateLimit, SafetyConfig, SequenceRule
from gemma4_ros.tools import ToolRegistry


@dataclass(frozen=True)
class HistorySnapshot:
    """Counts of started calls inside each window, and the sequence flags, at one instant."""

    total: int
    per_tool: dict[str, int]
    armed: tuple[bool, ...]


class SequenceState:
    """Flags of the ``after: X, unless_between: [Y]`` rules: set by X, cleared by Y."""

    def __init__(self, rules: list[SequenceRule]) -> None:
        self.rules = rules
        self.initial: tuple[bool, ...] = tuple(False for _ in rules)

    def advance(self, armed: tuple[bool, ...], tool: str) -> tuple[bool, ...]:
        """The flags after ``tool`` has run (the same tuple when nothing changed)."""
        changed = None
        for index, rule in enumerate(self.rules):
            if not rule.after:
                continue
            value = True if tool == rule.after else False if tool in rule.unless_between else None
            if value is not None and value != armed[index]:
                changed = changed or list(armed)
                changed[index] = value
        return armed if changed is None else tuple(changed)


class History:
    """Timestamps of started calls (global and per rate-limited tool) and sequence flags."""

    def __init__(self, config: SafetyConfig, registry: ToolRegistry) -> None:
        limits = config.rate_limits
        self.global_limit: RateLimit = limits.global_
        self.tool_limits: dict[str, RateLimit] = dict(limits.tools)
        self.sequences = SequenceState(config.sequences)
        self._all: deque[float] = deque()
        self._tools: dict[str, deque[float]] = {name: deque() for name in self.tool_limits}
        self._armed = self.sequences.initial
        self._lock = threading.Lock()

    def record(self, tool: str, now: float) -> None:
        """Count a call that has just started."""
        with self._lock:
            self._all.append(now)
            times = self._tools.get(tool)
            if times is not None:
                times.append(now)
            self._armed = self.sequences.advance(self._armed, tool)

    def snapshot(self, now: float) -> HistorySnapshot:
        """Counts inside each window ending at ``now``; old entries are dropped on the way."""
        with self._lock:
            total = _prune(self._all, now - self.global_limit.window_s)
            per_tool = {name: _prune(times, now - self.tool_limits[name].window_s)
                        for name, times in self._tools.items()}
            return HistorySnapshot(total, per_tool, self._armed)


def _prune(times: deque[float], horizon: float) -> int:
    while times and times[0] <= horizon:
        times.popleft()
    return len(times)
