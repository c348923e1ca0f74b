"""Every config error the README quotes is real: each quote is produced, word for word, by a
config file broken the way the quote says (a quote without a reproduction here fails)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gemma4_ros.errors import ConfigError
from gemma4_ros.paths import default_config
from gemma4_ros.safety import SafetyConfig, SafetyGate
from gemma4_ros.tools import ToolRegistry

README = Path(__file__).resolve().parents[3] / "README.md"
QUOTE = re.compile(r"`(config/\w+\.yaml: [^`]+?: [^`]+)`")


def _edited(name: str, edit: Callable[[Any], None]) -> str:
    data = yaml.safe_load(default_config(name).read_text(encoding="utf-8"))
    edit(data)
    return yaml.safe_dump(data, sort_keys=False)


def _move(data: dict[str, Any]) -> dict[str, Any]:
    return next(tool for tool in data["tools"] if tool["name"] == "move")


def _repeat_speed_max() -> str:
    text = default_config("safety.yaml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines(keepends=True)
                if line.startswith("      max: 0.5"))
    return text.replace(line, line + "      max: 5.0\n")


# quote -> (file it is about, that file's broken text, the loader that must refuse it)
REPRODUCTIONS: dict[str, tuple[str, Callable[[], str], Callable[[Path], Any]]] = {
    "config/safety.yaml: bounds.move.speed.max: Input should be greater than 0": (
        "safety.yaml", lambda: _edited("safety.yaml", lambda d: d["bounds"]["move"]["speed"].update(
            max=-0.5)), SafetyConfig.load),
    "config/safety.yaml: bounds.move.speed.max: key 'max' appears twice in one mapping": (
        "safety.yaml", _repeat_speed_max, SafetyConfig.load),
    "config/tools.yaml: tools[1] (move).motion: Input should be a valid boolean": (
        "tools.yaml", lambda: _edited("tools.yaml", lambda d: _move(d).update(motion="yes")),
        ToolRegistry.load),
    "config/safety.yaml: geofence.keep_in: Value error, the polygon has zero area": (
        "safety.yaml", lambda: _edited("safety.yaml", lambda d: d["geofence"].update(
            keep_in=[[0, 0], [10, 5], [20, 10]])), SafetyConfig.load),
    "config/safety.yaml: bounds.move.speed: move moves the robot but its argument 'speed' has no "
    "safety bound": (
        "safety.yaml", lambda: _edited("safety.yaml", lambda d: d["bounds"]["move"].pop("speed")),
        lambda path: SafetyGate.from_files(safety=path)),
    "config/tools.yaml: tools[1] (move).effect: move moves the robot (motion: true) but declares "
    "no pose effect": (
        "tools.yaml", lambda: _edited("tools.yaml", lambda d: _move(d).pop("effect")),
        ToolRegistry.load),
}


def _quotes() -> list[str]:
    return QUOTE.findall(" ".join(README.read_text(encoding="utf-8").split()))


def test_every_quoted_config_error_has_a_reproduction() -> None:
    quotes = _quotes()
    assert "config/safety.yaml: bounds.move.speed.max: Input should be greater than 0" in quotes
    assert sorted(set(quotes)) == sorted(REPRODUCTIONS)


@pytest.mark.parametrize("quote", sorted(REPRODUCTIONS))
def test_quoted_config_error_is_real(tmp_path: Path, quote: str) -> None:
    name, text, load = REPRODUCTIONS[quote]
    path = tmp_path / name
    path.write_text(text(), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert quote in str(caught.value).replace(str(path), f"config/{name}")
