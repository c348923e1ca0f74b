"""The declarative argument → message-field mapping of ROS bindings, on plain nested dicts."""

from __future__ import annotations

import math
from typing import Any

import pytest

from gemma4_ros.nodes.field_map import FieldMap, FieldMapError
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import Pose2D

PLACES = {"kitchen": Pose2D(x=8.0, y=2.0, yaw=math.pi / 2, frame_id="map"),
          "dock": Pose2D(x=0.5, y=0.5, yaw=0.0, frame_id="map")}
ARGUMENTS = ("place", "speed", "text", "angle", "options")


def mapping(fields: dict[str, str]) -> FieldMap:
    return FieldMap("tool", fields, ARGUMENTS, {"speed": 0.3}, PLACES, "map")


NAV2 = {
    "pose.header.frame_id": "{place.frame_id}",
    "pose.pose.position.x": "{place.x}",
    "pose.pose.position.y": "{place.y}",
    "pose.pose.orientation": "{place.orientation}",
    "behavior_tree": "",
}


def test_nav2_goal_from_a_place_argument() -> None:
    goal = mapping(NAV2).apply("call-1", {"place": "kitchen"})
    assert goal["pose"]["header"] == {"frame_id": "map"}
    assert goal["pose"]["pose"]["position"] == {"x": 8.0, "y": 2.0}
    q = goal["pose"]["pose"]["orientation"]
    assert q["x"] == q["y"] == 0.0
    assert q["z"] == pytest.approx(math.sqrt(0.5)) and q["w"] == pytest.approx(math.sqrt(0.5))
    assert goal["behavior_tree"] == ""


@pytest.mark.parametrize(("template", "arguments", "expected"), [
    ("{speed}", {}, 0.3),                                   # schema default, type kept
    ("{speed}", {"speed": 1}, 1),
    ("{speed|float}", {"speed": 1}, 1.0),
    ("{speed|int}", {"speed": 2.7}, 2),
    ("{angle|radians}", {"angle": 180}, math.pi),
    ("{angle|radians|quaternion}", {"angle": 0}, {"x": 0.0, "y": 0.0, "z": 0.0, "w": 1.0}),
    ("{place.yaw_deg}", {"place": "kitchen"}, 90.0),
    ("{place.position}", {"place": "dock"}, {"x": 0.5, "y": 0.5, "z": 0.0}),
    ("{places.dock.x}", {}, 0.5),
    ("{frame}", {}, "map"),
    ("{tool}/{call_id}", {}, "tool/call-1"),
    ("Going to {place} at {speed} m/s", {"place": "dock"}, "Going to dock at 0.3 m/s"),
    ("{{literal}} {text}", {"text": "x"}, "{literal} x"),
    ("constant", {}, "constant"),
    ("{options.level}", {"options": {"level": 3}}, 3),
    ("{options|json}", {"options": {"b": 1, "a": 2}}, '{"a": 2, "b": 1}'),
    ("{0.0}", {}, 0.0),                                     # constants keep their type
    ("{-2}", {}, -2),
    ("{true}", {}, True),
    ("{60|duration}", {}, {"sec": 60, "nanosec": 0}),
    ("{speed|duration}", {"speed": 2.25}, {"sec": 2, "nanosec": 250_000_000}),
])
def test_templates(template: str, arguments: dict[str, Any], expected: Any) -> None:
    assert mapping({"out": template}).apply("call-1", arguments) == {"out": expected}


def test_an_absent_argument_without_default_leaves_the_field_out() -> None:
    assert mapping({"data": "{text}", "other": "x"}).apply("c", {}) == {"other": "x"}


def test_no_mapping_passes_arguments_as_fields() -> None:
    assert mapping({}).apply("c", {"text": "hi"}) == {"speed": 0.3, "text": "hi"}


@pytest.mark.parametrize(("fields", "problem"), [
    ({"pose..x": "{place.x}"}, "not a message field path"),
    ({"x": "{nowhere}"}, "names no argument"),
    ({"x": "{places.attic.x}"}, "names no declared place"),
    ({"x": "{speed|cube}"}, "unknown filter 'cube'"),
    ({"x": "{speed"}, "unbalanced"),
    ({"x": "{1bad}"}, "is not a reference"),
    ({"x": "{1.5|cube}"}, "unknown filter 'cube'"),
    ({"pose": "{place.position}", "pose.x": "{speed}"}, "overlaps 'pose'"),
])
def test_mapping_errors_are_found_when_the_binding_is_built(fields: dict[str, str],
                                                            problem: str) -> None:
    with pytest.raises(FieldMapError, match=problem) as caught:
        mapping(fields)
    assert "tool 'tool'" in str(caught.value) and caught.value.hint


@pytest.mark.parametrize(("fields", "arguments", "problem"), [
    ({"x": "{place.x}"}, {"place": "attic"}, "'attic' is not a declared place"),
    ({"x": "{place.height}"}, {"place": "dock"}, "a place has no 'height'"),
    ({"x": "{speed|radians}"}, {"speed": "fast"}, "is not a number"),
    ({"x": "at {text}"}, {}, "argument 'text' was not given"),
])
def test_call_errors_name_the_field(fields: dict[str, str], arguments: dict[str, Any],
                                    problem: str) -> None:
    with pytest.raises(FieldMapError, match=problem) as caught:
        mapping(fields).apply("c", arguments)
    assert "binding field 'x'" in str(caught.value)


def test_for_tool_reads_schema_defaults_and_registry_places() -> None:
    registry = ToolRegistry.load()
    spec = registry.get("move").model_copy(update={"binding": registry.get("move").binding
                                                   .model_copy(update={"fields": {
                                                       "linear.x": "{speed}",
                                                       "linear.y": "{distance}"}})})
    fields = FieldMap.for_tool(spec, registry.places, registry.frame)
    assert fields.apply("c", {"distance": 1.5}) == {"linear": {"x": 0.3, "y": 1.5}}
    nav = FieldMap.for_tool(registry.get("navigate_to").model_copy(update={
        "binding": registry.get("navigate_to").binding.model_copy(update={"fields": NAV2})}),
        registry.places, registry.frame)
    assert nav.apply("c", {"place": "kitchen"})["pose"]["pose"]["position"] == {"x": 8.0,
                                                                                 "y": 2.0}
