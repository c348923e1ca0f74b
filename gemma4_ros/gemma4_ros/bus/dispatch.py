"""Where callbacks run: callback groups served by worker threads, or spun by hand in tests.

ROS never runs a subscriber's callback on the publisher's thread: a publisher enqueues and an
executor thread calls back later, so a slow subscriber never blocks a publisher. The bus keeps
that contract, because node logic that passes here must behave the same under rclpy.

A :class:`CallbackGroup` is a FIFO of ready work. With ``workers=1`` it is ROS's mutually
exclusive group (one callback at a time, in arrival order, so callbacks in it may share state
without locks); with more it is a reentrant group bounded to that many concurrent callbacks. A
group of its own gives a callback its own thread, so it is never queued behind a long callback
of another group: that is what the e-stop subscription uses.

In *threaded* mode every group has its own worker threads. In *manual* mode there are none:
the test's thread runs ready work with :meth:`Dispatcher.spin_once` in global arrival order,
which makes delivery deterministic. Either way :meth:`Dispatcher.spin_until` waits for a
condition without sleeping: it wakes whenever a callback finishes or state is announced with
:meth:`Dispatcher.notify`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Callable

from gemma4_ros.bus.errors import BusError, BusShutdownError

Work = Callable[[], None]

logger = logging.getLogger("gemma4_ros.bus")

# A predicate may depend on state that nobody announces (a test's own list, say); waking at
# least this often keeps spin_until correct for those too. It bounds latency, not correctness.
_RECHECK_S = 0.05


class CallbackGroup:
    """Work items that share one FIFO and ``workers`` threads (1 = mutually exclusive)."""

    def __init__(self, name: str, workers: int, dispatcher: Dispatcher) -> None:
        if workers < 1:
            raise BusError(f"callback group {name!r}: workers={workers}", "use workers >= 1")
        self.name = name
        self.workers = workers
        self._dispatcher = dispatcher
        self._ready: deque[Work] = deque()
        self._wake = threading.Condition(dispatcher.lock)
        self._threads: list[threading.Thread] = []

    def submit(self, work: Work) -> None:
        """Queue ``work`` to run on this group; dropped silently once the bus is shut down."""
        self._dispatcher.submit(self, work)

    def __repr__(self) -> str:
        return f"CallbackGroup({self.name!r}, workers={self.workers})"


class Dispatcher:
    """Runs the work of every callback group of one bus, on threads or on the spinning thread."""

    def __init__(self, threaded: bool, join_timeout_s: float) -> None:
        self.threaded = threaded
        self.lock = threading.Lock()
        self._progress = threading.Condition(self.lock)
        self._manual: deque[Work] = deque()
        self._groups: list[CallbackGroup] = []
        self._pending = 0  # queued or running work items
        self._generation = 0  # bumped on every announced change, so no wake-up is lost
        self._closed = False
        self._join_timeout_s = join_timeout_s

    @property
    def closed(self) -> bool:
        return self._closed

    def check_open(self, what: str) -> None:
        """Raise :class:`BusShutdownError` naming ``what`` once the bus is shut down."""
        if self._closed:
            raise BusShutdownError(what)

    def group(self, name: str, workers: int = 1) -> CallbackGroup:
        """A new group; in threaded mode its workers start now."""
        group = CallbackGroup(name, workers, self)
        with self.lock:  # so that a concurrent shutdown either refuses the group or joins it
            self.check_open(f"callback group {name!r}")
            self._groups.append(group)
            for index in range(workers if self.threaded else 0):
                thread = threading.Thread(
                    target=self._serve, args=(group,), name=f"bus-{name}-{index}", daemon=True
                )
                group._threads.append(thread)
                thread.start()
        return group

    def submit(self, group: CallbackGroup, work: Work) -> None:
        with self.lock:
            if self._closed:
                return
            self._pending += 1
            if self.threaded:
                group._ready.append(work)
                group._wake.notify()
            else:
                self._manual.append(work)
                self._announce()

    def notify(self) -> None:
        """Announce a change made outside a callback (an action goal's status, say)."""
        with self.lock:
            self._announce()

    def _announce(self) -> None:  # lock held
        self._generation += 1
        self._progress.notify_all()

    def _serve(self, group: CallbackGroup) -> None:
        while True:
            with self.lock:
                while not group._ready and not self._closed:
                    group._wake.wait()
                if self._closed:
                    return
                work = group._ready.popleft()
            self._run(work)

    def _run(self, work: Work) -> None:
        try:
            work()
        except Exception:  # work items log with their own context; this is the last guard
            logger.exception("bus callback raised; the bus keeps serving")
        finally:
            with self.lock:
                self._pending -= 1
                self._announce()

    def spin_once(self, timeout: float = 0.0) -> bool:
        """Manual mode: run the oldest ready work item, waiting up to ``timeout`` for one."""
        if self.threaded:
            raise BusError(
                "spin_once on a threaded bus", "use Bus(threaded=False), or spin_until/wait_idle"
            )
        deadline = time.monotonic() + timeout
        with self.lock:
            while not self._manual:
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    return False
                self._progress.wait(remaining)
            work = self._manual.popleft()
        self._run(work)
        return True

    def spin_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` holds (running ready work in manual mode); False on timeout.

        Woken by every finished callback and every :meth:`notify`, so it reacts at once to bus
        activity; other state is re-checked every ``_RECHECK_S``.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                generation = self._generation
            if predicate():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if not self.threaded and self.spin_once(0.0):
                continue
            with self.lock:
                if self._generation == generation and not self._manual:
                    self._progress.wait(min(remaining, _RECHECK_S))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no callback is queued or running; False on timeout."""
        return self.spin_until(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        """Refuse new work, drop queued work, and tell the workers to stop after their current
        callback. Returns at once; :meth:`join` waits for them."""
        with self.lock:
            if self._closed:
                return
            self._closed = True
            dropped = len(self._manual) + sum(len(group._ready) for group in self._groups)
            self._manual.clear()
            for group in self._groups:
                group._ready.clear()
                group._wake.notify_all()
            self._pending -= dropped
            self._announce()

    def join(self) -> None:
        """Wait for the workers to stop (not for the current thread, if it is one of them)."""
        current = threading.current_thread()
        for group in self._groups:
            for thread in group._threads:
                if thread is not current:
                    thread.join(self._join_timeout_s)
                    if thread.is_alive():
                        logger.error("bus worker %s still busy after shutdown", thread.name)
