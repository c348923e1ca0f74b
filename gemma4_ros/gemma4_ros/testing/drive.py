"""Stepping a running executor through fake time, without sleeping.

The executor's worker runs on its own thread; with a FakeClock nothing it waits for (a moving
robot, a timeout, a confirmation deadline) happens until the clock moves. ``advance_until`` moves
the clock in steps and, after each step, waits for the worker to finish a whole cycle at that time
(``PlanExecutor.sync``), so a test observes every state the executor passes through in order.
"""

from __future__ import annotations

from typing import Callable

from gemma4_ros.execution.executor import PlanExecutor
from gemma4_ros.testing.clock import FakeClock


def advance_until(executor: PlanExecutor, clock: FakeClock, done: Callable[[], bool],
                  step_s: float = 0.1, max_s: float = 3600.0) -> float:
    """Advance ``clock`` by ``step_s`` until ``done()``; returns the fake seconds that passed.

    Raises AssertionError naming the executor's status if ``max_s`` of fake time pass first.
    """
    executor.sync()
    waited = 0.0
    while not done():
        if waited >= max_s:
            raise AssertionError(f"not done after {max_s:g} fake seconds; executor status: "
                                 f"{executor.status}")
        clock.advance(step_s)
        waited += step_s
        executor.sync()
    return waited
