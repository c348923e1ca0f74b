"""Node parameters from one pydantic model: what to declare, and how to validate a change.

The rclpy layer loops over :func:`parameter_specs` to declare every parameter with its
``ParameterDescriptor`` (type, description, range) and checks each change with
:func:`apply_changes` against the same model, so the model is the only place a parameter is
described, bounded or defaulted. ROS-free, so the derivation is tested without rclpy.

Supported field types: ``bool``, ``int``, ``float``, ``str`` and ``Literal`` of strings (the
allowed values go into the description; ROS has no enum constraint). Ranges come from the
field's ``ge``/``le`` (inclusive, as ROS ranges are) and ``gt``/``lt``; ROS cannot say
"exclusive", so an exclusive bound is declared as inclusive and the model still refuses the
bound itself on a change.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from gemma4_ros.errors import Gemma4RosError

M = TypeVar("M", bound=BaseModel)
ParameterKind = Literal["bool", "integer", "double", "string"]

_KINDS: dict[type, ParameterKind] = {bool: "bool", int: "integer", float: "double", str: "string"}


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter as ROS declares it."""

    name: str
    kind: ParameterKind
    default: Any
    description: str
    low: float | int | None = None
    high: float | int | None = None
    choices: tuple[str, ...] = ()


def _kind(name: str, annotation: Any) -> tuple[ParameterKind, tuple[str, ...]]:
    if typing.get_origin(annotation) is Literal:
        choices = typing.get_args(annotation)
        if all(isinstance(choice, str) for choice in choices):
            return "string", tuple(choices)
    if annotation in _KINDS:
        return _KINDS[annotation], ()
    raise Gemma4RosError(f"parameter {name!r} has type {annotation!r}, which ROS parameters "
                         "cannot hold here", "use bool, int, float, str or a Literal of strings")


def _bounds(metadata: list[Any]) -> tuple[Any, Any]:
    """(low, high) from pydantic's constraint metadata (annotated_types Ge/Gt/Le/Lt)."""
    def first(*names: str) -> Any:
        return next((getattr(item, name) for item in metadata for name in names
                     if hasattr(item, name)), None)

    return first("ge", "gt"), first("le", "lt")


def parameter_specs(model: type[BaseModel]) -> list[ParameterSpec]:
    """One spec per field of ``model``, in field order."""
    specs = []
    for name, field in model.model_fields.items():
        kind, choices = _kind(name, field.annotation)
        low, high = _bounds(list(field.metadata))
        description = field.description or ""
        if choices:
            description = f"{description} (one of: {', '.join(repr(c) for c in choices)})"
        specs.append(ParameterSpec(name, kind, field.get_default(call_default_factory=True),
                                   description, low, high, choices))
    return specs


def apply_changes(current: M, changes: dict[str, Any]) -> M:
    """``current`` with ``changes`` applied, validated whole; raises Gemma4RosError naming the
    parameter and the rule it breaks, so the node can refuse the change with that reason."""
    data = {**current.model_dump(), **changes}
    try:
        return type(current).model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        raise Gemma4RosError(f"parameter {name!r} = {changes.get(name)!r}: {first['msg']}",
                             "see the parameter's description (ros2 param describe)") from None
