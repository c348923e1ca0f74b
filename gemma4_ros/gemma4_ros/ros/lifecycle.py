"""The lifecycle shell both nodes share: transitions mapped onto a ROS-free logic object, and the
``main()`` that spins a node on a multi-threaded executor.

A node's logic (``nodes/*_node.py``) has ``activate``, ``deactivate`` and ``close``; what differs
between the planner and the executor is only how ``on_configure`` builds it, so that is the one
thing a subclass writes (plus ``release`` when it owns more than the logic).
"""

from __future__ import annotations

from typing import Callable, Protocol

import rclpy
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn


class NodeLogic(Protocol):
    def activate(self) -> None: ...

    def deactivate(self) -> None: ...

    def close(self) -> None: ...


class LogicLifecycleNode(LifecycleNode):
    """Activate/deactivate/cleanup/shutdown forwarded to ``self._logic`` (set in on_configure)."""

    _logic: NodeLogic | None = None

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
        """Close the logic (its worker threads, model, audit log); safe to call twice."""
        logic, self._logic = self._logic, None
        if logic is not None:
            logic.close()


def spin(make_node: Callable[[], LogicLifecycleNode], args: list[str] | None = None) -> None:
    """Spin one node on a multi-threaded executor, so each callback group (the e-stop's above
    all) runs beside the others; release it however the process ends."""
    rclpy.init(args=args)
    node: LogicLifecycleNode | None = None
    try:
        node = make_node()
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
