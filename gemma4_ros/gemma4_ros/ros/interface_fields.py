"""Generated ROS interface classes by name, and messages to and from plain nested dicts.

``rosidl_runtime_py`` does this in a ROS install, but it is not among the ROS 2 wheels on PyPI,
and the nodes must run there too. The package needs three small pieces of it, written here
against what every rosidl-generated Python class carries (``get_fields_and_field_types()``,
property setters that check type and range):

- :func:`interface_class`: ``"nav2_msgs/action/NavigateToPose"`` → the generated class;
- :func:`message_to_fields`: a message → nested dicts and lists of plain values;
- :func:`fill_message`: nested dicts → fields set on a message, every problem a
  :class:`FieldsError` naming the field path. The generated setters check nothing unless
  ``ROS_PYTHON_CHECK_FIELDS`` is set (Jazzy's default), and a wrong value would otherwise
  surface only when the message is published, far from the tools.yaml line that caused it, so
  primitive values are checked here against the field's declared type.
"""

from __future__ import annotations

import array
import importlib
import re
from collections.abc import Mapping
from typing import Any

_KINDS = ("msg", "srv", "action")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# The element type of a message sequence as get_fields_and_field_types() spells it:
# "sequence<geometry_msgs/PoseStamped>", "sequence<pkg/Name, 5>" or "pkg/Name[3]".
_INTEGERS = {
    "byte": (0, 255), "octet": (0, 255), "uint8": (0, 255), "int8": (-128, 127),
    "uint16": (0, 2**16 - 1), "int16": (-(2**15), 2**15 - 1),
    "uint32": (0, 2**32 - 1), "int32": (-(2**31), 2**31 - 1),
    "uint64": (0, 2**64 - 1), "int64": (-(2**63), 2**63 - 1),
}
_FLOATS = {"float", "double", "long double"}
# Primitive sequences and arrays: "sequence<double>", "sequence<int32, 5>", "double[36]".
_PRIMITIVE_SEQUENCE = re.compile(
    r"^(?:sequence<(?P<seq>[a-z0-9 ]+(?:<=\d+)?)(?:, *(?P<bound>\d+))?>"
    r"|(?P<arr>[a-z0-9 ]+(?:<=\d+)?)\[(?P<size>\d+)\])$")
_MESSAGE_SEQUENCE = re.compile(
    r"^(?:sequence<(?P<seq>[A-Za-z0-9_]+/[A-Za-z0-9_]+)(?:, *\d+)?>"
    r"|(?P<arr>[A-Za-z0-9_]+/[A-Za-z0-9_]+)\[\d+\])$")


class FieldsError(ValueError):
    """A field path a message does not have, or a value its setter refuses."""


def interface_class(type_name: str) -> Any:
    """The generated class of ``pkg/msg/Name``, ``pkg/srv/Name`` or ``pkg/action/Name``.

    Raises :class:`ValueError` naming the problem: a malformed name, a package that is not
    built (not importable), or a package without that interface.
    """
    parts = type_name.split("/")
    if len(parts) != 3 or parts[1] not in _KINDS or not all(map(_NAME.fullmatch, parts[::2])):
        raise ValueError(f"{type_name!r} is not an interface name like 'std_msgs/msg/String'")
    package, kind, name = parts
    try:
        module = importlib.import_module(f"{package}.{kind}")
    except ImportError as error:
        raise ValueError(f"interface package {package!r} is not available ({error}); build "
                         "and source the workspace that provides it") from None
    found = getattr(module, name, None)
    if not isinstance(found, type):
        raise ValueError(f"{package} has no {kind} named {name!r}")
    return found


def is_message(value: Any) -> bool:
    return hasattr(type(value), "get_fields_and_field_types")


def message_to_fields(message: Any) -> dict[str, Any]:
    """A message as nested dicts; sequences and arrays become lists, in field order."""
    return {name: _plain(getattr(message, name))
            for name in message.get_fields_and_field_types()}


def _plain(value: Any) -> Any:
    if is_message(value):
        return message_to_fields(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, array.array):
        return value.tolist()
    tolist = getattr(value, "tolist", None)  # numpy arrays (fixed-size numeric fields)
    return tolist() if callable(tolist) else value


def fill_message(message: Any, fields: Mapping[str, Any], path: str = "") -> Any:
    """Set ``fields`` on ``message`` (in place) and return it.

    Nested messages take dicts, sequences of messages take lists of dicts; an int is accepted
    for a float field. Anything else must be what the generated setter accepts.
    """
    if not isinstance(fields, Mapping):
        raise FieldsError(f"{path or 'message'}: expected a mapping of field names, got "
                          f"{type(fields).__name__}")
    declared: dict[str, str] = message.get_fields_and_field_types()
    for name, value in fields.items():
        where = f"{path}.{name}" if path else str(name)
        if name not in declared:
            raise FieldsError(f"{type(message).__name__} has no field {where!r} "
                              f"(fields: {', '.join(declared)})")
        current = getattr(message, name)
        if is_message(current):
            fill_message(current, value, where)
            continue
        element = _sequence_element(declared[name])
        if element is not None:
            if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
                raise FieldsError(f"{where}: expected a list of {declared[name]} items")
            value = [fill_message(element(), item, f"{where}[{i}]")
                     for i, item in enumerate(value)]
        else:
            value = _checked(declared[name], value, where)
        setattr(message, name, value)
    return message


def _sequence_element(field_type: str) -> Any:
    match = _MESSAGE_SEQUENCE.match(field_type)
    if match is None:
        return None
    package, _, name = (match.group("seq") or match.group("arr")).partition("/")
    return interface_class(f"{package}/msg/{name}")


def _checked(field_type: str, value: Any, where: str) -> Any:
    """``value`` as the field holds it (an int widened to float); FieldsError if it does not fit."""
    match = _PRIMITIVE_SEQUENCE.match(field_type)
    if match is None:
        return _primitive(field_type, value, where)
    if isinstance(value, (str, Mapping)) or not hasattr(value, "__iter__"):
        raise FieldsError(f"{where}: expected a list for {field_type}, got {value!r}")
    items = list(value)
    bound, size = match.group("bound"), match.group("size")
    if (bound and len(items) > int(bound)) or (size and len(items) != int(size)):
        raise FieldsError(f"{where}: {len(items)} items do not fit {field_type}")
    element = match.group("seq") or match.group("arr")
    return [_primitive(element, item, f"{where}[{i}]") for i, item in enumerate(items)]


def _primitive(field_type: str, value: Any, where: str) -> Any:
    base, _, limit = field_type.partition("<=")
    if base in ("string", "wstring"):
        if not isinstance(value, str) or (limit and len(value) > int(limit)):
            raise FieldsError(f"{where}: {value!r} is not a {field_type}")
        return value
    if base == "boolean":
        if not isinstance(value, bool):
            raise FieldsError(f"{where}: {value!r} is not a boolean")
        return value
    if base in ("byte", "octet") and isinstance(value, bytes) and len(value) == 1:
        return value  # rosidl's Python type for a byte
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldsError(f"{where}: {value!r} is not a number ({field_type})")
    if base in _FLOATS:
        return float(value)
    if base not in _INTEGERS:
        raise FieldsError(f"{where}: unsupported field type {field_type}")
    low, high = _INTEGERS[base]
    if isinstance(value, float) and not value.is_integer():
        raise FieldsError(f"{where}: {value!r} is not an integer ({field_type})")
    if not low <= value <= high:
        raise FieldsError(f"{where}: {value!r} is outside {field_type} [{low}, {high}]")
    if base in ("byte", "octet"):
        return bytes([int(value)])
    return int(value)
