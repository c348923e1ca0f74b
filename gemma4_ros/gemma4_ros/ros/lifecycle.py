"""The lifecycle shell both nodes share: transitions mapped onto a ROS-free logic object, and the
``main()`` that spins a node on a multi-threaded executor.

A node's logic (``nodes/*_node.py``) has ``activate``, ``deactivate`` and ``close``; what differs
between the planner and the executor is only how it is built, so :meth:`build_logic` is the one
thing a subclass writes. The shell owns the :class:`RosTransport` the logic was built on and
closes it on cleanup, shutdown or a failed configure: every publisher, subscription, service,
timer and client the logic or its bindings made goes with it, so configure → cleanup cycles
leave the node's graph as they found it.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

import rclpy
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.ros.parameters import ModelParameters
from gemma4_ros.ros.transport import RosTransport


class NodeLogic(Protocol):
    def activate(self) -> None: ...

    def deactivate(self) -> None: ...

    def close(self) -> None: ...


class LogicLifecycleNode(LifecycleNode):
    """Transitions forwarded to a logic object that :meth:`build_logic` makes at configure."""

    _logic: NodeLogic | None = None
    _transport: RosTransport | None = None
    _settings: ModelParameters[Any]

    def autostart(self) -> None:
        """Configure and activate now if the ``autostart`` parameter says so. The node brings
        itself up rather than waiting for launch to drive it: launch's change_state request and
        the transition event it waits for cross the network, and on a busy machine either can
        be lost while discovery is still under way, leaving the node inactive for good."""
        if not self._settings.current.autostart:
            return
        if self.trigger_configure() == TransitionCallbackReturn.SUCCESS:
            self.trigger_activate()

    def build_logic(self, transport: RosTransport) -> NodeLogic:
        """The node's logic on ``transport``; raise Gemma4RosError (or OSError) to refuse the
        configure transition with that reason."""
        raise NotImplementedError

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        transport = RosTransport(self)
        try:
            self._logic = self.build_logic(transport)
        except (Gemma4RosError, OSError) as error:
            transport.close()
            self.get_logger().error(f"configure failed: {error}")
            return TransitionCallbackReturn.FAILURE
        self._transport = transport
        return TransitionCallbackReturn.SUCCESS

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        if self._logic is None:
            return TransitionCallbackReturn.FAILURE
        self._logic.activate()
        return super().on_activate(state)

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        if self._logic is not None:
            self._logic.deactivate()
        return super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.release()
        return TransitionCallbackReturn.SUCCESS

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.release()
        return TransitionCallbackReturn.SUCCESS

    def release(self) -> None:
        """Close the logic (its worker threads, model, audit log) and every ROS entity made on
        its transport; safe to call twice."""
        logic, self._logic = self._logic, None
        if logic is not None:
            logic.close()
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()


def spin(make_node: Callable[[], LogicLifecycleNode], args: list[str] | None = None) -> None:
    """Spin one node on a multi-threaded executor, so each callback group (the e-stop's above
    all) runs beside the others; release it however the process ends."""
    rclpy.init(args=args)
    node: LogicLifecycleNode | None = None
    try:
        node = make_node()
        node.autostart()
        executor = MultiThreadedExecutor()
        executor.add_node(node)
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        if node is not None:
            node.release()
            node.destroy_node()
        rclpy.try_shutdown()
