"""What one tool is: its arguments (JSON Schema), how risky it is, what it does to the robot's pose,
and how the executor reaches it.

These specs are the single source that the prompt, the grammar, argument validation, the safety
gate and the executor all read, so a tool can never be described one way to the model and checked
another way by the gate. ``effect`` is the declarative bit the gate needs to simulate a chain of
steps (where would the robot be after ``rotate 90, move 5``?) without knowing tools by name.
"""

from __future__ import annotations

import copy
from enum import Enum
from typing import Any, Literal

from pydantic import ConfigDict, Field, StrictBool, model_validator

from gemma4_ros.config import StrictModel
from gemma4_ros.tools.grounding import ArgumentGrounding


class RiskLevel(str, Enum):
    """How much harm a wrong call can do; the gate asks an operator above a per-mode threshold."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"

    @property
    def rank(self) -> int:
        return _RISK_RANK[self]


_RISK_RANK = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}

BindingKind = Literal["sim", "ros_action", "ros_service", "ros_topic"]


class BindingSpec(StrictModel):
    """Where the executor sends a call. ``sim`` runs on the built-in simulated robot; the ROS kinds
    name an action/service/topic and map message fields to arguments declaratively."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: BindingKind = "sim"
    target: str = ""
    type: str = ""
    fields: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ros_kinds_need_target(self) -> BindingSpec:
        # A ROS binding without a name or type could only fail at the first call, on the robot.
        if self.kind != "sim" and not (self.target and self.type):
            raise ValueError(
                f"binding kind {self.kind!r} needs both `target` (the action/service/topic name) "
                "and `type` (e.g. nav2_msgs/action/NavigateToPose)"
            )
        return self


EffectKind = Literal["none", "goto_place", "translate", "rotate"]


class EffectSpec(StrictModel):
    """What a call does to the robot's pose, for the gate's simulation of a plan.

    ``goto_place``: ends at the place named by argument ``argument`` or by the fixed ``place``;
    ``translate``: drives ``argument`` metres along the current heading;
    ``rotate``: turns in place by ``argument`` in ``unit``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: EffectKind = "none"
    argument: str = ""
    place: str = ""
    unit: Literal["deg", "rad"] = "deg"

    @model_validator(mode="after")
    def _complete(self) -> EffectSpec:
        if self.kind == "goto_place" and bool(self.argument) == bool(self.place):
            raise ValueError("a goto_place effect needs exactly one of `argument` or `place`")
        if self.kind in ("translate", "rotate") and not self.argument:
            raise ValueError(f"a {self.kind} effect needs `argument` (the argument it reads)")
        if self.kind == "none" and (self.argument or self.place):
            raise ValueError("an effect of kind none takes no `argument` or `place`")
        return self


class ToolSpec(StrictModel):
    """One declared tool. ``parameters`` is a JSON Schema (Draft 2020-12) of the arguments object."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    description: str = Field(min_length=1)
    parameters: dict[str, Any]
    risk: RiskLevel
    motion: StrictBool  # a quoted "yes" is an error, not a guess
    idempotent: StrictBool
    timeout_s: float = Field(gt=0.0, le=86400.0)
    effect: EffectSpec = EffectSpec()
    binding: BindingSpec = BindingSpec()
    grounding: dict[str, ArgumentGrounding] = Field(default_factory=dict)  # see tools/grounding.py
    # String arguments the operator's own words supply ("say 'heading out'"): given a written
    # instruction, constrained decoding lets the model write only a run of its words there, so a
    # small model cannot garble them and a large one cannot put words in the operator's mouth.
    verbatim: tuple[str, ...] = ()

    def json_schema(self) -> dict[str, Any]:
        """The arguments' JSON Schema (a copy: callers may not change the registry's)."""
        return copy.deepcopy(self.parameters)

    def declaration(self) -> dict[str, Any]:
        """Name, description and parameters: the function-declaration shape a prompt renders."""
        return {
            "name": self.name,
            "description": self.description,
            "parameters": self.json_schema(),
        }
