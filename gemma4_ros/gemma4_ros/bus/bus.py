"""The in-process bus: ROS 2's topics, services and actions without ROS.

Node logic is written once against this API and runs under ``gemma4-ros run`` and in end-to-end
tests; the ``ros/`` layer gives the same semantics with rclpy. Typical use::

    with Bus() as bus:
        executor = bus.node("executor")
        estop_group = executor.callback_group("estop")          # a thread of its own
        executor.subscribe("/estop", bool, on_estop, group=estop_group)
        plans = bus.publisher("/gemma4/plan", Plan, latched=True, depth=1)
        ...
        assert bus.spin_until(lambda: seen, timeout=2.0)      # no sleeps

Threaded (default): callbacks run on their group's worker threads. Manual
(``Bus(threaded=False)``): nothing runs until the test calls ``spin_once``/``spin_until``, which
run ready callbacks on the calling thread in arrival order; spin from the test's thread only.
Action goals execute on threads of their own in both modes.
"""

from __future__ import annotations

from types import TracebackType
from typing import Callable, TypeVar

from gemma4_ros.bus.action_client import ActionClient
from gemma4_ros.bus.action_server import ActionServer, ServerGoalHandle
from gemma4_ros.bus.action_types import CancelResponse, GoalPolicy, GoalResponse
from gemma4_ros.bus.core import BusCore
from gemma4_ros.bus.dispatch import CallbackGroup
from gemma4_ros.bus.names import resolve_name, validate_namespace, validate_node_name
from gemma4_ros.bus.services import Client, Service
from gemma4_ros.bus.topics import Publisher, Subscription

T = TypeVar("T")
Req = TypeVar("Req")
Resp = TypeVar("Resp")
G = TypeVar("G")
F = TypeVar("F")
R = TypeVar("R")


class Bus:
    """One bus, or a node's view of it (own namespace, private names, own default group)."""

    def __init__(
        self, *, threaded: bool = True, namespace: str = "/", join_timeout_s: float = 5.0
    ) -> None:
        self._core = BusCore(threaded, join_timeout_s)
        self.namespace = validate_namespace(namespace)
        self.node_name: str | None = None
        self.default_group = self._core.default_group

    def node(self, name: str, namespace: str | None = None) -> Bus:
        """A view for one node: relative names resolve under ``namespace`` (default: this view's),
        ``~/x`` under the node, and its callbacks default to a mutually exclusive group of its
        own, as each rclpy node has, so one node's long callback never delays another node's."""
        view = Bus.__new__(Bus)
        view._core = self._core
        view.namespace = validate_namespace(namespace or self.namespace)
        view.node_name = validate_node_name(name)
        view.default_group = self._core.dispatcher.group(name)
        return view

    def resolve(self, name: str) -> str:
        """The fully qualified name this view gives ``name``."""
        return resolve_name(name, self.namespace, self.node_name)

    def callback_group(self, name: str, workers: int = 1) -> CallbackGroup:
        """A group with its own worker thread(s): workers=1 is mutually exclusive, more is
        reentrant. Give a callback that must never wait (e-stop) a group of its own."""
        return self._core.dispatcher.group(name, workers)

    def publisher(
        self, name: str, msg_type: type[T], *, latched: bool = False, depth: int = 10
    ) -> Publisher[T]:
        """``latched`` = transient-local: the last ``depth`` messages reach late latched joiners."""
        topic = self._core.topic(self.resolve(name), msg_type, "publisher")
        publisher = Publisher(topic, self._core.dispatcher, latched, depth)
        topic.add_publisher(publisher)
        return publisher

    def subscribe(
        self,
        name: str,
        msg_type: type[T],
        callback: Callable[[T], object],
        *,
        latched: bool = False,
        depth: int = 10,
        group: CallbackGroup | None = None,
    ) -> Subscription[T]:
        """Call ``callback(msg)`` on ``group`` per message, keeping the last ``depth`` queued."""
        topic = self._core.topic(self.resolve(name), msg_type, "subscription")
        subscription = Subscription(topic, callback, group or self.default_group, latched, depth)
        topic.add_subscription(subscription)
        return subscription

    def service(
        self,
        name: str,
        request_type: type[Req],
        response_type: type[Resp],
        handler: Callable[[Req], Resp],
        *,
        group: CallbackGroup | None = None,
    ) -> Service[Req, Resp]:
        return Service(self._core, self.resolve(name), (request_type, response_type), handler,
                       group or self.default_group)

    def client(
        self,
        name: str,
        request_type: type[Req],
        response_type: type[Resp],
        *,
        group: CallbackGroup | None = None,
    ) -> Client[Req, Resp]:
        return Client(self._core, self.resolve(name), (request_type, response_type),
                      group or self.default_group)

    def action_server(
        self,
        name: str,
        types: tuple[type[G], type[F], type[R]],
        execute: Callable[[ServerGoalHandle[G, F, R]], R | None],
        *,
        goal_callback: Callable[[G], GoalResponse] | None = None,
        cancel_callback: Callable[[ServerGoalHandle[G, F, R]], CancelResponse] | None = None,
        policy: GoalPolicy = GoalPolicy.PARALLEL,
        group: CallbackGroup | None = None,
    ) -> ActionServer[G, F, R]:
        """``types`` = (goal, feedback, result). Defaults as rclpy: accept goals, reject cancels."""
        return ActionServer(self._core, self.resolve(name), types, execute, goal_callback,
                            cancel_callback, policy, group or self.default_group)

    def action_client(
        self,
        name: str,
        types: tuple[type[G], type[F], type[R]],
        *,
        group: CallbackGroup | None = None,
    ) -> ActionClient[G, F, R]:
        return ActionClient(self._core, self.resolve(name), types, group or self.default_group)

    def spin_once(self, timeout: float = 0.0) -> bool:
        """Manual mode: run the oldest ready callback; False if none came within ``timeout``."""
        return self._core.dispatcher.spin_once(timeout)

    def spin_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (spinning in manual mode) until ``predicate()``; False on timeout. Do not call it
        from a callback: it would wait on the group that callback is holding."""
        return self._core.dispatcher.spin_until(predicate, timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no callback is queued or running (goal threads aside); False on timeout."""
        return self._core.dispatcher.wait_idle(timeout)

    @property
    def is_shutdown(self) -> bool:
        return self._core.dispatcher.closed

    def shutdown(self) -> None:
        """Stop the whole bus (every view): queued callbacks are dropped, running goals asked to
        cancel, pending futures fail with BusShutdownError, threads joined. Final and idempotent."""
        self._core.shutdown()

    def __enter__(self) -> Bus:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()
