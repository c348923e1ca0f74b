"""ROS parameters declared from a pydantic model and validated by it on every change.

:func:`gemma4_ros.nodes.parameters.parameter_specs` says what to declare (tested without ROS);
this module turns each spec into a ``ParameterDescriptor`` with its description and
``FloatingPointRange`` / ``IntegerRange``, declares them all in one loop, and installs an
``add_on_set_parameters_callback`` that applies a change to the model (refusing it with the
model's reason) and then lets the node act on it (e.g. switch the gate's mode).
"""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

from pydantic import BaseModel
from rcl_interfaces.msg import (
    FloatingPointRange, IntegerRange, ParameterDescriptor, ParameterType, SetParametersResult,
)
from rclpy.exceptions import InvalidParameterTypeException, InvalidParameterValueException
from rclpy.node import Node
from rclpy.parameter import Parameter

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.nodes.parameters import ParameterSpec, apply_changes, parameter_specs

M = TypeVar("M", bound=BaseModel)

_TYPES = {
    "bool": ParameterType.PARAMETER_BOOL,
    "integer": ParameterType.PARAMETER_INTEGER,
    "double": ParameterType.PARAMETER_DOUBLE,
    "string": ParameterType.PARAMETER_STRING,
}
_UNBOUNDED_INT = 2**63 - 1
_UNBOUNDED_FLOAT = float("inf")


def descriptor(spec: ParameterSpec) -> ParameterDescriptor:
    """The descriptor ``ros2 param describe`` shows: type, description and range."""
    result = ParameterDescriptor(name=spec.name, type=_TYPES[spec.kind],
                                 description=spec.description)
    if spec.low is None and spec.high is None:
        return result
    if spec.kind == "integer":
        low = int(spec.low) if spec.low is not None else -_UNBOUNDED_INT
        high = int(spec.high) if spec.high is not None else _UNBOUNDED_INT
        result.integer_range = [IntegerRange(from_value=low, to_value=high, step=1)]
    elif spec.kind == "double":
        low_f = float(spec.low) if spec.low is not None else -_UNBOUNDED_FLOAT
        high_f = float(spec.high) if spec.high is not None else _UNBOUNDED_FLOAT
        result.floating_point_range = [FloatingPointRange(from_value=low_f, to_value=high_f,
                                                          step=0.0)]
    return result


class ModelParameters(Generic[M]):
    """The node's parameters as one validated model; ``current`` is always valid."""

    def __init__(self, node: Node, model: type[M],
                 on_change: Callable[[M, set[str]], None] | None = None) -> None:
        """Declares every field of ``model`` (which must construct with defaults). A value given
        at launch that ROS or the model refuses does not raise here: the parameter keeps its
        default and :attr:`problem` says why, so the node can fail its configure transition
        with that reason instead of dying in its constructor."""
        self._node = node
        self._on_change = on_change
        self.problem = ""
        specs = parameter_specs(model)
        for spec in specs:
            try:
                node.declare_parameter(spec.name, spec.default, descriptor(spec))
            except (InvalidParameterTypeException, InvalidParameterValueException) as error:
                self.problem = self.problem or f"parameter {spec.name!r}: {error}"
                node.declare_parameter(spec.name, spec.default, descriptor(spec),
                                       ignore_override=True)
        values: dict[str, Any] = {spec.name: node.get_parameter(spec.name).value
                                  for spec in specs}
        self.current: M = model()
        try:
            self.current = apply_changes(self.current, values)
        except Gemma4RosError as error:
            self.problem = self.problem or str(error)
        self._names = frozenset(values)
        node.add_on_set_parameters_callback(self._validate)

    def _validate(self, parameters: list[Parameter]) -> SetParametersResult:
        changes = {p.name: p.value for p in parameters if p.name in self._names}
        if not changes:
            return SetParametersResult(successful=True)
        try:
            updated = apply_changes(self.current, changes)
            if self._on_change is not None:
                self._on_change(updated, set(changes))
        except Gemma4RosError as error:
            return SetParametersResult(successful=False, reason=str(error))
        self.current = updated
        return SetParametersResult(successful=True)
