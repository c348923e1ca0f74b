"""In-process topics, services and actions with ROS 2 semantics, for running and testing
without ROS. Start with :class:`Bus`; see :mod:`gemma4_ros.bus.bus` for the delivery model."""

from gemma4_ros.bus.action_client import ActionClient, ClientGoalHandle
from gemma4_ros.bus.action_server import ActionServer, ServerGoalHandle
from gemma4_ros.bus.action_types import (
    ActionOutcome, CancelResponse, GoalPolicy, GoalResponse, GoalStatus,
)
from gemma4_ros.bus.bus import Bus
from gemma4_ros.bus.dispatch import CallbackGroup
from gemma4_ros.bus.errors import (
    BusError, BusShutdownError, CallError, GoalStateError, InvalidNameError, MessageTypeError,
    QosMismatchError, UnknownEndpointError,
)
from gemma4_ros.bus.future import BusFuture
from gemma4_ros.bus.names import resolve_name
from gemma4_ros.bus.services import Client, Service
from gemma4_ros.bus.topics import Publisher, Subscription

__all__ = [
    "ActionClient", "ActionOutcome", "ActionServer", "Bus", "BusError", "BusFuture",
    "BusShutdownError", "CallError", "CallbackGroup", "CancelResponse", "Client",
    "ClientGoalHandle", "GoalPolicy", "GoalResponse", "GoalStateError",
    "GoalStatus", "InvalidNameError", "MessageTypeError", "Publisher",
    "QosMismatchError", "ServerGoalHandle", "Service", "Subscription", "UnknownEndpointError",
    "resolve_name",
]
