"""How a tool's numeric arguments are found in the operator's words: the tools.yaml half of the
grounding check (safety.yaml's ``grounding:`` says when the gate applies it).

A tool declares, per argument, the unit the argument is in (``unit: m``) and the words that give
its sign ("back" makes a distance negative). Relative motions need no declaration: a ``translate``
effect's argument is metres with forward/back words and a ``rotate`` effect's argument is in the
effect's unit with left/right words, because the gate's pose simulation already reads them that way
(positive is forward, positive is counter-clockwise). So a motion tool can never escape the check by
leaving the block out, and a declaration that contradicts its effect is a load error. Places need
no declaration either: the argument of a ``goto_place`` effect is a place, grounded by its name or
an alias from ``places:``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, field_validator, model_validator

from gemma4_ros.config import StrictModel
from gemma4_ros.errors import ConfigError
from gemma4_ros.tools.units import UNITS, dimension

if TYPE_CHECKING:
    from gemma4_ros.tools.spec import ToolSpec

FORWARD = ("forward", "forwards", "ahead", "straight", "advance", "onward")
BACKWARD = ("back", "backward", "backwards", "reverse", "in reverse")
LEFT = ("left", "counterclockwise", "counter clockwise", "anticlockwise", "anti clockwise", "ccw")
RIGHT = ("right", "clockwise", "cw")

_PHRASE = re.compile(r"^[a-z0-9]+( [a-z0-9]+)*$")


class ArgumentGrounding(StrictModel):
    """One numeric argument: its unit, and the words that say its sign.

    ``unsigned`` is the sign a quantity said without a direction word may take: ``positive``
    ("go 2 m" is forward) or ``either`` ("rotate 90 degrees" may turn either way).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    unsigned: Literal["positive", "either"] = "positive"

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; use one of: {', '.join(UNITS)}")
        return unit

    @field_validator("positive", "negative")
    @classmethod
    def _phrases(cls, phrases: tuple[str, ...]) -> tuple[str, ...]:
        for phrase in phrases:
            if not _PHRASE.match(phrase):
                raise ValueError(f"{phrase!r} must be lower-case words separated by single spaces")
        return phrases

    @model_validator(mode="after")
    def _disjoint(self) -> ArgumentGrounding:
        both = set(self.positive) & set(self.negative)
        if both:
            raise ValueError(f"{', '.join(sorted(both))} cannot give both signs")
        return self


def effect_grounding(tool: ToolSpec) -> tuple[str, ArgumentGrounding] | None:
    """The grounding a relative-motion effect implies for the argument it reads, if any."""
    effect = tool.effect
    if effect.kind == "translate":
        return effect.argument, ArgumentGrounding(unit="m", positive=FORWARD, negative=BACKWARD)
    if effect.kind == "rotate":
        return effect.argument, ArgumentGrounding(unit=effect.unit, positive=LEFT, negative=RIGHT,
                                                  unsigned="either")
    return None


def with_grounding(tool: ToolSpec, source: str, where: str) -> ToolSpec:
    """``tool`` with its effect's argument grounded too; ConfigError for a declaration that names
    no numeric argument, a place argument, or contradicts the effect."""
    properties: dict[str, Any] = tool.parameters.get("properties", {})
    effect = tool.effect
    for name in tool.grounding:
        key = f"{where}.grounding.{name}"
        if name not in properties:
            raise ConfigError(source, key, f"{tool.name} has no argument {name!r}",
                              f"ground one of: {', '.join(properties) or 'no arguments'}")
        if effect.kind == "goto_place" and name == effect.argument:
            raise ConfigError(source, key, f"{name!r} names a place; places are grounded by name",
                              "remove this entry and declare aliases under `places:` instead")
        if properties[name].get("type") not in ("number", "integer"):
            raise ConfigError(source, key, f"{name!r} is not a number; only numbers have units",
                              "ground numeric arguments only")
    implied = effect_grounding(tool)
    if implied is None:
        return tool
    name, derived = implied
    declared = tool.grounding.get(name)
    if declared is None:
        return tool.model_copy(update={"grounding": {**tool.grounding, name: derived}})
    if declared.unit != derived.unit:
        raise ConfigError(source, f"{where}.grounding.{name}.unit",
                          f"the {effect.kind} effect reads {name!r} in {derived.unit}, not "
                          f"{declared.unit} ({dimension(declared.unit)})",
                          f"write `unit: {derived.unit}`")
    unset = {field: getattr(derived, field) for field in ("positive", "negative", "unsigned")
             if field not in declared.model_fields_set}
    merged = declared.model_copy(update=unset)
    return tool.model_copy(update={"grounding": {**tool.grounding, name: merged}})
