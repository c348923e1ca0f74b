"""Bindings of kind ``sim``: every default tool implemented on the :class:`SimRobot`.

A tool's ``binding.target`` names the sim action (``navigate_to``, ``move``...; empty means the
tool's own name), and ``binding.fields`` may rename arguments (``{action_parameter: argument}``),
so a tools file can declare new tool names on top of the same sim actions. Motion actions finish
when the robot arrives; instant ones (speech, camera, report) finish on the first poll.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Callable

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.execution.binding import BindingProgress, BindingRegistry
from gemma4_ros.execution.sim_robot import Motion, MotionState, SimRobot
from gemma4_ros.types import Pose2D, RobotState, ToolCall

if TYPE_CHECKING:
    from gemma4_ros.tools import ToolSpec

SIM_KIND = "sim"


def pose_dict(pose: Pose2D) -> dict[str, Any]:
    return {"x": pose.x, "y": pose.y, "yaw_deg": math.degrees(pose.yaw), "frame_id": pose.frame_id}


class SimBinding(ABC):
    """One tool on the sim robot; subclasses say how a call starts and how it is watched."""

    def __init__(self, robot: SimRobot, fields: dict[str, str],
                 defaults: dict[str, Any] | None = None) -> None:
        self.robot = robot
        self._fields = fields
        self._defaults = defaults or {}
        self._progress: BindingProgress | None = None

    def start(self, call: ToolCall) -> None:
        try:
            self._progress = self._begin(self._parameters(call.arguments))
        except (Gemma4RosError, ValueError, KeyError, TypeError) as error:
            self._progress = BindingProgress.failed(f"{call.name}: {error}")

    def poll(self) -> BindingProgress:
        if self._progress is None:
            return BindingProgress.failed("poll() before start(): nothing is running")
        if not self._progress.finished:
            self._progress = self._watch()
        return self._progress

    def cancel(self) -> None:
        if self._progress is not None and not self._progress.finished:
            self._halt()
            self._progress = BindingProgress.canceled()

    def robot_state(self) -> RobotState:
        return self.robot.robot_state()

    def _parameters(self, arguments: dict[str, Any]) -> dict[str, Any]:
        given = {**self._defaults, **arguments}
        if not self._fields:
            return given
        return {param: given[arg] for param, arg in self._fields.items() if arg in given}

    @abstractmethod
    def _begin(self, params: dict[str, Any]) -> BindingProgress:
        """Start the action; the first progress (instant actions return their final one)."""

    @abstractmethod
    def _watch(self) -> BindingProgress:
        """Progress of a running action."""

    def _halt(self) -> None:
        """Stop whatever the call is doing; instant actions have nothing to stop."""


class _MotionBinding(SimBinding):
    """Starts a robot motion and follows it to arrival, a stop or a fault."""

    _motion: Motion | None = None

    def _begin(self, params: dict[str, Any]) -> BindingProgress:
        self._motion = self._command(params)
        return self._watch()

    @abstractmethod
    def _command(self, params: dict[str, Any]) -> Motion:
        """Command the robot; the returned motion is what this call watches."""

    def _watch(self) -> BindingProgress:
        motion = self._motion
        assert motion is not None
        self.robot.update()
        if motion.state is MotionState.RUNNING:
            return BindingProgress.running(remaining=motion.remaining,
                                           pose=pose_dict(self.robot.pose))
        if motion.state is MotionState.DONE:
            return BindingProgress.succeeded(**self._result())
        return BindingProgress.failed(f"{motion.description}: {motion.error}")

    def _result(self) -> dict[str, Any]:
        return {"pose": pose_dict(self.robot.pose)}

    def _halt(self) -> None:
        if self._motion is not None and self._motion.state is MotionState.RUNNING:
            self.robot.stop("canceled")


class NavigateBinding(_MotionBinding):
    def _command(self, params: dict[str, Any]) -> Motion:
        self._place = str(params["place"])
        return self.robot.navigate_to(self._place)

    def _result(self) -> dict[str, Any]:
        return {"place": self._place, "pose": pose_dict(self.robot.pose)}


class MoveBinding(_MotionBinding):
    def _command(self, params: dict[str, Any]) -> Motion:
        speed = params.get("speed", self.robot.config.limits.max_linear_speed)
        return self.robot.move(float(params["distance"]), float(speed))


class RotateBinding(_MotionBinding):
    def _command(self, params: dict[str, Any]) -> Motion:
        return self.robot.rotate(float(params["angle"]))


class DockBinding(_MotionBinding):
    def _command(self, params: dict[str, Any]) -> Motion:
        return self.robot.dock()

    def _result(self) -> dict[str, Any]:
        return {"pose": pose_dict(self.robot.pose), "docked": self.robot.docked,
                "battery": self.robot.battery}


class WaitBinding(SimBinding):
    """Waits on the robot's clock, so a fake clock makes ``wait`` instant in tests."""

    def _begin(self, params: dict[str, Any]) -> BindingProgress:
        self._seconds = float(params["seconds"])
        if not math.isfinite(self._seconds) or self._seconds < 0:
            raise ValueError(f"wait needs seconds >= 0; got {self._seconds}")
        self._until = self.robot.now() + self._seconds
        return self._watch()

    def _watch(self) -> BindingProgress:
        left = self._until - self.robot.now()
        if left > 0:
            return BindingProgress.running(remaining_s=left)
        return BindingProgress.succeeded(waited_s=self._seconds)


