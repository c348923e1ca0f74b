"""The e-stop latch: once triggered, everything is refused until an operator resets it.

It is a flag and a timestamp behind a tiny lock held only for the flip, never while calling out
or waiting on anything else, so an e-stop never waits on the model, the planner or the gate.
Listeners (the executor's cancel) are called synchronously after the flip, outside the lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from gemma4_ros.errors import Gemma4RosError

log = logging.getLogger(__name__)


class EStopLatch:
    """Latched e-stop with listeners; ``latched_at`` voids every plan stamped before it."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._latched = False
        self._latched_at: float | None = None
        self._reason = ""
        self._listeners: list[Callable[[bool], None]] = []

    @property
    def latched(self) -> bool:
        return self._latched

    @property
    def latched_at(self) -> float | None:
        """``clock()`` time of the last trigger (kept after a reset), None if never triggered."""
        return self._latched_at

    @property
    def reason(self) -> str:
        return self._reason

    def add_listener(self, callback: Callable[[bool], None]) -> None:
        """Call ``callback(latched)`` on every trigger and reset; it must be quick."""
        with self._lock:
            self._listeners = [*self._listeners, callback]

    def trigger(self, reason: str) -> None:
        """Latch (again): every later check is refused and earlier plans become void."""
        with self._lock:
            self._latched = True
            self._latched_at = self._clock()
            self._reason = reason
            listeners = self._listeners
        self._notify(listeners, True)

    def reset(self, operator: str) -> None:
        """Unlatch; an operator must be named so the audit log shows who released the robot."""
        if not operator.strip():
            raise Gemma4RosError("an e-stop reset needs the operator's name",
                                 "pass who is resetting the e-stop")
        with self._lock:
            was = self._latched
            self._latched = False
            listeners = self._listeners
        if was:
            self._notify(listeners, False)

    @staticmethod
    def _notify(listeners: list[Callable[[bool], None]], latched: bool) -> None:
        for callback in listeners:
            try:
                callback(latched)
            except Exception:  # one broken listener must not keep the others from stopping
                log.exception("e-stop listener %r failed", callback)
