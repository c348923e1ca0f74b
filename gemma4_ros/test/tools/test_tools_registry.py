"""The registry loads the packaged tools, fills place enums, validates calls and refuses bad files
with errors that name the file, the tool and the key."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import jsonschema
import pytest
import yaml

from gemma4_ros.errors import ConfigError
from gemma4_ros.paths import default_config
from gemma4_ros.tools import RiskLevel, ToolRegistry, UnknownToolError
from gemma4_ros.types import ToolCall

EXPECTED_TOOLS = ("navigate_to", "move", "rotate", "stop", "dock", "capture_image", "inspect",
                  "speak", "wait", "report")


@pytest.fixture(scope="module")
def registry() -> ToolRegistry:
    return ToolRegistry.load()


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(default_config("tools.yaml").read_text())


def test_default_tools_in_file_order(registry: ToolRegistry) -> None:
    assert registry.names == EXPECTED_TOOLS
    assert [t.name for t in registry.tools] == list(EXPECTED_TOOLS)


def test_place_enum_filled_from_places(registry: ToolRegistry) -> None:
    schema = registry.get("navigate_to").json_schema()
    assert schema["properties"]["place"]["enum"] == list(registry.places)
    assert "kitchen" in registry.places
    kitchen = registry.places["kitchen"]
    assert (kitchen.x, kitchen.y, kitchen.frame_id) == (8.0, 2.0, "map")
    assert kitchen.yaw == pytest.approx(math.pi / 2)


def test_json_schema_is_a_copy(registry: ToolRegistry) -> None:
    registry.get("move").json_schema()["properties"].clear()
    assert "distance" in registry.get("move").json_schema()["properties"]


def test_declaration_shape(registry: ToolRegistry) -> None:
    declaration = registry.get("speak").declaration()
    assert set(declaration) == {"name", "description", "parameters"}
    assert declaration["parameters"]["required"] == ["text"]


def test_specs_carry_risk_motion_and_effects(registry: ToolRegistry) -> None:
    move = registry.get("move")
    assert (move.risk, move.motion, move.idempotent) == (RiskLevel.MEDIUM, True, False)
    assert move.effect.kind == "translate" and move.effect.argument == "distance"
    assert registry.get("dock").effect.place == "dock"
    assert registry.get("speak").motion is False
    assert all(t.binding.kind == "sim" for t in registry.tools)


@pytest.mark.parametrize("name, arguments, fragment", [
    ("move", {"distance": 1.0}, None),
    ("move", {"distance": 1.0, "speed": 0.5}, None),
    ("move", {"distance": 6.0}, "distance: 6.0 is greater than the maximum"),
    ("move", {"distance": "far"}, "distance: \"far\" is not of type"),
    ("move", {}, '"distance" is a required property'),
    ("move", {"distance": 1, "turbo": True}, "'turbo' was unexpected"),
    ("navigate_to", {"place": "kitchen"}, None),
    ("navigate_to", {"place": "moon"}, "place:"),
    ("stop", {}, None),
    ("stop", {"now": 1}, "unexpected"),
    ("speak", {"text": ""}, "text:"),
    ("wait", {"seconds": -1}, "seconds:"),
])
def test_validate(registry: ToolRegistry, name: str, arguments: dict, fragment: str | None) -> None:
    found = registry.validate(ToolCall(name=name, arguments=arguments))
    if fragment is None:
        assert found == []
    else:
        assert found and any(fragment in problem for problem in found), found


def test_unknown_tool(registry: ToolRegistry) -> None:
    with pytest.raises(UnknownToolError) as caught:
        registry.get("self_destruct")
    assert "self_destruct" in str(caught.value) and "navigate_to" in str(caught.value)
    assert registry.find("self_destruct") is None
    assert "unknown tool" in registry.validate(ToolCall(name="self_destruct"))[0]


ARGUMENT_SAMPLES = [
    {}, {"distance": 0}, {"distance": 5}, {"distance": 5.0001}, {"distance": -5}, {"distance": True},
    {"distance": None}, {"distance": [1]}, {"distance": 1, "speed": 0}, {"distance": 1, "speed": 1},
    {"angle": 360}, {"angle": -361}, {"place": "lab"}, {"place": "LAB"}, {"place": 3},
    {"text": "x" * 500}, {"text": "x" * 501}, {"seconds": 600}, {"target": "pump", "question": "ok?"},
    {"target": "", "question": "?"}, {"extra": 1},
]


@pytest.mark.parametrize("arguments", ARGUMENT_SAMPLES)
def test_fast_validator_agrees_with_jsonschema(registry: ToolRegistry, arguments: dict) -> None:
    # The hot path uses jsonschema_rs; the reference implementation must agree on every tool.
    for tool in registry.tools:
        reference = jsonschema.Draft202012Validator(tool.parameters).is_valid(arguments)
        assert (registry.problems(tool.name, arguments) == []) == reference, (tool.name, arguments)


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "tools.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _tool(data: dict, name: str) -> dict:
    return next(t for t in data["tools"] if t["name"] == name)


def _set(data: dict, name: str, dotted: str, value: object) -> None:
    node = _tool(data, name)
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[part]
    node[last] = value


BAD_FILES = [
    # (tool, dotted key to set, value, key expected in the error, text expected in the error)
    ("move", "riks", "LOW", "tools[1] (move).riks", "Extra inputs"),
    ("move", "risk", "EXTREME", "tools[1] (move).risk", "LOW"),
    ("move", "timeout_s", 0, "tools[1] (move).timeout_s", "greater than 0"),
    ("move", "parameters.properties.distance.maximun", 3, "parameters.properties.distance.maximun",
     "unknown or unsupported schema keyword"),
    ("move", "parameters.properties.distance.minimum", "five",
     "parameters.properties.distance.minimum", "Draft 2020-12"),
    ("move", "parameters.properties.distance.type", "decimal",
     "parameters.properties.distance.type", "Draft 2020-12"),
    ("move", "parameters.additionalProperties", True, "parameters.additionalProperties", "must be false"),
    ("move", "parameters.type", "array", "parameters.type", "type object"),
    ("move", "parameters.required", ["distance", "heading"], "parameters.required", "'heading'"),
    ("move", "effect.argument", "meters", "effect.argument", "'meters' is not declared"),
    ("dock", "effect.place", "moon", "effect.place", "'moon' is not declared"),
    ("navigate_to", "parameters.properties.place.enum", ["kitchen"],
     "parameters.properties.place.enum", "filled from `places:`"),
    ("navigate_to", "binding", {"kind": "ros_action"}, "tools[0] (navigate_to).binding", "target"),
    ("navigate_to", "binding", {"kind": "ros_bridge"}, "binding.kind", "sim"),
    ("speak", "name", "Speak Now", "tools[7] (Speak Now).name", "pattern"),
    ("stop", "effect", {"kind": "translate"}, "tools[3] (stop).effect", "argument"),
    # fail closed: a quoted boolean is not guessed, a motion tool must say where it ends
    ("move", "motion", "yes", "tools[1] (move).motion", "valid boolean"),
    ("move", "idempotent", 0, "tools[1] (move).idempotent", "valid boolean"),
    ("move", "effect", {"kind": "none"}, "tools[1] (move).effect", "declares no pose effect"),
    ("speak", "motion", True, "tools[7] (speak).effect", "declares no pose effect"),
]


@pytest.mark.parametrize("tool, dotted, value, key, text", BAD_FILES)
def test_bad_tool_names_file_tool_and_key(tmp_path: Path, raw: dict, tool: str, dotted: str,
                                         value: object, key: str, text: str) -> None:
    data = copy.deepcopy(raw)
    _set(data, tool, dotted, value)
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as caught:
        ToolRegistry.load(path)
    message = str(caught.value)
    assert str(path) in message and key in caught.value.key and text in message, message


def test_duplicate_tool(tmp_path: Path, raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["tools"].append(copy.deepcopy(_tool(data, "stop")))
    with pytest.raises(ConfigError, match=r"tools\[10\]\.name: tool 'stop' declared twice"):
        ToolRegistry.load(_write(tmp_path, data))


@pytest.mark.parametrize("places, key, text", [
    ({"Kitchen": {"x": 1, "y": 2}}, "places", "lower_snake_case"),
    ({"kitchen": {"x": float("nan"), "y": 2}}, "places.kitchen.x", "finite"),
    ({"kitchen": {"x": 1, "y": 2, "z": 3}}, "places.kitchen.z", "Extra inputs"),
])
def test_bad_places(tmp_path: Path, raw: dict, places: dict, key: str, text: str) -> None:
    data = copy.deepcopy(raw)
    data["places"] = places
    _set(data, "dock", "effect", {"kind": "none"})
    with pytest.raises(ConfigError) as caught:
        ToolRegistry.load(_write(tmp_path, data))
    assert caught.value.key == key and text in str(caught.value)


def test_unknown_top_level_key(tmp_path: Path, raw: dict) -> None:
    data = {**copy.deepcopy(raw), "tool": []}
    with pytest.raises(ConfigError, match="tool: Extra inputs"):
        ToolRegistry.load(_write(tmp_path, data))


def test_motion_tool_without_effect_names_the_fix(tmp_path: Path, raw: dict) -> None:
    # Without an effect the gate cannot simulate where the robot ends: the tool would leave the
    # geofence unchecked as a plan's first step.
    data = copy.deepcopy(raw)
    del _tool(data, "rotate")["effect"]
    with pytest.raises(ConfigError) as caught:
        ToolRegistry.load(_write(tmp_path, data))
    assert caught.value.key == "tools[2] (rotate).effect"
    assert "goto_place, translate or rotate" in caught.value.hint
    assert "motion: false" in caught.value.hint


@pytest.mark.parametrize("tool, verbatim, problem", [
    ("move", ["distance"], "'distance' is not a free-text string argument of move"),
    ("speak", ["words"], "'words' is not a free-text string argument of speak"),
    ("navigate_to", ["place"], "'place' is not a free-text string argument"),  # an enum
])
def test_verbatim_names_free_text_arguments(tmp_path: Path, raw: dict, tool: str,
                                            verbatim: list[str], problem: str) -> None:
    data = copy.deepcopy(raw)
    _tool(data, tool)["verbatim"] = verbatim
    with pytest.raises(ConfigError, match=problem) as caught:
        ToolRegistry.load(_write(tmp_path, data))
    assert caught.value.key.endswith(f"({tool}).verbatim")
    assert "type: string" in caught.value.hint


def test_packaged_tools_copy_what_the_operator_says(registry: ToolRegistry) -> None:
    assert {t.name: t.verbatim for t in registry.tools if t.verbatim} == {
        "inspect": ("target",), "speak": ("text",), "report": ("text",)}


def test_packaged_nav2_tools_load() -> None:
    nav2 = ToolRegistry.load(default_config("tools_nav2.yaml"))
    assert all(t.effect.kind != "none" for t in nav2.tools if t.motion)
