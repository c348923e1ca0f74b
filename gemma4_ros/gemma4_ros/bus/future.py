"""Futures whose done-callbacks run on a callback group, as rclpy's do on the executor.

A plain :class:`concurrent.futures.Future` runs done-callbacks on whichever thread completes it:
here that would be a server's worker thread, so a client's callback would run inside another
endpoint's group and could block it. Rebinding them to the caller's group keeps the rule that
a callback runs only on its own group's thread.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, InvalidStateError
from typing import Callable, TypeVar

from gemma4_ros.bus.dispatch import CallbackGroup

T = TypeVar("T")

logger = logging.getLogger("gemma4_ros.bus")


class BusFuture(Future[T]):
    """``result(timeout)``, ``exception(timeout)``, ``done()``, ``cancel()`` as usual;
    ``add_done_callback(fn)`` calls ``fn(future)`` on the group given at creation (and, like
    every callback, not at all once the bus is shut down)."""

    def __init__(self, group: CallbackGroup, what: str) -> None:
        super().__init__()
        self.group = group
        self.what = what

    def add_done_callback(self, fn: Callable[[Future[T]], object]) -> None:
        def deliver() -> None:
            try:
                fn(self)
            except Exception:
                logger.exception("done-callback of %s raised; the bus keeps serving", self.what)

        super().add_done_callback(lambda _future: self.group.submit(deliver))

    def settle(self, result: T | None = None, error: BaseException | None = None) -> bool:
        """Complete unless already done (cancelled by its caller, or failed at shutdown)."""
        try:
            if error is not None:
                self.set_exception(error)
            else:
                self.set_result(result)  # type: ignore[arg-type]
        except InvalidStateError:
            return False
        return True

    def __repr__(self) -> str:
        return f"<BusFuture {self.what} {'done' if self.done() else 'pending'}>"
