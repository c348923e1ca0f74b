"""The planner's model, kept out of every callback: one worker thread, one request at a time.

Callbacks (a text command, an utterance, an ``Instruct`` goal, an ``Ask`` request) only
:meth:`InferenceWorker.submit` a :class:`Job` and return, or wait on its future from a thread of
their own; the model runs on the worker's thread alone, so a camera frame or an e-stop is never
queued behind a generation (the engine's caches are not shared between threads anyway).

Policy when busy: requests wait in a FIFO queue of ``max_queued``; one more is refused at once
with :class:`PlannerBusyError`, which names what runs and how to get through. Queuing (rather than
preempting) keeps a command from silently replacing the one the operator gave before it; the
small bound keeps a burst of commands from being planned minutes late. A stop is not the model's
job: the executor's e-stop never goes through this queue.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.planning.errors import PlanCancelledError

R = TypeVar("R")
_LOG = logging.getLogger(__name__)


class PlannerBusyError(Gemma4RosError):
    """The worker's queue is full; the request was not accepted."""


class Job(Generic[R]):
    """One request for the worker: ``run(job)`` runs on the worker thread and may report
    progress; ``cancel`` may be set from any thread (before the start, the job never runs)."""

    def __init__(self, kind: str, run: Callable[[Job[R]], R], *,
                 void_after_estop: bool = False) -> None:
        """``void_after_estop``: the result could move the robot (a plan), so an e-stop
        cancels the job; a question's answer is not voided."""
        self.kind = kind
        self.void_after_estop = void_after_estop
        self.cancel = threading.Event()
        self.future: Future[R] = Future()
        self._run = run
        self._lock = threading.Lock()
        self._text = ""
        self._tokens = 0

    def report(self, text: str, tokens: int) -> None:
        """Worker side: the output so far."""
        with self._lock:
            self._text, self._tokens = text, tokens

    def progress(self) -> tuple[str, int]:
        """Any thread: (text so far, tokens so far)."""
        with self._lock:
            return self._text, self._tokens

    def execute(self) -> None:
        """Worker side: run unless cancelled first; the outcome goes to the future."""
        if not self.future.set_running_or_notify_cancel():
            return
        if self.cancel.is_set():
            self.future.set_exception(PlanCancelledError(
                f"{self.kind} request cancelled before it started", "send it again if needed"))
            return
        try:
            self.future.set_result(self._run(self))
        except BaseException as error:  # noqa: BLE001 - the future carries it to the waiter
            self.future.set_exception(error)


class InferenceWorker:
    """Runs submitted jobs one at a time on a daemon thread, in submission order."""

    def __init__(self, max_queued: int, name: str = "planner-inference") -> None:
        self.max_queued = max_queued
        self._queue: queue.Queue[Job[Any] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._waiting: list[Job[Any]] = []
        self._current: Job[Any] | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        return self.current is not None

    @property
    def current(self) -> Job[Any] | None:
        """The running job, if any."""
        with self._lock:
            return self._current

    @property
    def queued(self) -> int:
        with self._lock:
            return len(self._waiting)

    def submit(self, job: Job[R]) -> Future[R]:
        """Queue ``job``; raises PlannerBusyError when ``max_queued`` jobs already wait behind
        a running one (or the worker is closed)."""
        with self._lock:
            if self._closed:
                raise PlannerBusyError(f"the planner is shut down; {job.kind} refused",
                                       "activate the planner node again")
            if len(self._waiting) + (self._current is not None) > self.max_queued:
                running = self._current.kind if self._current else self._waiting[0].kind
                raise PlannerBusyError(
                    f"planner busy: a {running} request is running and "
                    f"{len(self._waiting) - (self._current is None)} wait (limit "
                    f"{self.max_queued}); {job.kind} refused",
                    "send it again when the current plan is out, or cancel the running "
                    "Instruct goal")
            self._waiting.append(job)
        self._queue.put(job)
        return job.future

    def cancel_all(self, only: Callable[[Job[Any]], bool] = lambda job: True) -> int:
        """Cancel the running job and the waiting ones (those ``only`` picks); how many."""
        with self._lock:
            jobs = list(self._waiting) + ([self._current] if self._current else [])
        chosen = [job for job in jobs if only(job) and not job.future.done()]
        for job in chosen:
            job.cancel.set()
        return len(chosen)

    def close(self, timeout: float = 10.0) -> None:
        """Cancel everything and stop the thread; waits for a running job to notice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.cancel_all()
        self._queue.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            _LOG.warning("inference worker still running after %.0f s; left as a daemon",
                         timeout)

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with self._lock:
                self._waiting.remove(job)
                self._current = job
            try:
                job.execute()
            finally:
                with self._lock:
                    self._current = None
