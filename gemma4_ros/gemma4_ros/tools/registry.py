"""The tool registry: tools.yaml loaded, checked and compiled once.

Loading fails at start-up, naming file, tool and key, rather than at the first call on a robot.
A motion tool must declare its pose ``effect``: without one the gate could not tell where the
robot ends, and the tool would slip past the geofence.
Named places are declared once here and become the ``enum`` of every argument that names a place
(``effect: goto_place``), so the model can only pick a place the gate and the executor know.
A place's ``aliases`` are other words an operator uses for it ("charger" for ``dock``): the grounding
check accepts them as naming the place; the model still writes the one declared name.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from pydantic import Field, ValidationError, field_validator

from gemma4_ros.config import StrictModel, hint_for, read_yaml, validate_config
from gemma4_ros.errors import ConfigError, Gemma4RosError
from gemma4_ros.paths import default_config
from gemma4_ros.tools.grounding import with_grounding
from gemma4_ros.tools.schema import check_parameters, compile_validator, problems
from gemma4_ros.tools.spec import ToolSpec
from gemma4_ros.types import Pose2D, ToolCall

DEFAULT_FILE = "tools.yaml"
_WORDS = re.compile(r"^[a-z0-9]+( [a-z0-9]+)*$")


class UnknownToolError(Gemma4RosError):
    """A name that no tool in the registry has."""

    def __init__(self, name: str, declared: tuple[str, ...]) -> None:
        self.name = name
        self.declared = declared
        super().__init__(f"unknown tool {name!r}; declared tools: {', '.join(declared)}",
                         "use one of the declared tools or declare it in tools.yaml")


class PlaceSpec(StrictModel):
    """A named place: position in metres and heading in degrees, in the file's ``frame``."""

    x: float
    y: float
    yaw_deg: float = 0.0
    aliases: list[str] = Field(default_factory=list)

    @field_validator("x", "y", "yaw_deg")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("aliases")
    @classmethod
    def _words(cls, aliases: list[str]) -> list[str]:
        for alias in aliases:
            if not _WORDS.match(alias):
                raise ValueError(f"alias {alias!r} must be lower-case words separated by "
                                 "single spaces")
        return aliases


class ToolsFile(StrictModel):
    """The top level of tools.yaml; tools stay raw here and are checked one by one (better keys)."""

    frame: str = Field(default="map", min_length=1)
    places: dict[str, PlaceSpec] = Field(default_factory=dict)
    tools: list[dict[str, Any]] = Field(min_length=1)

    @field_validator("places")
    @classmethod
    def _place_names(cls, places: dict[str, PlaceSpec]) -> dict[str, PlaceSpec]:
        for name in places:
            if not name.isidentifier() or not name.islower():
                raise ValueError(f"place name {name!r} must be lower_snake_case")
        owner: dict[str, str] = {}
        for name, place in places.items():
            for words in (name.replace("_", " "), *place.aliases):
                if owner.setdefault(words, name) != name:
                    raise ValueError(f"{words!r} names both {owner[words]!r} and {name!r}; an "
                                     "alias must name one place")
        return places


class ToolRegistry:
    """Declared tools in file order, their compiled validators, and the named places."""

    def __init__(self, tools: list[ToolSpec], places: Mapping[str, Pose2D], frame: str,
                 source: str = "<memory>",
                 aliases: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.source = source
        self.frame = frame
        self.places: Mapping[str, Pose2D] = MappingProxyType(dict(places))
        self.aliases: Mapping[str, tuple[str, ...]] = MappingProxyType(
            {name: tuple((aliases or {}).get(name, ())) for name in places})
        self._tools = {tool.name: tool for tool in tools}
        self._validators = {tool.name: compile_validator(tool.parameters) for tool in tools}

    @classmethod
    def load(cls, path: str | Path | None = None) -> ToolRegistry:
        """Load ``path``, or the packaged config/tools.yaml when None."""
        resolved = Path(path) if path is not None else default_config(DEFAULT_FILE)
        return cls.from_dict(read_yaml(resolved), str(resolved))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<memory>") -> ToolRegistry:
        """Build from an already-parsed mapping (tests, generated configs)."""
        parsed = validate_config(data, ToolsFile, source)
        places = {
            name: Pose2D(x=p.x, y=p.y, yaw=math.radians(p.yaw_deg), frame_id=parsed.frame)
            for name, p in parsed.places.items()
        }
        tools: list[ToolSpec] = []
        for index, raw in enumerate(parsed.tools):
            tool = _tool_from(raw, index, places, source)
            if any(t.name == tool.name for t in tools):
                raise ConfigError(source, f"tools[{index}].name", f"tool {tool.name!r} declared twice",
                                  "give every tool a unique name")
            tools.append(tool)
        aliases = {name: tuple(p.aliases) for name, p in parsed.places.items()}
        return cls(tools, places, parsed.frame, source, aliases)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._tools)

    @property
    def tools(self) -> tuple[ToolSpec, ...]:
        return tuple(self._tools.values())

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def get(self, name: str) -> ToolSpec:
        """The spec of ``name``; raises UnknownToolError listing the declared tools."""
        try:
            return self._tools[name]
        except KeyError:
            raise UnknownToolError(name, self.names) from None

    def place_words(self, place: str) -> tuple[str, ...]:
        """The words that name ``place``: its name with spaces for underscores, then its aliases."""
        return (place.replace("_", " "), *self.aliases.get(place, ()))

    def find(self, name: str) -> ToolSpec | None:
        """The spec of ``name`` or None: the gate's no-exception lookup."""
        return self._tools.get(name)

    def validate(self, call: ToolCall) -> list[str]:
        """Problems with the call's arguments against its schema; empty means valid."""
        return self.problems(call.name, call.arguments)

    def problems(self, name: str, arguments: Any) -> list[str]:
        """Like :meth:`validate` for a bare name and arguments (unknown tools are a problem)."""
        validator = self._validators.get(name)
        if validator is None:
            return [str(UnknownToolError(name, self.names))]
        return problems(validator, arguments)


