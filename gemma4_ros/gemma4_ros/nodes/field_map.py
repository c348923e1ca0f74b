"""A tool's arguments → the fields of a goal, request or message, declared in ``binding.fields``.

The mapping language (``tools.yaml``, under a tool's ``binding.fields``)::

    fields:                                   # message field path: value template
      pose.header.frame_id: "{place.frame_id}"
      pose.pose.position.x: "{place.x}"
      pose.pose.position.y: "{place.y}"
      pose.pose.orientation: "{place.orientation}"
      data: "Going to {place} at {speed|float} m/s"

- A *path* is dotted message field names (``pose.pose.position.x``); the value lands there in
  nested dicts, which the ROS layer writes into the message with ``set_message_fields``. Two
  paths may not overlap (``a`` and ``a.b``).
- A *template* that is exactly one ``{reference}`` keeps the value's type (a number stays a
  number, ``{place.orientation}`` is a whole quaternion); anything else is text, with each
  reference formatted in (``{{`` and ``}}`` are literal braces). A template without braces is a
  constant string.
- A *reference* is a root, then ``.key`` steps, then ``|filter``\\ s:
  - roots: a tool argument by name (an argument left out takes its schema ``default``; one with
    neither is left out of the message when it is the whole template, an error inside text),
    ``frame`` (the places' frame from tools.yaml), ``places`` (``{places.dock.x}``), ``tool``
    and ``call_id``;
  - on an argument that names a declared place, or on ``places.<name>``: ``x``, ``y``, ``yaw``
    (radians), ``yaw_deg``, ``frame_id``, ``position`` (``{x, y, z}``) and ``orientation``
    (``{x, y, z, w}``, rotation about z); on an object argument: its keys;
  - a number or ``true``/``false`` is a constant of that type (``{0.0}``, ``{60|duration}``),
    since a YAML string would stay a string;
  - filters: ``float``, ``int``, ``bool``, ``str``, ``json``, ``radians``, ``degrees``,
    ``quaternion`` (a yaw in radians → ``{x, y, z, w}``) and ``duration`` (seconds →
    ``builtin_interfaces/Duration`` ``{sec, nanosec}``).
- No mapping at all passes the arguments as top-level fields of the same names.

Everything that can be checked without a call (paths, roots, argument names, fixed places,
filters) is checked when the binding is built, so a typo fails at start-up, naming the tool and
the field; what depends on a call's values fails that call with the same kind of error.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Callable, Union

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.types import Pose2D

Fields = dict[str, Any]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = re.compile(rf"{_NAME}(\.{_NAME})*")
_LITERAL = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?|true|false"
_REFERENCE = re.compile(
    rf"((?P<literal>{_LITERAL})|(?P<path>{_NAME}(\.[A-Za-z0-9_]+)*))(?P<filters>(\|{_NAME})*)")
_TOKENS = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_SPECIAL_ROOTS = ("frame", "places", "tool", "call_id")


class FieldMapError(Gemma4RosError):
    """A mapping that cannot be built, or a call whose values it cannot map."""


def _quaternion(yaw: float) -> Fields:
    return {"x": 0.0, "y": 0.0, "z": math.sin(yaw / 2.0), "w": math.cos(yaw / 2.0)}


def _place_attribute(place: Pose2D, key: str) -> Any:
    attributes: dict[str, Callable[[Pose2D], Any]] = {
        "x": lambda p: p.x, "y": lambda p: p.y, "yaw": lambda p: p.yaw,
        "yaw_deg": lambda p: math.degrees(p.yaw), "frame_id": lambda p: p.frame_id,
        "position": lambda p: {"x": p.x, "y": p.y, "z": 0.0},
        "orientation": lambda p: _quaternion(p.yaw),
    }
    if key not in attributes:
        raise KeyError(f"a place has no {key!r}; use one of {', '.join(attributes)}")
    return attributes[key](place)


def _duration(seconds: float) -> Fields:
    whole = math.floor(seconds)
    nanosec = min(round((seconds - whole) * 1e9), 999_999_999)
    return {"sec": int(whole), "nanosec": int(nanosec)}


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{value!r} is not a number")
    return float(value)


FILTERS: dict[str, Callable[[Any], Any]] = {
    "float": _number,
    "int": lambda v: int(_number(v)),
    "bool": bool,
    "str": str,
    "json": lambda v: json.dumps(v, sort_keys=True),
    "radians": lambda v: math.radians(_number(v)),
    "degrees": lambda v: math.degrees(_number(v)),
    "quaternion": lambda v: _quaternion(_number(v)),
    "duration": lambda v: _duration(_number(v)),
}

_MISSING = object()


@dataclass(frozen=True)
class Reference:
    root: str
    keys: tuple[str, ...]
    filters: tuple[str, ...]
    text: str
    constant: Any = None  # the value of a literal (root "")


Part = Union[str, Reference]


@dataclass(frozen=True)
class Template:
    parts: tuple[Part, ...]

    @property
    def single(self) -> Reference | None:
        """The reference when the template is exactly one (its value keeps its type)."""
        only = self.parts[0] if len(self.parts) == 1 else None
        return only if isinstance(only, Reference) else None


@dataclass(frozen=True)
class CallContext:
    """What a template may read for one call."""

    tool: str
    call_id: str
    arguments: Mapping[str, Any]
    places: Mapping[str, Pose2D]
    frame: str


class FieldMap:
    """A compiled ``binding.fields`` mapping of one tool; see the module docstring."""

    def __init__(self, tool: str, fields: Mapping[str, str], arguments: Iterable[str],
                 defaults: Mapping[str, Any], places: Mapping[str, Pose2D], frame: str) -> None:
        """``arguments``: the tool's declared argument names; ``defaults``: their schema
        defaults, for those that have one."""
        self.tool = tool
        self._defaults = dict(defaults)
        self._argument_names = frozenset(arguments)
        self._places = places
        self._frame = frame
        self._entries = [(self._path(path), self._compile(path, text))
                         for path, text in fields.items()]
        self._check_overlaps()

    @classmethod
    def for_tool(cls, spec: Any, places: Mapping[str, Pose2D], frame: str) -> FieldMap:
        """Build from a :class:`~gemma4_ros.tools.ToolSpec` (its binding fields and schema)."""
        properties = spec.parameters.get("properties", {})
        defaults = {name: prop["default"] for name, prop in properties.items()
                    if isinstance(prop, dict) and "default" in prop}
        return cls(spec.name, dict(spec.binding.fields), properties, defaults, places, frame)

    @property
    def paths(self) -> list[tuple[str, ...]]:
        """Every message field this mapping writes (the arguments' names when unmapped)."""
        if self._entries:
            return [path for path, _ in self._entries]
        return [(name,) for name in sorted(self._argument_names)]

    def apply(self, call_id: str, arguments: Mapping[str, Any]) -> Fields:
        """The message fields for one call's ``arguments``; raises :class:`FieldMapError`."""
        given = {**self._defaults, **arguments}
        if not self._entries:
            return dict(given)
        context = CallContext(self.tool, call_id, given, self._places, self._frame)
        fields: Fields = {}
        for path, template in self._entries:
            value = self._render(path, template, context)
            if value is not _MISSING:
                _set_path(fields, path, value)
        return fields

    # --- compile time ------------------------------------------------------------------------

    def _error(self, field: str, problem: str, hint: str) -> FieldMapError:
        return FieldMapError(f"tool {self.tool!r}, binding field {field!r}: {problem}", hint)

    def _path(self, path: str) -> tuple[str, ...]:
        if not _PATH.fullmatch(path):
            raise self._error(path, "not a message field path",
                              "write dotted field names, e.g. pose.pose.position.x")
        return tuple(path.split("."))

    def _compile(self, path: str, text: str) -> Template:
        if not isinstance(text, str):
            raise self._error(path, f"template {text!r} is not a string",
                              'quote it, e.g. "{speed}"; numbers come from references')
        return Template(tuple(self._split(path, text)))

    def _split(self, path: str, text: str) -> list[Part]:
        parts: list[Part] = []
        position = 0
        for match in _TOKENS.finditer(text):
            if match.start() > position:
                parts.append(text[position:match.start()])
            token = match.group(0)
            if token in ("{{", "}}"):
                parts.append(token[0])
            elif token in ("{", "}"):
                raise self._error(path, f"unbalanced {token!r} in {text!r}",
                                  "write {{ or }} for a literal brace")
            else:
                parts.append(self._reference(path, match.group(1).strip()))
            position = match.end()
        if position < len(text):
            parts.append(text[position:])
        return _merge_text(parts)

    def _reference(self, path: str, text: str) -> Reference:
        match = _REFERENCE.fullmatch(text)
        if not match:
            raise self._error(path, f"{{{text}}} is not a reference",
                              "write {argument}, {argument.key} or {argument|filter}")
        filters = tuple(f for f in match.group("filters").split("|") if f)
        literal = match.group("literal")
        if literal is not None:
            return self._filtered(path, Reference("", (), filters, text, json.loads(literal)))
        root, *keys = match.group("path").split(".")
        if root not in self._argument_names and root not in _SPECIAL_ROOTS:
            declared = ", ".join(sorted(self._argument_names)) or "none"
            raise self._error(path, f"{{{text}}} names no argument of the tool",
                              f"arguments: {declared}; other roots: {', '.join(_SPECIAL_ROOTS)}")
        if root == "places" and (not keys or keys[0] not in self._places):
            raise self._error(path, f"{{{text}}} names no declared place",
                              f"declared places: {', '.join(self._places) or 'none'}")
        return self._filtered(path, Reference(root, tuple(keys), filters, text))

    def _filtered(self, path: str, ref: Reference) -> Reference:
        unknown = [f for f in ref.filters if f not in FILTERS]
        if unknown:
            raise self._error(path, f"unknown filter {unknown[0]!r} in {{{ref.text}}}",
                              f"filters are: {', '.join(FILTERS)}")
        return ref

    def _check_overlaps(self) -> None:
        paths = sorted(path for path, _ in self._entries)
        for first, second in zip(paths, paths[1:]):
            if second[:len(first)] == first:
                raise self._error(".".join(second), f"overlaps {'.'.join(first)!r}",
                                  "set a whole message or its fields, not both")

    # --- call time ---------------------------------------------------------------------------

    def _render(self, path: tuple[str, ...], template: Template, context: CallContext) -> Any:
        single = template.single
        if single is not None:
            return self._resolve(path, single, context, required=False)
        pieces = []
        for part in template.parts:
            if isinstance(part, str):
                pieces.append(part)
            else:
                value = self._resolve(path, part, context, required=True)
                pieces.append(value if isinstance(value, str) else json.dumps(value))
        return "".join(pieces)

    def _resolve(self, path: tuple[str, ...], ref: Reference, context: CallContext,
                 required: bool) -> Any:
        field = ".".join(path)
        value = self._root(ref, context)
        if value is _MISSING:
            if required:
                raise self._error(field, f"argument {ref.root!r} was not given and has no default",
                                  "make it required in the schema or give it a default")
            return _MISSING
        try:
            for key in ref.keys:
                value = self._step(value, key, context)
            for name in ref.filters:
                value = FILTERS[name](value)
        except (KeyError, TypeError, ValueError) as error:
            detail = error.args[0] if error.args else repr(error)
            raise self._error(field, f"{{{ref.text}}}: {detail}",
                              "check the template against the tool's arguments") from None
        return value

    @staticmethod
    def _root(ref: Reference, context: CallContext) -> Any:
        root = ref.root
        if root == "":
            return ref.constant
        if root == "frame":
            return context.frame
        if root == "tool":
            return context.tool
        if root == "call_id":
            return context.call_id
        if root == "places":
            return dict(context.places)
        return context.arguments.get(root, _MISSING)

    @staticmethod
    def _step(value: Any, key: str, context: CallContext) -> Any:
        if isinstance(value, Pose2D):
            return _place_attribute(value, key)
        if isinstance(value, str):
            if value not in context.places:
                raise KeyError(f"{value!r} is not a declared place, so it has no {key!r}")
            return _place_attribute(context.places[value], key)
        if isinstance(value, dict):
            if key not in value:
                raise KeyError(f"no key {key!r} in {sorted(value)}")
            return value[key]
        raise TypeError(f"{value!r} has no {key!r}")


def _merge_text(parts: list[Part]) -> list[Part]:
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    return merged or [""]


def _set_path(fields: Fields, path: tuple[str, ...], value: Any) -> None:
    node = fields
    for name in path[:-1]:
        node = node.setdefault(name, {})
    node[path[-1]] = value
