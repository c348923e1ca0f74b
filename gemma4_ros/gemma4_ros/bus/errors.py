"""Errors the bus raises, each naming the topic, service or action involved and the fix.

They derive from :class:`~gemma4_ros.errors.Gemma4RosError` so a node or the CLI catches one type
for every bad-input error of the package.
"""

from __future__ import annotations

from gemma4_ros.errors import Gemma4RosError


class BusError(Gemma4RosError):
    """Base of every bus error."""


class InvalidNameError(BusError):
    """A topic, service, action or namespace name that ROS would refuse too."""


class MessageTypeError(BusError, TypeError):
    """A message, request, goal or result of the wrong type, or an endpoint that disagrees on it.

    Also a ``TypeError`` so code written for plain Python conventions catches it.
    """

    def __init__(self, where: str, expected: type, given: type, hint: str = "") -> None:
        self.expected = expected
        self.given = given
        super().__init__(
            f"{where}: expected {expected.__qualname__}, given {given.__qualname__}",
            hint or f"pass a value of type {expected.__qualname__}",
        )


class QosMismatchError(BusError):
    """A latched subscription meeting a volatile publisher: ROS would never connect the two."""


class UnknownEndpointError(BusError):
    """A call to a service or action that no server offers (yet)."""


class CallError(BusError):
    """A service handler or action execute function raised; the original error is ``__cause__``."""


class GoalStateError(BusError):
    """A goal asked to move to a state its current one does not allow (canceled() unasked)."""


class BusShutdownError(BusError):
    """The bus was shut down: pending futures fail with this, new calls raise it."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}: the bus is shut down", "create a new Bus; shutdown is final")
