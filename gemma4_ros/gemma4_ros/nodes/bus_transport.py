"""The :class:`~gemma4_ros.nodes.transport.Transport` of one node on the in-process bus.

Typed endpoints pass core values through unchanged; raw endpoints are bus endpoints of ``dict``
messages (the ROS type name is not checked here: in-process, both ends are our own code or a
test's fake server). The bus has no best-effort delivery, so ``Qos.SENSOR`` is a shallow
keep-last queue; it has no timers, so a timer here is a thread that queues the callback on its
group once per period, as an rclpy timer is a ready callback for the executor.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable, TypeVar

from gemma4_ros.bus import ActionOutcome, Bus, CallbackGroup, CancelResponse, GoalStatus
from gemma4_ros.bus.action_client import ClientGoalHandle
from gemma4_ros.bus.action_server import ServerGoalHandle
from gemma4_ros.bus.topics import Publisher as BusPublisher
from gemma4_ros.nodes.transport import (
    DEFAULT_GROUP, REENTRANT_GROUP, Closeable, Fields, GoalContext, GoalEnd, Logger, Qos,
    RemoteCall, RemoteEnd, RemoteStatusName,
)

T = TypeVar("T")
Req = TypeVar("Req")
Resp = TypeVar("Resp")
G = TypeVar("G")
F = TypeVar("F")
R = TypeVar("R")

REENTRANT_WORKERS = 4

_REMOTE_STATUS: dict[GoalStatus, RemoteStatusName] = {
    GoalStatus.SUCCEEDED: "succeeded",
    GoalStatus.ABORTED: "aborted",
    GoalStatus.CANCELED: "canceled",
    GoalStatus.REJECTED: "rejected",
}


class BusTransport:
    """One node (a :meth:`Bus.node` view) seen through the Transport protocol."""

    def __init__(self, node: Bus, clock: Callable[[], float] = time.time) -> None:
        if node.node_name is None:
            raise ValueError("BusTransport needs a node view: pass bus.node(name)")
        self.node = node
        self._clock = clock
        self._logger = logging.getLogger(f"gemma4_ros.{node.node_name}")
        self._groups: dict[str, CallbackGroup] = {DEFAULT_GROUP: node.default_group}
        self._lock = threading.Lock()

    @property
    def logger(self) -> Logger:
        return self._logger

    def now(self) -> float:
        return self._clock()

    def group(self, name: str) -> CallbackGroup:
        """The group called ``name`` (created on first use): see the transport's docstring."""
        with self._lock:
            if name not in self._groups:
                workers = REENTRANT_WORKERS if name == REENTRANT_GROUP else 1
                self._groups[name] = self.node.callback_group(
                    f"{self.node.node_name}.{name}", workers)
            return self._groups[name]

    def publisher(self, name: str, msg_type: type[T], *, qos: Qos = Qos.RELIABLE,
                  depth: int = 10) -> BusPublisher[T]:
        return self.node.publisher(name, msg_type, latched=qos is Qos.LATCHED, depth=depth)

    def subscribe(self, name: str, msg_type: type[T], callback: Callable[[T], None], *,
                  qos: Qos = Qos.RELIABLE, depth: int = 10,
                  group: str = DEFAULT_GROUP) -> Closeable:
        # ESTOP is volatile here: on the bus a latched subscription would refuse volatile
        # publishers outright (QosMismatchError), which is the failure ESTOP exists to avoid.
        return self.node.subscribe(name, msg_type, callback, latched=qos is Qos.LATCHED,
                                   depth=depth, group=self.group(group))

    def service(self, name: str, request_type: type[Req], response_type: type[Resp],
                handler: Callable[[Req], Resp], *, group: str = DEFAULT_GROUP) -> Closeable:
        return self.node.service(name, request_type, response_type, handler,
                                 group=self.group(group))

    def action_server(
        self,
        name: str,
        types: tuple[type[G], type[F], type[R]],
        execute: Callable[[GoalContext[G, F]], GoalEnd[R]],
        *,
        group: str = REENTRANT_GROUP,
    ) -> Closeable:
        def run(handle: ServerGoalHandle[G, F, R]) -> R:
            end = execute(_BusGoal(handle))
            if end.status == "succeeded":
                handle.succeed()
            elif end.status == "canceled" and handle.is_cancel_requested:
                handle.canceled()
            else:
                handle.abort()
            return end.result

        # The bus forbids single-goal policies on reentrant groups; the logic decides
        # preemption itself, so every goal is accepted and runs (PARALLEL).
        return self.node.action_server(name, types, run,
                                       cancel_callback=lambda handle: CancelResponse.ACCEPT,
                                       group=self.group(group))

    def timer(self, period_s: float, callback: Callable[[], None], *,
              group: str = DEFAULT_GROUP) -> Closeable:
        return _BusTimer(period_s, callback, self.group(group))

    def raw_publisher(self, name: str, type_name: str, *,
                      qos: Qos = Qos.RELIABLE) -> BusPublisher[Fields]:
        return self.node.publisher(name, dict, latched=qos is Qos.LATCHED)

    def raw_subscribe(self, name: str, type_name: str, callback: Callable[[Fields], None], *,
                      qos: Qos = Qos.RELIABLE, group: str = DEFAULT_GROUP) -> Closeable:
        return self.node.subscribe(name, dict, callback, latched=qos is Qos.LATCHED,
                                   group=self.group(group))

    def raw_action_client(self, name: str, type_name: str, *,
                          group: str = REENTRANT_GROUP) -> _BusRawActionClient:
        return _BusRawActionClient(self.node.action_client(
            name, (dict, dict, dict), group=self.group(group)))

    def field_problem(self, type_name: str, path: tuple[str, ...]) -> str:
        return ""  # in-process messages are plain dicts: any path is a field

    def raw_service_client(self, name: str, type_name: str, *,
                           group: str = REENTRANT_GROUP) -> _BusRawServiceClient:
        return _BusRawServiceClient(self.node.client(name, dict, dict, group=self.group(group)))


