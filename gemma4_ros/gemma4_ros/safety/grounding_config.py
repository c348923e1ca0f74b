"""The ``grounding:`` section of safety.yaml: when the gate holds a plan against the operator's
words (rule ``plan.ungrounded``), and how strictly, per plan source, tool and argument.

Left out, the section takes its defaults, which check: grounding is a check that can only send a
call to an operator, so its absence must never let more through. A source a file does not list
keeps its default, so naming one source never turns the others off.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, field_validator

from gemma4_ros.config import StrictModel
from gemma4_ros.types import PlanSource

SourceMode = Literal["check", "confirm", "skip"]

DEFAULT_SOURCES: dict[PlanSource, SourceMode] = {
    PlanSource.TEXT: "check",          # the operator's typed words are the instruction
    PlanSource.VOICE: "confirm",       # no transcript: nothing to check the numbers against
    PlanSource.COPILOT: "check",       # the operator's question is the instruction
    PlanSource.MISSION: "skip",        # the calls are what the operator wrote down
    PlanSource.CAMERA_TEXT: "check",   # motion is refused by provenance; waits are still checked
    PlanSource.TOOL_OUTPUT: "check",
}


class ArgumentPolicy(StrictModel):
    """How one argument is checked. ``unsaid`` is what a value the operator never said may be:
    ``check`` (nothing: it must be said), ``default`` (the schema default, which would apply if
    the model left it out), ``up_to_default`` (anything from 0 up to the default, e.g. a slower
    speed). ``tolerance`` is an absolute slack in the argument's unit, on top of the relative
    one."""

    check: StrictBool = True  # true or false only: a quoted "no" must not switch a check off
    unsaid: Literal["check", "default", "up_to_default"] = "default"
    tolerance: float = Field(default=0.0, ge=0.0, allow_inf_nan=False)


class ToolPolicy(StrictModel):
    """One tool: ``check: false`` leaves its calls unchecked; ``arguments`` sets each argument."""

    check: StrictBool = True
    arguments: dict[str, ArgumentPolicy] = Field(default_factory=dict)


class GroundingConfig(StrictModel):
    """Per plan source: ``check`` (every grounded argument must be in the instruction),
    ``confirm`` (the plan has no words to check: every call with grounded arguments needs an
    operator) or ``skip`` (not checked). Tools not listed under ``tools`` are checked with the
    defaults."""

    sources: dict[PlanSource, SourceMode] = Field(default_factory=lambda: dict(DEFAULT_SOURCES))
    relative_tolerance: float = Field(default=0.03, ge=0.0, le=0.5, allow_inf_nan=False)
    tools: dict[str, ToolPolicy] = Field(default_factory=dict)

    @field_validator("sources")
    @classmethod
    def _keep_defaults(cls, sources: dict[PlanSource, SourceMode]) -> dict[PlanSource, SourceMode]:
        return {**DEFAULT_SOURCES, **sources}
