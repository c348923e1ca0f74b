"""The executor as a managed (lifecycle) rclpy node: ``ros2 run gemma4_ros executor_node``.

All behaviour is :class:`~gemma4_ros.nodes.executor_node.ExecutorNodeLogic` (tested on the
in-process bus); this class maps lifecycle transitions onto it and parameters onto its config:

- ``on_configure``: validate the parameters, load tools/safety/executor/sim files, build the
  gate, bindings and executor worker; the e-stop subscription and ``~/reset_estop`` start here,
  so a stop is latched even before activation. A bad file fails the transition with the file,
  key and fix in the log.
- ``on_activate``: serve ``plan``, ``~/execute_plan``, ``~/confirm`` and the status heartbeat.
- ``on_deactivate``: stop serving and cancel the running plan; the heartbeat timer goes too.
- ``on_cleanup`` / ``on_shutdown``: close everything, audit log included.

Parameters are declared from :class:`ExecutorNodeConfig` with descriptions and ranges; ``mode``
switches the gate's operating mode live (an unknown mode is refused with the known ones); the
others take effect at the next configure.
"""

from __future__ import annotations

from typing import Any

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.nodes.executor_config import ExecutorNodeConfig
from gemma4_ros.nodes.executor_node import ExecutorNodeLogic
from gemma4_ros.ros.lifecycle import LogicLifecycleNode, spin
from gemma4_ros.ros.parameters import ModelParameters
from gemma4_ros.ros.transport import RosTransport

NODE_NAME = "executor"


class ExecutorNode(LogicLifecycleNode):
    """Lifecycle shell around :class:`ExecutorNodeLogic`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(NODE_NAME, **kwargs)
        self._settings = ModelParameters(self, ExecutorNodeConfig, self._on_parameters)

    def _on_parameters(self, config: ExecutorNodeConfig, changed: set[str]) -> None:
        """Apply a live change; raising Gemma4RosError refuses it with that reason."""
        logic = self._logic
        if "mode" in changed and config.mode and isinstance(logic, ExecutorNodeLogic):
            logic.set_mode(config.mode)

    def build_logic(self, transport: RosTransport) -> ExecutorNodeLogic:
        if self._settings.problem:
            raise Gemma4RosError(self._settings.problem,
                                 "set the parameter to a valid value and configure again")
        logic = ExecutorNodeLogic(transport, self._settings.current)
        self.get_logger().info(f"configured: {len(logic.tools.tools)} tools, mode "
                               f"{logic.gate.mode}, robot {logic.config.robot}")
        return logic


def main(args: list[str] | None = None) -> None:
    """Spin the node on a multi-threaded executor, so the e-stop group runs beside the rest."""
    spin(ExecutorNode, args)


if __name__ == "__main__":
    main()
