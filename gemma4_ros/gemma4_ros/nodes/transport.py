"""The one seam between node logic and a middleware: what a node may ask of its transport.

Node logic (``nodes/*_node.py``) is written once against :class:`Transport` and runs on the
in-process bus (:class:`~gemma4_ros.nodes.bus_transport.BusTransport`, used by ``gemma4-ros run``
and the tests) and under rclpy (``gemma4_ros.ros.transport.RosTransport``). Two kinds of endpoint:

- *Typed* endpoints carry core values (``Plan``, ``ToolResult``, ``bool``, ``str`` and the
  request/response types of :mod:`gemma4_ros.interfaces`); the rclpy transport converts them
  to and from messages at its edge with :mod:`gemma4_ros.conversions`, so logic never sees a
  message class.
- *Raw* endpoints (``raw_*``) carry plain nested dicts of message fields for a ROS type named by
  string (``nav2_msgs/action/NavigateToPose``): the tool bindings and robot-state readers use them
  to reach any interface a tools file names without the core knowing its class.

Nothing here blocks: service calls and goals report through callbacks, which run on the caller's
callback group. Callback groups are named: ``"default"`` is the node's mutually exclusive group,
``"reentrant"`` a shared reentrant one, and any other name (``"estop"``, ``"camera"``) a mutually
exclusive group of its own, so its callbacks are never queued behind another group's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Generic, Literal, Protocol, TypeVar

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)
G_co = TypeVar("G_co", covariant=True)
F_contra = TypeVar("F_contra", contravariant=True)
Req = TypeVar("Req")
Resp = TypeVar("Resp")
G = TypeVar("G")
F = TypeVar("F")
R = TypeVar("R")

DEFAULT_GROUP = "default"
REENTRANT_GROUP = "reentrant"

Fields = dict[str, Any]
"""A message as nested dicts of field values (lists for sequences), as the rclpy transport's
``gemma4_ros.ros.interface_fields`` reads and writes them."""


class Qos(str, Enum):
    """Quality of service by intent; each transport maps it to its own profiles.

    ``RELIABLE``: keep-last, reliable, volatile (ROS's default). ``LATCHED``: reliable and
    transient-local, so late joiners get the last messages (plans, status). ``SENSOR``: best
    effort, shallow (cameras, audio): the newest frame matters, a lost one does not.
    ``ESTOP``: reliable and volatile, the one profile every e-stop publisher can reach: a
    volatile subscription matches volatile publishers (``ros2 topic pub``, joystick nodes) and
    transient-local ones alike, where a transient-local subscription would refuse the former
    and make both sides log "incompatible QoS". The price: a stop published before the node
    started is not replayed to it; publish e-stops until acknowledged, as joysticks do.
    """

    RELIABLE = "reliable"
    LATCHED = "latched"
    SENSOR = "sensor"
    ESTOP = "estop"


class Publisher(Protocol[T_contra]):
    def publish(self, message: T_contra) -> None: ...


class Closeable(Protocol):
    def close(self) -> None: ...


class Logger(Protocol):
    def info(self, message: str) -> None: ...

    def warning(self, message: str) -> None: ...

    def error(self, message: str) -> None: ...


class GoalContext(Protocol[G_co, F_contra]):
    """An accepted goal as the execute function sees it."""

    @property
    def goal(self) -> G_co: ...

    @property
    def is_cancel_requested(self) -> bool: ...

    def publish_feedback(self, feedback: F_contra) -> None: ...


GoalStatusName = Literal["succeeded", "aborted", "canceled"]


@dataclass(frozen=True)
class GoalEnd(Generic[R]):
    """What an execute function returns: how its goal ends, and the result to send.

    ``canceled`` is only valid after a cancel was requested (ROS refuses it otherwise); the
    transport turns an invalid ``canceled`` into ``aborted`` rather than raising mid-goal.
    """

    status: GoalStatusName
    result: R


RemoteStatusName = Literal["succeeded", "aborted", "canceled", "rejected", "failed"]


@dataclass(frozen=True)
class RemoteEnd:
    """How a goal sent or a service called through a raw endpoint ended.

    ``failed`` means the transport could not get an answer at all (server gone, shut down);
    ``error`` then says why. ``result`` holds the result or response fields when there are any.
    """

    status: RemoteStatusName
    result: Fields | None = None
    error: str = ""


class RemoteCall(Protocol):
    """A goal or service call in flight; ``cancel`` asks, and the end callback still fires."""

    def cancel(self) -> None: ...


class RawActionClient(Protocol):
    def server_is_ready(self) -> bool: ...

    def send_goal(
        self,
        goal: Fields,
        on_feedback: Callable[[Fields], None],
        on_end: Callable[[RemoteEnd], None],
    ) -> RemoteCall:
        """Send ``goal`` at once; ``on_end`` is called exactly once, on the client's group."""
        ...


class RawServiceClient(Protocol):
    def service_is_ready(self) -> bool: ...

    def call(self, request: Fields, on_end: Callable[[RemoteEnd], None]) -> RemoteCall:
        """Send ``request`` at once; ``on_end`` is called exactly once, on the client's group."""
        ...


class Transport(Protocol):
    """What node logic may do. Names follow ROS rules (``~/x`` private, ``x`` relative)."""

    @property
    def logger(self) -> Logger: ...

    def now(self) -> float:
        """The node's clock in float seconds since the epoch (sim time when ROS uses it)."""
        ...

    def publisher(self, name: str, msg_type: type[T], *, qos: Qos = Qos.RELIABLE,
                  depth: int = 10) -> Publisher[T]: ...

    def subscribe(self, name: str, msg_type: type[T], callback: Callable[[T], None], *,
                  qos: Qos = Qos.RELIABLE, depth: int = 10,
                  group: str = DEFAULT_GROUP) -> Closeable: ...

    def service(self, name: str, request_type: type[Req], response_type: type[Resp],
                handler: Callable[[Req], Resp], *, group: str = DEFAULT_GROUP) -> Closeable: ...

    def action_server(
        self,
        name: str,
        types: tuple[type[G], type[F], type[R]],
        execute: Callable[[GoalContext[G, F]], GoalEnd[R]],
        *,
        group: str = REENTRANT_GROUP,
    ) -> Closeable:
        """Serve an action: every goal is accepted and cancel requests are accepted; ``execute``
        runs per goal, must watch ``is_cancel_requested`` and may block (on its own thread on
        the bus, on a reentrant group's thread under rclpy)."""
        ...

    def timer(self, period_s: float, callback: Callable[[], None], *,
              group: str = DEFAULT_GROUP) -> Closeable: ...

    def raw_publisher(self, name: str, type_name: str, *,
                      qos: Qos = Qos.RELIABLE) -> Publisher[Fields]: ...

    def raw_subscribe(self, name: str, type_name: str, callback: Callable[[Fields], None], *,
                      qos: Qos = Qos.RELIABLE, group: str = DEFAULT_GROUP) -> Closeable: ...

    def raw_action_client(self, name: str, type_name: str, *,
                          group: str = REENTRANT_GROUP) -> RawActionClient: ...

    def field_problem(self, type_name: str, path: tuple[str, ...]) -> str:
        """Why ``path`` names no field of ``type_name``'s message (an action's goal, a
        service's request), or "" when it does, or when the transport cannot know (the bus)."""
        ...

    def raw_service_client(self, name: str, type_name: str, *,
                           group: str = REENTRANT_GROUP) -> RawServiceClient: ...


C = TypeVar("C", bound=Closeable)


@dataclass
class Endpoints:
    """Everything a logic object opened, closed together (lifecycle cleanup, tests)."""

    items: list[Closeable] = field(default_factory=list)

    def add(self, item: C) -> C:
        self.items.append(item)
        return item

    def close(self) -> None:
        while self.items:
            self.items.pop().close()