class _BusGoal:
    """A bus goal handle narrowed to :class:`GoalContext`."""

    def __init__(self, handle: ServerGoalHandle[Any, Any, Any]) -> None:
        self._handle = handle

    @property
    def goal(self) -> Any:
        return self._handle.goal

    @property
    def is_cancel_requested(self) -> bool:
        return self._handle.is_cancel_requested

    def publish_feedback(self, feedback: Any) -> None:
        self._handle.publish_feedback(feedback)


class _BusTimer:
    """Queues ``callback`` on ``group`` every ``period_s`` until closed."""

    def __init__(self, period_s: float, callback: Callable[[], None], group: CallbackGroup) -> None:
        if not period_s > 0:
            raise ValueError(f"timer period must be > 0 s; got {period_s}")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(period_s, callback, group),
                                        name=f"bus-timer-{group.name}", daemon=True)
        self._thread.start()

    def _run(self, period_s: float, callback: Callable[[], None], group: CallbackGroup) -> None:
        while not self._stop.wait(period_s):
            group.submit(callback)

    def close(self) -> None:
        self._stop.set()


class _BusRemoteGoal:
    def __init__(self, handle: ClientGoalHandle[Any, Any, Any]) -> None:
        self._handle = handle

    def cancel(self) -> None:
        self._handle.cancel()


class _BusRawActionClient:
    def __init__(self, client: Any) -> None:
        self._client = client

    def server_is_ready(self) -> bool:
        return bool(self._client.server_is_ready())

    def send_goal(self, goal: Fields, on_feedback: Callable[[Fields], None],
                  on_end: Callable[[RemoteEnd], None]) -> RemoteCall:
        handle = self._client.send_goal(goal, on_feedback)

        def done(future: Future[ActionOutcome[Any]]) -> None:
            try:
                outcome = future.result()
            except Exception as error:  # the bus shut down under the goal
                on_end(RemoteEnd("failed", error=str(error)))
                return
            result = outcome.result if isinstance(outcome.result, dict) else None
            on_end(RemoteEnd(_REMOTE_STATUS.get(outcome.status, "failed"), result,
                             outcome.error))

        handle.result_future.add_done_callback(done)
        return _BusRemoteGoal(handle)


class _BusRemoteCall:
    def __init__(self, future: Future[Any]) -> None:
        self._future = future

    def cancel(self) -> None:
        self._future.cancel()


class _BusRawServiceClient:
    def __init__(self, client: Any) -> None:
        self._client = client

    def service_is_ready(self) -> bool:
        return bool(self._client.service_is_ready())

    def call(self, request: Fields, on_end: Callable[[RemoteEnd], None]) -> RemoteCall:
        future = self._client.call_async(request)

        def done(settled: Future[Any]) -> None:
            if settled.cancelled():
                on_end(RemoteEnd("canceled", error="call canceled"))
                return
            try:
                response = settled.result()
            except Exception as error:
                on_end(RemoteEnd("failed", error=str(error)))
                return
            on_end(RemoteEnd("succeeded", response if isinstance(response, dict) else None))

        future.add_done_callback(done)
        return _BusRemoteCall(future)
