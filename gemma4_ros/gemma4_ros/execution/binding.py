"""The seam between the executor and whatever moves the robot: sim robot, ROS action, service, topic.

A binding is non-blocking by contract: ``start`` sends, ``poll`` reports, ``cancel`` asks to stop,
and none of them waits (py_trees_ros's action client has the same shape). That is what lets one
executor thread run steps, notice an e-stop within a poll period and enforce per-step timeouts
itself; a binding never needs to know about time-outs or the gate.

Bindings are created per tool from the tool's ``BindingSpec.kind`` through a
:class:`BindingRegistry`, so adding a transport is a registration, not an edit of the executor.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Protocol

from pydantic import BaseModel, ConfigDict, Field

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.types import RobotState, ToolCall

if TYPE_CHECKING:
    from gemma4_ros.tools import ToolSpec

log = logging.getLogger(__name__)


class BindingPhase(str, Enum):
    """Where a started call stands; the last three are final."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


class BindingProgress(BaseModel):
    """One poll's answer: feedback while running, a result dict or an error once finished."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase: BindingPhase
    feedback: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: str = ""

    @property
    def finished(self) -> bool:
        return self.phase is not BindingPhase.RUNNING

    @classmethod
    def running(cls, **feedback: Any) -> BindingProgress:
        return cls(phase=BindingPhase.RUNNING, feedback=feedback)

    @classmethod
    def succeeded(cls, **result: Any) -> BindingProgress:
        return cls(phase=BindingPhase.SUCCEEDED, result=result)

    @classmethod
    def failed(cls, error: str) -> BindingProgress:
        return cls(phase=BindingPhase.FAILED, error=error)

    @classmethod
    def canceled(cls, error: str = "canceled") -> BindingProgress:
        return cls(phase=BindingPhase.CANCELED, error=error)


class Binding(Protocol):
    """One tool's connection to the robot; at most one call active at a time, nothing blocks."""

    def start(self, call: ToolCall) -> None:
        """Begin executing ``call`` (already validated and approved); return at once."""

    def poll(self) -> BindingProgress:
        """Report progress of the current call; cheap enough to call every executor cycle."""

    def cancel(self) -> None:
        """Ask the current call to stop; the next poll reports CANCELED (or a final phase)."""

    def robot_state(self) -> RobotState:
        """The robot as this binding's backend sees it now (pose, gripper, battery)."""


BindingFactory = Callable[["ToolSpec"], Binding]


def cancel_safely(binding: Binding) -> None:
    """Cancel, whatever the binding does: a cancel that raises must not keep the caller (the
    e-stop, timeout or abort path) from finishing its job."""
    try:
        binding.cancel()
    except Exception:
        log.exception("binding cancel failed")


class UnknownBindingKindError(Gemma4RosError):
    """A tool declares a binding kind nobody registered a factory for."""

    def __init__(self, tool: str, kind: str, known: list[str]) -> None:
        self.tool = tool
        self.kind = kind
        super().__init__(
            f"tool {tool!r} uses binding kind {kind!r}, which has no registered factory "
            f"(registered: {', '.join(known) or 'none'})",
            "register a factory for that kind (the sim robot registers 'sim'; the ROS executor "
            "node registers the ros_* kinds) or change the tool's binding.kind in tools.yaml",
        )


class BindingRegistry:
    """Binding kinds → factories, plus the one source of robot state the gate checks against."""

    def __init__(self, robot_state: Callable[[], RobotState]) -> None:
        self._factories: dict[str, BindingFactory] = {}
        self._robot_state = robot_state

    def register(self, kind: str, factory: BindingFactory) -> None:
        """Make ``kind`` available; re-registering replaces (e.g. to wrap a factory in a bench)."""
        self._factories[kind] = factory

    @property
    def kinds(self) -> list[str]:
        return sorted(self._factories)

    def factory(self, kind: str) -> BindingFactory | None:
        return self._factories.get(kind)

    def create(self, spec: ToolSpec) -> Binding:
        """A binding for ``spec``; raises :class:`UnknownBindingKindError` if its kind is missing."""
        factory = self._factories.get(spec.binding.kind)
        if factory is None:
            raise UnknownBindingKindError(spec.name, spec.binding.kind, self.kinds)
        return factory(spec)

    def robot_state(self) -> RobotState:
        return self._robot_state()
