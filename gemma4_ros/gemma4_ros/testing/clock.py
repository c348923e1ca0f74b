"""A clock that only moves when told to, so time-dependent code runs deterministically in tests.

Everything time-dependent in the core (sim robot, executor timeouts, gate freshness) takes a
``clock: Callable[[], float]``; real runs pass ``time.time`` or ``time.monotonic``, tests pass a
:class:`FakeClock`. It starts at a realistic epoch value so plan stamps and e-stop times compare
the way they do on a robot.
"""

from __future__ import annotations

import threading

DEFAULT_START = 1_800_000_000.0


class FakeClock:
    """Callable returning the current fake time in seconds; advanced explicitly, thread-safe."""

    def __init__(self, start: float = DEFAULT_START) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (never backwards: real clocks used here don't)."""
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by {seconds} s; time only moves forward")
        with self._lock:
            self._now += seconds
            return self._now