class _InstantBinding(SimBinding):
    def _watch(self) -> BindingProgress:
        raise AssertionError("instant actions finish in start()")


class StopBinding(_InstantBinding):
    def _begin(self, params: dict[str, Any]) -> BindingProgress:
        self.robot.stop("stop requested")
        return BindingProgress.succeeded(pose=pose_dict(self.robot.pose))


class CaptureBinding(_InstantBinding):
    def _begin(self, params: dict[str, Any]) -> BindingProgress:
        return BindingProgress.succeeded(**self.robot.capture_image().info())


class InspectBinding(_InstantBinding):
    """Captures the frame the question is about; the copilot answers from it later."""

    def _begin(self, params: dict[str, Any]) -> BindingProgress:
        frame = self.robot.capture_image()
        return BindingProgress.succeeded(target=str(params.get("target", "")),
                                         question=str(params.get("question", "")),
                                         frame=frame.info())


class SpeakBinding(_InstantBinding):
    def _begin(self, params: dict[str, Any]) -> BindingProgress:
        text = str(params["text"])
        self.robot.say(text)
        return BindingProgress.succeeded(spoken=text)


class ReportBinding(_InstantBinding):
    def _begin(self, params: dict[str, Any]) -> BindingProgress:
        text = str(params["text"])
        self.robot.report(text)
        return BindingProgress.succeeded(reported=text)


SIM_ACTIONS: dict[str, Callable[[SimRobot, dict[str, str], dict[str, Any]], SimBinding]] = {
    "navigate_to": NavigateBinding,
    "move": MoveBinding,
    "rotate": RotateBinding,
    "stop": StopBinding,
    "dock": DockBinding,
    "capture_image": CaptureBinding,
    "inspect": InspectBinding,
    "speak": SpeakBinding,
    "wait": WaitBinding,
    "report": ReportBinding,
}


class UnknownSimActionError(Gemma4RosError):
    def __init__(self, tool: str, action: str) -> None:
        super().__init__(
            f"tool {tool!r} binds to sim action {action!r}, which the sim robot does not have",
            f"set binding.target to one of: {', '.join(SIM_ACTIONS)}",
        )


def sim_binding_factory(robot: SimRobot) -> Callable[[ToolSpec], SimBinding]:
    """Factory for kind ``sim``: the tool's ``binding.target`` (or name) picks the action, and
    arguments the model left out take their schema ``default``."""

    def create(spec: ToolSpec) -> SimBinding:
        action = spec.binding.target or spec.name
        if action not in SIM_ACTIONS:
            raise UnknownSimActionError(spec.name, action)
        properties = spec.parameters.get("properties", {})
        defaults = {name: prop["default"] for name, prop in properties.items()
                    if isinstance(prop, dict) and "default" in prop}
        return SIM_ACTIONS[action](robot, dict(spec.binding.fields), defaults)

    return create


def sim_bindings(robot: SimRobot) -> BindingRegistry:
    """A binding registry whose robot state and ``sim`` tools both come from ``robot``."""
    registry = BindingRegistry(robot.robot_state)
    registry.register(SIM_KIND, sim_binding_factory(robot))
    return registry
