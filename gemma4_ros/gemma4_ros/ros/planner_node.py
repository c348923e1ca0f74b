"""The planner as a managed (lifecycle) rclpy node: ``ros2 run gemma4_ros planner_node``.

All behaviour is :class:`~gemma4_ros.nodes.planner_node.PlannerNodeLogic` (tested on the
in-process bus); this class maps lifecycle transitions onto it and parameters onto its config:

- ``on_configure``: validate the parameters, load the model (on TensorRT the first start builds
  engines, minutes; the runtime's progress messages are forwarded to this node's log) and warm
  it up (grammar compiled, prompt head prefilled), so the first command is as fast as the rest.
  A missing model file fails the transition with every missing file and how to get them.
  The ``estop`` subscription starts here (an e-stop cancels planning in flight).
- ``on_activate``: subscribe to ``image``, ``image/compressed``, ``audio`` and ``command``; serve
  ``~/instruct`` and ``~/ask``; publish ``~/plan`` and ``/diagnostics``.
- ``on_deactivate``: stop listening and serving; cancel what is being planned.
- ``on_cleanup`` / ``on_shutdown``: release the model and the worker thread.

Parameters are declared from :class:`PlannerNodeConfig` with descriptions and ranges; changes
are validated by the same model and take effect at the next configure.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rclpy.lifecycle import LifecycleNode

from gemma4_ros.errors import ConfigError, Gemma4RosError
from gemma4_ros.nodes.planner_config import PlannerNodeConfig, load_node_planner
from gemma4_ros.nodes.planner_node import PlannerNodeLogic
from gemma4_ros.recording.metadata import open_planner_record
from gemma4_ros.ros import planner_messages
from gemma4_ros.ros.lifecycle import LogicLifecycleNode, spin
from gemma4_ros.ros.parameters import ModelParameters
from gemma4_ros.ros.transport import RosTransport

NODE_NAME = "planner"
PACKAGE_LOGGER = "gemma4_ros"


class _LogBridge(logging.Handler):
    """Forwards the core's Python log records (model loading, engine builds) to the node's log."""

    def __init__(self, node: LifecycleNode) -> None:
        super().__init__(logging.INFO)
        self._logger = node.get_logger()

    def emit(self, record: logging.LogRecord) -> None:
        message = f"[{record.name}] {record.getMessage()}"
        if record.levelno >= logging.ERROR:
            self._logger.error(message)
        elif record.levelno >= logging.WARNING:
            self._logger.warning(message)
        else:
            self._logger.info(message)


class PlannerNode(LogicLifecycleNode):
    """Lifecycle shell around :class:`PlannerNodeLogic`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(NODE_NAME, **kwargs)
        planner_messages.register()
        self._settings = ModelParameters(self, PlannerNodeConfig, self._on_parameters)
        self._bridge = _LogBridge(self)
        core_logger = logging.getLogger(PACKAGE_LOGGER)
        core_logger.setLevel(logging.INFO)
        core_logger.addHandler(self._bridge)

    def _on_parameters(self, config: PlannerNodeConfig, changed: set[str]) -> None:
        """Every planner parameter is read at configure; say so instead of pretending."""
        if self._logic is not None:
            self.get_logger().info(f"{', '.join(sorted(changed))} changed; takes effect at the "
                                   "next configure")

    def build_logic(self, transport: RosTransport) -> PlannerNodeLogic:
        config = self._settings.current
        if self._settings.problem:
            raise Gemma4RosError(self._settings.problem,
                                 "set the parameter to a valid value and configure again")
        where = config.model_dir or "model_dir of models.yaml"
        self.get_logger().info(f"loading the model from {where} (provider {config.provider}); "
                               "a first start on TensorRT builds engines, which takes minutes")
        started = time.monotonic()
        try:
            planner = load_node_planner(config)
        except ConfigError:
            raise  # names its file and key already
        except Gemma4RosError as error:
            raise Gemma4RosError(f"parameter model_dir ({where}): {error.problem}",
                                 error.hint) from None
        self.get_logger().info(f"model {planner.model_name} loaded in "
                               f"{time.monotonic() - started:.1f} s; warming up")
        planner.warm_up()
        recorder = open_planner_record(config, planner.model_name) if config.record else None
        logic = PlannerNodeLogic(transport, planner, config, recorder=recorder)
        self.get_logger().info(f"configured in {time.monotonic() - started:.1f} s")
        return logic

    def destroy_node(self) -> None:
        logging.getLogger(PACKAGE_LOGGER).removeHandler(self._bridge)
        super().destroy_node()


def main(args: list[str] | None = None) -> None:
    """Spin on a multi-threaded executor: camera, audio, Ask and Instruct run in their own
    callback groups, and the model on the logic's worker thread."""
    spin(PlannerNode, args)


if __name__ == "__main__":
    main()
