"""The rclpy :class:`~gemma4_ros.nodes.transport.Transport`: node logic's endpoints on a real node.

Thin on purpose: each method creates the rclpy endpoint and converts at the edge (typed
endpoints through :mod:`gemma4_ros.ros.messages`, raw ones as field dicts through
:mod:`gemma4_ros.ros.interface_fields`); everything else is the logic's, tested on
the bus. QoS: ``LATCHED`` is reliable + transient-local, ``SENSOR`` is rclpy's sensor-data
profile, ``ESTOP`` is reliable and volatile (see ``Qos``: it matches every publisher). Groups: the
node's default (mutually exclusive), one shared ``ReentrantCallbackGroup``, and a
``MutuallyExclusiveCallbackGroup`` of its own per other name; spin the node with a
``MultiThreadedExecutor`` so that separate groups really run apart.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, TypeVar

from rclpy.action import ActionClient, ActionServer, CancelResponse
from rclpy.action.server import ServerGoalHandle
from rclpy.callback_groups import (
    CallbackGroup, MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup,
)
from rclpy.node import Node
from rclpy.qos import (
    DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data,
)

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.nodes.transport import (
    DEFAULT_GROUP, REENTRANT_GROUP, Closeable, Fields, GoalContext, GoalEnd, Logger, Qos,
)
from gemma4_ros.ros.interface_fields import interface_class, message_to_fields
from gemma4_ros.ros.messages import action_wire, service_wire, topic_wire
from gemma4_ros.ros.raw_clients import (
    RawRosActionClient, RawRosServiceClient, field_problem, fill,
)

FEEDBACK_LANDING_S = 0.1
T = TypeVar("T")
Req = TypeVar("Req")
Resp = TypeVar("Resp")
G = TypeVar("G")
F = TypeVar("F")
R = TypeVar("R")

def profile(qos: Qos, depth: int) -> QoSProfile:
    """The rclpy profile for an intent."""
    if qos is Qos.SENSOR:
        return qos_profile_sensor_data
    latched = qos is Qos.LATCHED
    return QoSProfile(
        history=HistoryPolicy.KEEP_LAST, depth=depth, reliability=ReliabilityPolicy.RELIABLE,
        durability=DurabilityPolicy.TRANSIENT_LOCAL if latched else DurabilityPolicy.VOLATILE)


class _Closer:
    """Destroys rclpy entities once, however often it is closed (by the logic and then by
    :meth:`RosTransport.close`)."""

    def __init__(self, *actions: Callable[[], object]) -> None:
        self._actions = actions
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            for action in self._actions:
                action()


class _RosLogger:
    def __init__(self, node: Node) -> None:
        self._logger = node.get_logger()

    def info(self, message: str) -> None:
        self._logger.info(message)

    def warning(self, message: str) -> None:
        self._logger.warning(message)

    def error(self, message: str) -> None:
        self._logger.error(message)


class _Publisher:
    def __init__(self, publisher: Any, convert: Callable[[Any], Any]) -> None:
        self._publisher = publisher
        self._convert = convert

    def publish(self, message: Any) -> None:
        self._publisher.publish(self._convert(message))


class RosTransport:
    """The Transport of one rclpy node (plain or lifecycle)."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self._logger = _RosLogger(node)
        self._groups: dict[str, CallbackGroup] = {
            DEFAULT_GROUP: node.default_callback_group,
            REENTRANT_GROUP: ReentrantCallbackGroup(),
        }
        self._lock = threading.Lock()
        self._owned: list[_Closer] = []

    @property
    def logger(self) -> Logger:
        return self._logger

    def close(self) -> None:
        """Destroy every entity this transport created, including the bindings' clients and
        publishers that no logic closes itself (lifecycle cleanup, a failed configure)."""
        with self._lock:
            owned, self._owned = self._owned, []
        for closer in reversed(owned):
            closer.close()

    def _own(self, *actions: Callable[[], object]) -> _Closer:
        closer = _Closer(*actions)
        with self._lock:
            self._owned.append(closer)
        return closer

    def _guarded(self, what: str, callback: Callable[..., Any]) -> Callable[..., Any]:
        """A callback that logs its error instead of raising it out of ``executor.spin()``,
        which would take the whole node (and its e-stop) down with one bad message."""
        def run(*args: Any) -> Any:
            try:
                return callback(*args)
            except Exception as error:
                self._logger.error(f"{what} failed: {error!r}")
                return None

        return run

    def now(self) -> float:
        return float(self.node.get_clock().now().nanoseconds) / 1e9

    def group(self, name: str) -> CallbackGroup:
        with self._lock:
            if name not in self._groups:
                self._groups[name] = MutuallyExclusiveCallbackGroup()
            return self._groups[name]

    def publisher(self, name: str, msg_type: type[T], *, qos: Qos = Qos.RELIABLE,
                  depth: int = 10) -> _Publisher:
        wire = topic_wire(msg_type)
        publisher = self.node.create_publisher(wire.ros_type, name, profile(qos, depth))
        self._own(lambda: self.node.destroy_publisher(publisher))
        return _Publisher(publisher, wire.to_ros)

    def subscribe(self, name: str, msg_type: type[T], callback: Callable[[T], None], *,
                  qos: Qos = Qos.RELIABLE, depth: int = 10,
                  group: str = DEFAULT_GROUP) -> Closeable:
        wire = topic_wire(msg_type)

        def receive(message: Any) -> None:
            try:
                value = wire.from_ros(message)
            except Gemma4RosError as error:
                self._logger.warning(f"dropped a message on {name}: {error}")
                return
            callback(value)

        return self._subscription(wire.ros_type, name, receive, qos, depth, group)

    def _subscription(self, ros_type: Any, name: str, receive: Callable[[Any], None], qos: Qos,
                      depth: int, group: str) -> Closeable:
        subscription = self.node.create_subscription(
            ros_type, name, self._guarded(f"callback on {name}", receive), profile(qos, depth),
            callback_group=self.group(group))
        return self._own(lambda: self.node.destroy_subscription(subscription))

    def service(self, name: str, request_type: type[Req], response_type: type[Resp],
                handler: Callable[[Req], Resp], *, group: str = DEFAULT_GROUP) -> Closeable:
        wire = service_wire(request_type, response_type)
        resolved = self.node.resolve_service_name(name)

        def serve(request: Any, response: Any) -> Any:
            try:
                core_request = wire.request_from_ros(request, resolved)
            except (Gemma4RosError, ValueError) as error:
                self._logger.warning(f"refused a request on {resolved}: {error}")
                return response
            answer = self._guarded(f"service {resolved}", handler)(core_request)
            return response if answer is None else wire.response_to_ros(answer)

        service = self.node.create_service(wire.ros_type, name, serve,
                                           callback_group=self.group(group))
        return self._own(lambda: self.node.destroy_service(service))

    def action_server(
        self,
        name: str,
        types: tuple[type[G], type[F], type[R]],
        execute: Callable[[GoalContext[G, F]], GoalEnd[R]],
        *,
        group: str = REENTRANT_GROUP,
    ) -> Closeable:
        wire = action_wire(types)

        def run(handle: ServerGoalHandle) -> Any:
            try:
                goal = wire.goal_from_ros(handle.request)
            except Gemma4RosError as error:
                self._logger.warning(f"aborted a goal on {name}: {error}")
                handle.abort()
                return wire.ros_type.Result()
            context = _RosGoal(handle, goal, wire.feedback_to_ros)
            end = execute(context)
            context.let_feedback_land()
            if end.status == "succeeded":
                handle.succeed()
            elif end.status == "canceled" and handle.is_cancel_requested:
                handle.canceled()
            else:
                handle.abort()
            return wire.result_to_ros(end.result)

        server = ActionServer(self.node, wire.ros_type, name, run,
                              cancel_callback=lambda handle: CancelResponse.ACCEPT,
                              callback_group=self.group(group))
        return self._own(server.destroy)

    def timer(self, period_s: float, callback: Callable[[], None], *,
              group: str = DEFAULT_GROUP) -> Closeable:
        timer = self.node.create_timer(period_s, self._guarded("timer", callback),
                                       callback_group=self.group(group))
        return self._own(timer.cancel, lambda: self.node.destroy_timer(timer))

    def raw_publisher(self, name: str, type_name: str, *,
                      qos: Qos = Qos.RELIABLE) -> _Publisher:
        ros_type = interface_class(type_name)
        publisher = self.node.create_publisher(ros_type, name, profile(qos, 10))
        self._own(lambda: self.node.destroy_publisher(publisher))
        return _Publisher(publisher,
                          lambda fields: fill(ros_type(), fields, f"message on {name}"))

    def raw_subscribe(self, name: str, type_name: str, callback: Callable[[Fields], None], *,
                      qos: Qos = Qos.RELIABLE, group: str = DEFAULT_GROUP) -> Closeable:
        return self._subscription(interface_class(type_name), name,
                                  lambda message: callback(message_to_fields(message)),
                                  qos, 10, group)

    def field_problem(self, type_name: str, path: tuple[str, ...]) -> str:
        return field_problem(type_name, path)

    def raw_action_client(self, name: str, type_name: str, *,
                          group: str = REENTRANT_GROUP) -> RawRosActionClient:
        action_type = interface_class(type_name)
        client = ActionClient(self.node, action_type, name, callback_group=self.group(group))
        self._own(client.destroy)
        return RawRosActionClient(client, action_type, name)

    def raw_service_client(self, name: str, type_name: str, *,
                           group: str = REENTRANT_GROUP) -> RawRosServiceClient:
        service_type = interface_class(type_name)
        client = self.node.create_client(service_type, name, callback_group=self.group(group))
        self._own(lambda: self.node.destroy_client(client))
        return RawRosServiceClient(client, service_type, name)


class _RosGoal:
    """An rclpy goal handle narrowed to :class:`GoalContext`, converting feedback."""

    def __init__(self, handle: ServerGoalHandle, goal: Any,
                 feedback_to_ros: Callable[[Any], Any]) -> None:
        self._handle = handle
        self._goal = goal
        self._feedback_to_ros = feedback_to_ros
        self._last_feedback = float("-inf")

    def let_feedback_land(self) -> None:
        """Hold the goal's end until the last feedback has had FEEDBACK_LANDING_S to arrive.

        Feedback is a topic and the result a service: nothing orders one after the other, and
        rclpy's action client drops feedback that lands after the result, so a final feedback
        sent just before the end (ExecutePlan's "plan over, IDLE") would often be lost under
        load. Runs on the goal's own thread (reentrant group), so no other callback waits."""
        remaining = self._last_feedback + FEEDBACK_LANDING_S - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    @property
    def goal(self) -> Any:
        return self._goal

    @property
    def is_cancel_requested(self) -> bool:
        return bool(self._handle.is_cancel_requested)

    def publish_feedback(self, feedback: Any) -> None:
        self._handle.publish_feedback(self._feedback_to_ros(feedback))
        self._last_feedback = time.monotonic()


