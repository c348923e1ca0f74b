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
from gemma4_ros.types import Decision, Plan, PlanSource, Pose2D, RobotState, ToolCall


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
    # fail closed: a limit that is not a limit, a shape that is not an area, a guessed boolean
    ("bounds.move.speed.max", -0.5, "bounds.move.speed.max", "Input should be greater than 0"),
    ("bounds.move.speed.max", 0, "bounds.move.speed.max", "Input should be greater than 0"),
    ("bounds.wait.seconds.max", 0.0, "bounds.wait.seconds.max", "Input should be greater than 0"),
    ("bounds.move.speed.min", -0.1, "bounds.move.speed.min", "greater than or equal to 0"),
    ("geofence.keep_in", [[0, 0], [5, 5], [20, 20]], "geofence.keep_in", "zero area"),
    ("geofence.keep_in", [[-1, -1], [20, 12], [20, -1], [-1, 12]], "geofence.keep_in",
     "crosses or touches itself"),
    ("geofence.keep_out.0.polygon", [[11, 8.5], [13.5, 12], [13.5, 8.5], [11, 12]],
     "geofence.keep_out.0.polygon", "crosses or touches itself"),
    ("geofence.keep_out.1.polygon", [[4.5, 3.5], [6.5, 3.5], [5.5, 3.5]],
     "geofence.keep_out.1.polygon", "zero area"),
    ("geofence", "nonee", "geofence", "write a mapping with keep_in, or `none`"),
    ("modes.normal.motion", "yes", "modes.normal.motion", "valid boolean"),
    ("sequences.0.while_holding", "true", "sequences.0.while_holding", "valid boolean"),
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
    # the two files disagree about where the robot may go
    ("geofence.keep_in", [[-1, -1], [12, -1], [12, 12], [-1, 12]], "places.lab",
     "outside the keep-in area"),
    ("geofence.keep_out", [{"name": "wet_floor", "polygon": [[7, 1], [9, 1], [9, 3], [7, 3]]}],
     "places.kitchen", "inside keep-out zone 'wet_floor'"),
    # a motion tool's numeric arguments cannot go unbounded
    ("bounds", {}, "bounds.move.distance", "has no safety bound"),
    ("bounds.move", {"distance": {"kind": "distance", "min": -3, "max": 3}}, "bounds.move.speed",
     "has no safety bound"),
    ("bounds.move.speed", {"kind": "speed", "min": 0.1}, "bounds.move.speed.max", "no max"),
    ("bounds.rotate.angle", {"kind": "angle", "max": 90}, "bounds.rotate.angle.min", "no min"),
]


@pytest.mark.parametrize("dotted, value, key, text", GATE_ERRORS)
def test_gate_cross_check_errors(tmp_path: Path, raw: dict[str, Any], dotted: str, value: Any,
                                 key: str, text: str) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text(yaml.safe_dump(_set(raw, dotted, value)))
    with pytest.raises(ConfigError) as caught:
        SafetyGate.from_files(safety=path)
    assert str(path) in str(caught.value) and caught.value.key == key and text in str(caught.value)


def _packaged_text() -> str:
    return default_config("safety.yaml").read_text(encoding="utf-8")


def _gate(path: Path) -> SafetyGate:
    return SafetyGate.from_files(safety=path, estop=EStopLatch(lambda: 0.0), clock=lambda: 0.0)


def _decisions(gate: SafetyGate, x: float, *calls: tuple[str, dict[str, Any]]) -> list[Any]:
    robot = RobotState(stamp=0.0, pose=Pose2D(x=x, y=0.5))
    # Plans written by hand are missions: the grounding rule reads no instruction for them.
    plan = Plan.from_calls([ToolCall(name=n, arguments=a) for n, a in calls], stamp=0.0,
                           source=PlanSource.MISSION)
    return gate.check_plan(plan, robot)


def _without_geofence(text: str, replacement: str) -> str:
    start = text.index("\ngeofence:") + 1
    end = text.index("\nrate_limits:")
    return text[:start] + replacement + text[end:]


@pytest.mark.parametrize("replacement", [
    "",  # key missing
    "geofence:\n",  # key left empty
    "# geofence:\n#   frame: map\n#   keep_in: [[-1, -1], [20, -1], [20, 12], [-1, 12]]\n",
])
def test_no_geofence_refuses_every_motion(tmp_path: Path, replacement: str) -> None:
    # Forgetting the fence must never mean "anywhere": seven 3 m moves once walked 21 m out.
    path = tmp_path / "safety.yaml"
    path.write_text(_without_geofence(_packaged_text(), replacement), encoding="utf-8")
    gate = _gate(path)
    verdicts = _decisions(gate, 0.5, *[("move", {"distance": 3})] * 7,
                          ("navigate_to", {"place": "lab"}), ("dock", {}),
                          ("speak", {"text": "hi"}))
    assert [v.decision for v in verdicts] == [Decision.REJECTED] * 9 + [Decision.APPROVED]
    assert all("geofence.unset" in v.rules for v in verdicts[:9])
    assert "geofence: none" in verdicts[0].reasons[verdicts[0].rules.index("geofence.unset")]


def test_geofence_none_runs_without_a_fence_on_purpose(tmp_path: Path) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text(_without_geofence(_packaged_text(), "geofence: none\n"), encoding="utf-8")
    assert SafetyConfig.load(path).geofence_off
    verdicts = _decisions(_gate(path), 1000.0, ("move", {"distance": 3}))
    assert verdicts[0].decision is Decision.APPROVED, verdicts[0].reasons


def test_packaged_fence_is_on() -> None:
    config = SafetyConfig.load()
    assert config.geofence is not None and not config.geofence_off


def test_duplicate_key_in_safety_yaml_names_it(tmp_path: Path) -> None:
    # The case: a second `max:` silently replaced the speed limit.
    text = _packaged_text()
    line = "      max: 0.5                 # m/s: never faster, whatever the model asks\n"
    assert text.count(line) == 1
    path = tmp_path / "safety.yaml"
    path.write_text(text.replace(line, line + "      max: 5.0\n"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        SafetyConfig.load(path)
    assert str(path) in str(caught.value) and caught.value.key == "bounds.move.speed.max"
    assert "appears twice" in str(caught.value)
