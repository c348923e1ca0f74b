"""safety.yaml errors name the file and the key, whether found while loading or while the gate
cross-checks the config against the tool registry."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gemma4_ros.errors import ConfigError
from gemma4_ros.paths import default_config
from gemma4_ros.safety import EStopLatch, SafetyConfig, SafetyGate
from gemma4_ros.tools import ToolRegistry


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(default_config("safety.yaml").read_text())


def test_default_loads() -> None:
    config = SafetyConfig.load()
    assert config.initial_mode == "normal" and "maintenance" in config.modes
    assert config.confirmation.timeout_s == 30.0
    assert config.bounds["move"]["speed"].max == 0.5
    gate = SafetyGate(ToolRegistry.load(), config, EStopLatch())
    assert gate.mode == "normal" and gate.confirmation_timeout_s == 30.0


def _set(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    node = data
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


LOAD_ERRORS = [
    # (dotted key to set, value, key in the error, text in the error)
    ("geofense", {}, "geofense", "Extra inputs"),
    ("plan.max_stepz", 3, "plan.max_stepz", "Extra inputs"),
    ("plan.max_steps", 0, "plan.max_steps", "greater than or equal to 1"),
    ("initial_mode", "party", "initial_mode", "'party' is not one of the modes"),
    ("modes.normal.confirm_at", "SOMETIMES", "modes.normal.confirm_at", "LOW"),
    ("bounds.move.distance.max", -5, "bounds.move.distance", "greater than max"),
    ("bounds.move.speed.kind", "velocity", "bounds.move.speed.kind", "speed"),
    ("bounds.wait.seconds", {"kind": "duration"}, "bounds.wait.seconds", "at least one of min or max"),
    ("geofence.keep_in", [[0, 0], [1, 1]], "geofence.keep_in", "at least 3"),
    ("geofence.keep_out.0.polygon.1", [1, ".nan"], "geofence.keep_out.0.polygon.1.1", "number"),
    ("rate_limits.global.max_calls", 0, "rate_limits.global.max_calls", "greater than or equal"),
    ("sequences.0.after", "dock", "sequences.0", "exactly one condition"),
    ("provenance.operator_sources", ["text", "telepathy"], "provenance.operator_sources.1", "text"),
    ("battery.min_for_motion", 1.5, "battery.min_for_motion", "less than or equal to 1"),
]


@pytest.mark.parametrize("dotted, value, key, text", LOAD_ERRORS)
def test_load_errors(tmp_path: Path, raw: dict[str, Any], dotted: str, value: Any, key: str,
                     text: str) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text(yaml.safe_dump(_set(raw, dotted, value)))
    with pytest.raises(ConfigError) as caught:
        SafetyConfig.load(path)
    assert str(path) in str(caught.value) and caught.value.key == key and text in str(caught.value)


GATE_ERRORS = [
    # names a tool or argument the registry does not have, or a frame it does not use
    ("modes.maintenance.tools", ["stop", "selfdestruct"], "modes.maintenance.tools.1", "selfdestruct"),
    ("bounds.mvoe", {"distance": {"kind": "distance", "max": 1}}, "bounds.mvoe", "unknown tool"),
    ("bounds.move.distanse", {"kind": "distance", "max": 1}, "bounds.move.distanse", "no numeric"),
    ("bounds.speak", {"text": {"kind": "distance", "max": 1}}, "bounds.speak.text", "no numeric"),
    ("rate_limits.tools.fly", {"max_calls": 1, "window_s": 1}, "rate_limits.tools.fly", "'fly'"),
    ("sequences.1.unless_between", ["sing"], "sequences.1.after/unless_between", "'sing'"),
    ("sequences.1.tools", ["hover"], "sequences.1.tools", "'hover'"),
    ("battery.exempt", ["charge"], "battery.exempt.0", "'charge'"),
    ("geofence.frame", "odom", "geofence.frame", "differs from the places' frame"),
    ("geofence.keep_in", [[0, 0], [0, 0], [1, 1]], "geofence.keep_in", "equal consecutive"),
]


@pytest.mark.parametrize("dotted, value, key, text", GATE_ERRORS)
def test_gate_cross_check_errors(tmp_path: Path, raw: dict[str, Any], dotted: str, value: Any,
                                 key: str, text: str) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text(yaml.safe_dump(_set(raw, dotted, value)))
    with pytest.raises(ConfigError) as caught:
        SafetyGate.from_files(safety=path)
    assert str(path) in str(caught.value) and caught.value.key == key and text in str(caught.value)
