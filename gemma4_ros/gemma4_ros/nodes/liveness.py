"""Whether a peer node is still there: the arrival time of its last sign of life, and a timeout.

ARCHITECTURE's heartbeat rule — planner or executor silent → no new goals, the active goal
cancelled — needs each node to watch the other: the planner watches the executor's status
(republished every ``status_period_s``), the executor the planner's ``~/heartbeat``. Silence is
measured on the watcher's own clock from when a sign of life *arrived*, never from the stamp it
carries, so clock skew between two machines cannot make a dead peer look alive. A peer not heard
from yet is silent once ``timeout_s`` has passed since watching began, so a peer that never
started is caught too. A timeout of 0 turns watching off (a planner publishing plans for some
other consumer has no executor to wait for).

A watch that runs on a timer can itself be held up (its process starved of CPU, its executor's
threads busy): the peer's signs of life from that time then wait unread in the queue, and the
first check after the stall would blame the peer for the watcher's own stall. :class:`WatchTick`
notices the late tick, so the watcher reports its stall and judges the peer one tick later, after
the queued signs of life have been read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from gemma4_ros.errors import Gemma4RosError

# The planner's sign of life: only its arrival counts, so the plainest stamped message will do.
HEARTBEAT_TYPE = "std_msgs/msg/Header"


class PeerSilentError(Gemma4RosError):
    """The peer node has not been heard from within its timeout."""


class Liveness:
    """Thread-safe: signs of life arrive on one callback group, checks run on others."""

    def __init__(self, peer: str, timeout_s: float, clock: Callable[[], float],
                 sign: str, hint: str) -> None:
        """``sign`` names what is listened for (for messages), ``hint`` how to bring it back."""
        self.peer = peer
        self.timeout_s = timeout_s
        self._clock = clock
        self._sign = sign
        self._hint = hint
        self._lock = threading.Lock()
        self._since = clock()
        self._heard = False

    @property
    def watching(self) -> bool:
        return self.timeout_s > 0

    def beat(self) -> None:
        """A sign of life arrived now."""
        now = self._clock()
        with self._lock:
            self._since, self._heard = now, True

    def restart(self) -> None:
        """Begin watching afresh (on activation): an old silence is not held against the peer."""
        with self._lock:
            self._since, self._heard = self._clock(), False

    @property
    def heard(self) -> bool:
        """Whether a sign of life arrived since watching (re)started."""
        with self._lock:
            return self._heard

    def silent_for(self) -> float | None:
        """Seconds without a sign of life when past the timeout; None while alive or unwatched."""
        if not self.watching:
            return None
        with self._lock:
            silence = self._clock() - self._since
        return silence if silence > self.timeout_s else None

    def state(self) -> str:
        """One word or phrase for diagnostics."""
        if not self.watching:
            return "not watched"
        silence = self.silent_for()
        return "alive" if silence is None else f"silent {silence:.1f} s"

    def check(self) -> None:
        """Raise PeerSilentError naming the peer, the silence and the fix, if it is silent."""
        silence = self.silent_for()
        if silence is None:
            return
        with self._lock:
            heard = self._heard
        when = "since its last" if heard else "and no"
        raise PeerSilentError(
            f"{self.peer} silent: {silence:.1f} s {when} {self._sign} (timeout "
            f"{self.timeout_s:g} s)", self._hint)


class WatchTick:
    """How late a periodic watch runs: ``tick()`` returns the stall (seconds between this tick
    and the last) when it is longer than ``stall_after_s``, else None."""

    def __init__(self, clock: Callable[[], float], stall_after_s: float) -> None:
        self._clock = clock
        self.stall_after_s = stall_after_s
        self._last = clock()

    def restart(self) -> None:
        self._last = self._clock()

    def tick(self) -> float | None:
        now = self._clock()
        gap, self._last = now - self._last, now
        return gap if gap > self.stall_after_s else None
