"""config/tools_nav2.yaml: the packaged tools with ROS bindings, checked without ROS.

Every goal, request or message a binding would send for a typical call is built with the field
map and walked against the real interface definitions (Nav2's from ros2-typecheck's copy, the
common ones from rosbags' Jazzy type store), the way ``set_message_fields`` would fill it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rosbags.typesys import Stores, get_typestore, get_types_from_msg

from gemma4_ros.nodes.field_map import FieldMap
from gemma4_ros.paths import default_config
from gemma4_ros.tools import ToolRegistry

INTERFACES = Path(__file__).resolve().parents[3].parent / "shared/ros2-typecheck/interfaces"
CALLS = {
    "navigate_to": {"place": "kitchen"}, "move": {"distance": 1.0}, "rotate": {"angle": -90},
    "stop": {}, "dock": {}, "capture_image": {}, "inspect": {"target": "valve", "question": "?"},
    "speak": {"text": "hello"}, "wait": {"seconds": 2.5}, "report": {"text": "done"},
}
NUMBERS = {"float32", "float64"}
INTEGERS = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}


@pytest.fixture(scope="module")
def nav2() -> ToolRegistry:
    return ToolRegistry.load(default_config("tools_nav2.yaml"))


def test_same_tools_as_the_packaged_file_but_ros_bindings(nav2: ToolRegistry) -> None:
    packaged = ToolRegistry.load()
    assert nav2.places == packaged.places and nav2.frame == packaged.frame
    assert nav2.aliases == packaged.aliases
    for mine, theirs in zip(nav2.tools, packaged.tools, strict=True):
        assert mine.model_dump(exclude={"binding"}) == theirs.model_dump(exclude={"binding"})
        assert mine.binding.kind.startswith("ros_")
    assert set(CALLS) == set(nav2.names)


def outgoing_type(store: Any, type_name: str) -> str:
    """Register the first section of an action/service file (goal/request); return its name."""
    package, kind, name = type_name.split("/")
    if kind == "msg":
        return type_name
    path = INTERFACES / package / kind / f"{name}.{kind}"
    section = re.split(r"^---\s*$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)[0]
    part = f"{type_name}_{'Goal' if kind == 'action' else 'Request'}"
    store.register(get_types_from_msg(section, part))
    return part


def check_fields(store: Any, type_name: str, values: dict[str, Any], where: str) -> None:
    if type_name not in store.fielddefs:  # an empty request (std_srvs/Trigger) registers nothing
        assert values == {}, f"{where}: {type_name} has no fields"
        return
    fields = dict(store.fielddefs[type_name][1])
    for name, value in values.items():
        assert name in fields, f"{where}.{name}: {type_name} has no such field"
        node_type, detail = fields[name]
        if isinstance(value, dict):
            assert node_type.name == "NAME", f"{where}.{name}: a dict for a {detail}"
            check_fields(store, detail, value, f"{where}.{name}")
            continue
        assert node_type.name == "BASE", f"{where}.{name}: {value!r} for {detail}"
        base = detail[0]
        if base in NUMBERS:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), where
        elif base in INTEGERS:
            assert isinstance(value, int) and not isinstance(value, bool), where
        else:
            assert isinstance(value, {"string": str, "bool": bool}[base]), f"{where}.{name}"


@pytest.mark.skipif(not INTERFACES.is_dir(), reason=f"ros2-typecheck interfaces not at "
                    f"{INTERFACES} (the shared/ folder beside the repository)")
@pytest.mark.parametrize("tool", sorted(CALLS))
def test_each_binding_sends_a_well_formed_message(nav2: ToolRegistry, tool: str) -> None:
    store = get_typestore(Stores.ROS2_JAZZY)
    spec = nav2.get(tool)
    assert not nav2.problems(tool, CALLS[tool])
    message = FieldMap.for_tool(spec, nav2.places, nav2.frame).apply("call-1", CALLS[tool])
    check_fields(store, outgoing_type(store, spec.binding.type), message, tool)