def _tool_from(raw: dict[str, Any], index: int, places: Mapping[str, Pose2D],
               source: str) -> ToolSpec:
    name = raw.get("name", "") if isinstance(raw, dict) else ""
    where = f"tools[{index}]" + (f" ({name})" if name else "")
    try:
        tool = ToolSpec.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        hint = hint_for(first, ToolSpec).replace("packaged default file", "packaged tools.yaml")
        raise ConfigError(source, f"{where}.{key}" if key else where, first["msg"], hint) from None
    check_parameters(tool.parameters, source, f"{where}.parameters")
    if tool.motion and tool.effect.kind == "none":
        raise ConfigError(source, f"{where}.effect",
                          f"{tool.name} moves the robot (motion: true) but declares no pose "
                          "effect, so the gate cannot check where it ends against the geofence",
                          "add `effect:` with kind goto_place, translate or rotate (see the "
                          "packaged tools.yaml), or set `motion: false` if it does not move")
    tool = _with_place_enum(tool, places, source, where)
    _check_verbatim(tool, source, where)
    return with_grounding(tool, source, where)


def _check_verbatim(tool: ToolSpec, source: str, where: str) -> None:
    """Each verbatim argument is a declared free-text string (an enum already fixes its words)."""
    properties = tool.parameters.get("properties", {})
    for name in tool.verbatim:
        prop = properties.get(name)
        if not isinstance(prop, dict) or prop.get("type") != "string" or "enum" in prop:
            raise ConfigError(source, f"{where}.verbatim",
                              f"{name!r} is not a free-text string argument of {tool.name}",
                              "list only arguments declared with `type: string` and no enum "
                              f"(declared: {', '.join(properties) or 'none'})")


def _with_place_enum(tool: ToolSpec, places: Mapping[str, Pose2D], source: str,
                     where: str) -> ToolSpec:
    """Fill the enum of the argument that names a place; check fixed places exist."""
    effect = tool.effect
    if effect.kind == "goto_place" and effect.place and effect.place not in places:
        raise ConfigError(source, f"{where}.effect.place", f"place {effect.place!r} is not declared",
                          f"declare it under places (declared: {', '.join(places) or 'none'})")
    if effect.kind not in ("goto_place", "translate", "rotate") or not effect.argument:
        return tool
    properties = tool.parameters.get("properties", {})
    if effect.argument not in properties:
        raise ConfigError(source, f"{where}.effect.argument",
                          f"argument {effect.argument!r} is not declared in parameters",
                          "name one of the tool's properties")
    if effect.kind != "goto_place":
        return tool
    if not places:
        raise ConfigError(source, "places", f"tool {tool.name!r} navigates to places but none are declared",
                          "declare named places under `places:`")
    prop = properties[effect.argument]
    if "enum" in prop:
        raise ConfigError(source, f"{where}.parameters.properties.{effect.argument}.enum",
                          "the place enum is filled from `places:`; do not write it by hand",
                          "remove the enum and declare places under `places:`")
    parameters = dict(tool.parameters)
    parameters["properties"] = {**properties, effect.argument: {**prop, "enum": list(places)}}
    return tool.model_copy(update={"parameters": parameters})
