"""The vocabulary of actions: goal status, the server's answers, single-goal policies, outcomes.

Statuses and transitions are ROS 2's (``action_msgs/GoalStatus``), plus ``PENDING`` for a goal
the server has not answered yet (ROS: UNKNOWN) and ``REJECTED`` so that a rejected goal has an
outcome like any other instead of a separate code path.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

R = TypeVar("R")


class GoalStatus(str, Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    EXECUTING = "EXECUTING"
    CANCELING = "CANCELING"
    SUCCEEDED = "SUCCEEDED"
    ABORTED = "ABORTED"
    CANCELED = "CANCELED"
    REJECTED = "REJECTED"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = {GoalStatus.SUCCEEDED, GoalStatus.ABORTED, GoalStatus.CANCELED, GoalStatus.REJECTED}

# What each status may become; the execute function's succeed/abort/canceled calls are checked
# against it, as rclpy's goal state machine checks them.
NEXT_STATUS: dict[GoalStatus, frozenset[GoalStatus]] = {
    GoalStatus.PENDING: frozenset({GoalStatus.ACCEPTED, GoalStatus.REJECTED}),
    GoalStatus.ACCEPTED: frozenset({GoalStatus.EXECUTING, GoalStatus.CANCELING}),
    GoalStatus.EXECUTING: frozenset(
        {GoalStatus.CANCELING, GoalStatus.SUCCEEDED, GoalStatus.ABORTED}
    ),
    GoalStatus.CANCELING: frozenset(
        {GoalStatus.CANCELED, GoalStatus.SUCCEEDED, GoalStatus.ABORTED}
    ),
}


class GoalResponse(Enum):
    ACCEPT = "accept"
    REJECT = "reject"


class CancelResponse(Enum):
    ACCEPT = "accept"
    REJECT = "reject"


class GoalPolicy(str, Enum):
    """How a server treats a new goal while another is active (ros2/examples' single-goal server).

    ``PARALLEL``: every accepted goal executes at once (rclpy's default). ``PREEMPT``: an accepted
    new goal cancels the active one (the cancel callback is not asked: the server chose this) and
    starts only once its execute function has returned, so two goals never drive the robot at
    once; a goal still waiting for its turn is simply replaced (CANCELED, never executed).
    ``REJECT``: a new goal is rejected while one is active.
    """

    PARALLEL = "parallel"
    PREEMPT = "preempt"
    REJECT = "reject"


@dataclass(frozen=True)
class ActionOutcome(Generic[R]):
    """How a goal ended: terminal status, the execute function's result, and why if it failed."""

    status: GoalStatus
    result: R | None = None
    error: str = ""
