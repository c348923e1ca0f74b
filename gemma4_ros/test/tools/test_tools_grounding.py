"""tools.yaml's grounding blocks and place aliases: what the gate looks for in the operator's
words, checked at load so a wrong unit or an alias naming two places is a start-up error."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gemma4_ros.errors import ConfigError
from gemma4_ros.paths import default_config
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.tools.grounding import BACKWARD, FORWARD, LEFT, RIGHT
from gemma4_ros.tools.units import UNITS, to_unit


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(default_config("tools.yaml").read_text())


def _tool(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in data["tools"] if t["name"] == name)


def _load(tmp_path: Path, data: dict[str, Any]) -> ToolRegistry:
    path = tmp_path / "tools.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return ToolRegistry.load(path)


def test_packaged_grounding() -> None:
    registry = ToolRegistry.load()
    distance = registry.get("move").grounding["distance"]
    assert (distance.unit, distance.positive, distance.negative) == ("m", FORWARD, BACKWARD)
    assert distance.unsigned == "positive"
    angle = registry.get("rotate").grounding["angle"]
    assert (angle.unit, angle.positive, angle.negative, angle.unsigned) == ("deg", LEFT, RIGHT,
                                                                            "either")
    assert registry.get("move").grounding["speed"].unit == "m/s"
    assert registry.get("wait").grounding["seconds"].unit == "s"
    assert registry.get("speak").grounding == {} and registry.get("navigate_to").grounding == {}


def test_grounding_stays_out_of_the_prompt() -> None:
    declaration = ToolRegistry.load().get("move").declaration()
    assert "grounding" not in declaration and "unit" not in str(declaration["parameters"])


def test_effects_are_grounded_without_a_block(tmp_path: Path, raw: dict[str, Any]) -> None:
    # A motion tool cannot escape the check by leaving its block out.
    data = copy.deepcopy(raw)
    for name in ("move", "rotate"):
        del _tool(data, name)["grounding"]
    _tool(data, "rotate")["effect"]["unit"] = "rad"
    registry = _load(tmp_path, data)
    assert registry.get("move").grounding["distance"].negative == BACKWARD
    assert "speed" not in registry.get("move").grounding
    angle = registry.get("rotate").grounding["angle"]
    assert (angle.unit, angle.unsigned) == ("rad", "either")


def test_declared_signs_win_and_unset_ones_come_from_the_effect(tmp_path: Path,
                                                                raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    _tool(data, "rotate")["grounding"] = {"angle": {"unit": "deg"}}
    _tool(data, "move")["grounding"]["distance"] = {"unit": "m", "positive": ["onwards"]}
    registry = _load(tmp_path, data)
    assert registry.get("rotate").grounding["angle"].negative == RIGHT
    assert registry.get("rotate").grounding["angle"].unsigned == "either"
    distance = registry.get("move").grounding["distance"]
    assert distance.positive == ("onwards",) and distance.negative == BACKWARD


BAD = [
    # (tool, grounding block, key expected in the error, text expected in the error)
    ("move", {"distance": {"unit": "meters"}}, "grounding.distance.unit", "unknown unit 'meters'"),
    ("move", {"distnce": {"unit": "m"}}, "grounding.distnce", "no argument 'distnce'"),
    ("move", {"distance": {"unit": "deg"}}, "grounding.distance.unit", "reads 'distance' in m"),
    ("rotate", {"angle": {"unit": "rad"}}, "grounding.angle.unit", "write `unit: deg`"),
    ("speak", {"text": {"unit": "s"}}, "grounding.text", "not a number"),
    ("navigate_to", {"place": {"unit": "m"}}, "grounding.place", "places are grounded by name"),
    ("move", {"distance": {"unit": "m", "positive": ["Forward"]}}, "grounding.distance.positive",
     "lower-case words"),
    ("move", {"distance": {"unit": "m", "positive": ["back"], "negative": ["back"]}},
     "grounding.distance", "cannot give both signs"),
    ("wait", {"seconds": {"unit": "s", "unsigned": "sometimes"}}, "grounding.seconds.unsigned",
     "positive"),
]


@pytest.mark.parametrize("tool, block, key, text", BAD)
def test_bad_grounding_names_file_tool_and_key(tmp_path: Path, raw: dict[str, Any], tool: str,
                                               block: dict[str, Any], key: str, text: str) -> None:
    data = copy.deepcopy(raw)
    _tool(data, tool)["grounding"] = block
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, data)
    assert f"({tool})." in caught.value.key and caught.value.key.endswith(key)
    assert text in str(caught.value) and "tools.yaml" in str(caught.value)


def test_aliases(raw: dict[str, Any]) -> None:
    registry = ToolRegistry.load()
    assert registry.place_words("dock")[:3] == ("dock", "charger", "charging station")
    assert registry.place_words("loading_bay")[0] == "loading bay"
    assert registry.aliases["lab"] == ("laboratory",)
    schema = registry.get("navigate_to").json_schema()["properties"]["place"]
    assert schema["enum"] == list(raw["places"])  # the model still writes the one declared name


@pytest.mark.parametrize("place, aliases, text", [
    ("lab", ["kitchen"], "'kitchen' names both 'kitchen' and 'lab'"),
    ("lab", ["charger"], "'charger' names both 'dock' and 'lab'"),
    ("lab", ["Test Lab"], "lower-case words"),
    ("lab", ["test  lab"], "single spaces"),
    ("loading_bay", ["hallway"], "names both"),
])
def test_bad_aliases(tmp_path: Path, raw: dict[str, Any], place: str, aliases: list[str],
                     text: str) -> None:
    data = copy.deepcopy(raw)
    data["places"][place]["aliases"] = aliases
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, data)
    assert caught.value.key.startswith("places") and text in str(caught.value)


@pytest.mark.parametrize("symbol, base, expected", [
    ("cm", 0.3, 30.0), ("ft", 0.3048, 1.0), ("rad", 180.0, 3.141592653589793), ("turn", 90.0, 0.25),
    ("min", 90.0, 1.5), ("km/h", 1.0, 3.6),
])
def test_unit_conversion(symbol: str, base: float, expected: float) -> None:
    assert symbol in UNITS and to_unit(base, symbol) == pytest.approx(expected)
