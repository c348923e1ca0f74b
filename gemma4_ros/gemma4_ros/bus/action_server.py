"""Action servers: goal and cancel callbacks on the server's group, execution on a goal thread.

The shape is rclpy's: ``goal_callback(goal) -> GoalResponse`` decides acceptance,
``cancel_callback(handle) -> CancelResponse`` decides cancel requests (like rclpy, the default
rejects them, so a server that can stop says so explicitly), and ``execute(handle) -> result``
does the work, checking ``handle.is_cancel_requested``, publishing feedback and ending with
``succeed()``, ``abort()`` or ``canceled()``. Each goal executes on a thread of its own, so a long
goal never holds the server's group: cancel requests and new goals are still answered.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Generic, TypeVar

from gemma4_ros.bus.action_types import (
    NEXT_STATUS, ActionOutcome, CancelResponse, GoalPolicy, GoalResponse, GoalStatus,
)
from gemma4_ros.bus.checks import check_instance, check_types
from gemma4_ros.bus.core import BusCore
from gemma4_ros.bus.dispatch import CallbackGroup
from gemma4_ros.bus.errors import BusError, GoalStateError, MessageTypeError
from gemma4_ros.bus.future import BusFuture
from gemma4_ros.types import new_id

G = TypeVar("G")
F = TypeVar("F")
R = TypeVar("R")

logger = logging.getLogger("gemma4_ros.bus")


class ServerGoalHandle(Generic[G, F, R]):
    """One goal as its execute function sees it.

    In-process it is also the goal's wire: the client's handle reads its status, feedback goes
    to the client's group, and the outcome settles the client's future.
    """

    def __init__(
        self,
        server: ActionServer[G, F, R],
        goal: G,
        outcome: BusFuture[ActionOutcome[R]],
        feedback: Callable[[F], object] | None,
    ) -> None:
        self.goal_id = new_id("goal")
        self.goal = goal
        self.outcome = outcome
        self.thread: threading.Thread | None = None
        self._server = server
        self._feedback = feedback
        self._lock = threading.Lock()
        self._status = GoalStatus.PENDING

    @property
    def status(self) -> GoalStatus:
        return self._status

    @property
    def is_active(self) -> bool:
        return not self._status.terminal and self._status is not GoalStatus.PENDING

    @property
    def is_cancel_requested(self) -> bool:
        return self._status is GoalStatus.CANCELING

    def publish_feedback(self, feedback: F) -> None:
        """Send ``feedback`` to the client's callback (on the client's group, in order)."""
        check_instance(feedback, self._server.feedback_type,
                       f"feedback of action {self._server.name!r}")
        callback = self._feedback
        if callback is None:
            return

        def deliver() -> None:
            try:
                callback(feedback)
            except Exception:
                logger.exception("feedback callback of action %r raised", self._server.name)

        self.outcome.group.submit(deliver)

    def succeed(self) -> None:
        self.move(GoalStatus.SUCCEEDED)

    def abort(self) -> None:
        self.move(GoalStatus.ABORTED)

    def canceled(self) -> None:
        """Confirm a requested cancel; only valid once ``is_cancel_requested`` is True."""
        self.move(GoalStatus.CANCELED)

    def move(self, status: GoalStatus) -> None:
        with self._lock:
            current = self._status
            if status not in NEXT_STATUS.get(current, frozenset()):
                raise GoalStateError(
                    f"goal {self.goal_id} of action {self._server.name!r}: "
                    f"cannot go from {current.value} to {status.value}",
                    "canceled() is only valid after is_cancel_requested; a finished goal stays so",
                )
            self._status = status
        self._server.notify()

    def start(self) -> bool:
        """ACCEPTED -> EXECUTING; False when a cancel arrived before execution began."""
        with self._lock:
            if self._status is not GoalStatus.ACCEPTED:
                return False
            self._status = GoalStatus.EXECUTING
        self._server.notify()
        return True

    def request_cancel(self) -> bool:
        """Mark the goal CANCELING if it is accepted or executing; the execute loop sees it."""
        with self._lock:
            if self._status not in (GoalStatus.ACCEPTED, GoalStatus.EXECUTING):
                return False
            self._status = GoalStatus.CANCELING
        self._server.notify()
        return True

    def finish(self, outcome: ActionOutcome[R]) -> None:
        """Record the final status (forced: an execute error overrides succeed()) and deliver it."""
        with self._lock:
            self._status = outcome.status
        self.outcome.settle(outcome)
        self._server.notify()


class ActionServer(Generic[G, F, R]):
    """Serves one action name; see the module docstring for the callbacks' contract."""

    def __init__(
        self,
        core: BusCore,
        name: str,
        types: tuple[type[G], type[F], type[R]],
        execute: Callable[[ServerGoalHandle[G, F, R]], R | None],
        goal_callback: Callable[[G], GoalResponse] | None,
        cancel_callback: Callable[[ServerGoalHandle[G, F, R]], CancelResponse] | None,
        policy: GoalPolicy,
        group: CallbackGroup,
    ) -> None:
        check_types(f"action {name!r}", *types)
        if policy is not GoalPolicy.PARALLEL and group.workers > 1:
            raise BusError(
                f"action {name!r}: policy {policy.value} on reentrant group {group.name!r}",
                "single-goal policies need a group with workers=1",
            )
        self.name = name
        self.goal_type, self.feedback_type, self.result_type = types
        self.policy = policy
        self.group = group
        self._core = core
        self._execute = execute
        self._goal_callback = goal_callback or (lambda goal: GoalResponse.ACCEPT)
        self._cancel_callback = cancel_callback or (lambda handle: CancelResponse.REJECT)
        self._lock = threading.Lock()  # guards the single-goal slot and the thread list
        self._current: ServerGoalHandle[G, F, R] | None = None  # holds the single-goal slot
        self._waiting: ServerGoalHandle[G, F, R] | None = None  # PREEMPT: next, once it is free
        self._launched: list[ServerGoalHandle[G, F, R]] = []
        self._stopping = False
        core.register(core.action_servers, "action", name, self)

    def notify(self) -> None:
        self._core.dispatcher.notify()

    def receive_goal(self, handle: ServerGoalHandle[G, F, R]) -> None:
        """Accept or reject a new goal (on the server's group) and start or queue it."""
        refusal = self._refusal(handle.goal)
        if refusal:
            handle.finish(ActionOutcome(GoalStatus.REJECTED, error=refusal))
            return
        handle.move(GoalStatus.ACCEPTED)
        with self._lock:
            displaced = self._admit(handle)
        if displaced is not None:
            displaced.finish(ActionOutcome(
                GoalStatus.CANCELED, error=f"preempted by {handle.goal_id} before it started"
            ))

    def _refusal(self, goal: G) -> str:
        with self._lock:
            if self._stopping:
                return f"action {self.name!r} is shutting down"
            current = self._current
        if self.policy is GoalPolicy.REJECT and current is not None:
            return f"action {self.name!r} is busy with goal {current.goal_id} (policy: reject)"
        try:
            response = self._goal_callback(goal)
        except Exception as error:
            logger.exception("goal callback of action %r raised", self.name)
            return f"goal callback raised {type(error).__name__}: {error}"
        return "" if response is GoalResponse.ACCEPT else "rejected by the server's goal callback"

    def _admit(self, handle: ServerGoalHandle[G, F, R]) -> ServerGoalHandle[G, F, R] | None:
        """Run ``handle`` now, or (PREEMPT) cancel the current goal and wait for the slot; returns
        the waiting goal this one displaces. Lock held."""
        if self.policy is GoalPolicy.PARALLEL or self._current is None:
            if self.policy is not GoalPolicy.PARALLEL:
                self._current = handle
            self._launch(handle)
            return None
        self._current.request_cancel()
        displaced, self._waiting = self._waiting, handle
        return displaced

    def _launch(self, handle: ServerGoalHandle[G, F, R]) -> None:  # lock held
        handle.thread = threading.Thread(
            target=self._run, args=(handle,), name=f"bus-goal-{handle.goal_id}", daemon=True
        )
        self._launched = [old for old in self._launched if old.thread and old.thread.is_alive()]
        self._launched.append(handle)
        handle.thread.start()

    def receive_cancel(self, handle: ServerGoalHandle[G, F, R], future: BusFuture[bool]) -> None:
        """Answer a client's cancel request (on the server's group)."""
        if not handle.is_active:
            future.settle(False)
            return
        try:
            response = self._cancel_callback(handle)
        except Exception:
            logger.exception("cancel callback of action %r raised; cancel refused", self.name)
            response = CancelResponse.REJECT
        if response is not CancelResponse.ACCEPT:
            future.settle(False)
            return
        with self._lock:
            waiting = self._waiting is handle
            if waiting:
                self._waiting = None
        if waiting:  # never started: nothing to stop
            handle.finish(ActionOutcome(GoalStatus.CANCELED))
            future.settle(True)
        else:
            future.settle(handle.request_cancel())

    def _run(self, handle: ServerGoalHandle[G, F, R]) -> None:
        outcome = self._execute_goal(handle) if handle.start() else ActionOutcome(
            GoalStatus.CANCELED
        )
        # Hand the slot on before the outcome is delivered, so a client that reacts to this
        # outcome with a new goal never finds the server still busy with this one.
        with self._lock:
            if self._current is handle:
                self._current, self._waiting = self._waiting, None
                if self._current is not None:
                    self._launch(self._current)
        handle.finish(outcome)

    def _execute_goal(self, handle: ServerGoalHandle[G, F, R]) -> ActionOutcome[R]:
        try:
            result = self._execute(handle)
        except Exception as error:
            logger.exception("execute of action %r raised on %s", self.name, handle.goal_id)
            return ActionOutcome(GoalStatus.ABORTED,
                                 error=f"execute raised {type(error).__name__}: {error}")
        status = handle.status
        if not status.terminal:
            logger.warning("execute of action %r returned without an end state; aborted", self.name)
            return ActionOutcome(
                GoalStatus.ABORTED,
                error="execute returned without calling succeed(), abort() or canceled()",
            )
        if (result is not None or status is GoalStatus.SUCCEEDED) and not isinstance(
            result, self.result_type
        ):
            mismatch = MessageTypeError(f"result of action {self.name!r}", self.result_type,
                                        type(result))
            logger.error("%s", mismatch)
            return ActionOutcome(GoalStatus.ABORTED, error=str(mismatch))
        return ActionOutcome(status, result)

    def cancel_all(self) -> None:
        """Stop taking goals and ask every running one to stop, bypassing the cancel callback."""
        with self._lock:
            self._stopping = True
            waiting, self._waiting = self._waiting, None
            launched = list(self._launched)
        if waiting is not None:
            waiting.finish(ActionOutcome(GoalStatus.CANCELED, error="server stopped first"))
        for handle in launched:
            handle.request_cancel()

    def join(self, timeout: float) -> None:
        """Wait for the goal threads (after :meth:`cancel_all`, no new ones start)."""
        with self._lock:
            threads = [handle.thread for handle in self._launched if handle.thread is not None]
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
                if thread.is_alive():
                    logger.error("goal thread %s of action %r still running",
                                 thread.name, self.name)

    def close(self) -> None:
        """Stop serving: unregister, cancel active goals and wait for their threads."""
        self._core.unregister(self._core.action_servers, self.name, self)
        self.cancel_all()
        self.join(self._core.join_timeout_s)
