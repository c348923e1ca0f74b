"""Names follow ROS 2's rules, so a name that works standalone also works under ROS."""

from __future__ import annotations

import pytest

from gemma4_ros.bus import Bus, InvalidNameError, resolve_name


@pytest.mark.parametrize(
    ("name", "namespace", "node", "expected"),
    [
        ("/estop", "/", None, "/estop"),
        ("/estop", "/robot1", "executor", "/estop"),
        ("plan", "/", None, "/plan"),
        ("gemma4/plan", "/robot1", None, "/robot1/gemma4/plan"),
        ("~/status", "/robot1", "executor", "/robot1/executor/status"),
        ("~", "/", "executor", "/executor"),
        ("_private_ok/x1", "/", None, "/_private_ok/x1"),
    ],
)
def test_names_resolve_like_ros(name: str, namespace: str, node: str | None, expected: str) -> None:
    assert resolve_name(name, namespace, node) == expected


@pytest.mark.parametrize(
    "name", ["", "/", "a/", "a//b", "1abc", "a/2b", "a-b", "a b", "~x", "a/~", "{node}/x", "~/"]
)
def test_invalid_names_are_refused_with_the_rule(name: str) -> None:
    with pytest.raises(InvalidNameError) as error:
        resolve_name(name, "/", "node")
    assert repr(name) in str(error.value)
    assert "fix:" in str(error.value)


@pytest.mark.parametrize("namespace", ["", "robot1", "/robot1/", "/1robot", "//a"])
def test_invalid_namespaces_are_refused(namespace: str) -> None:
    with pytest.raises(InvalidNameError, match="namespace"):
        resolve_name("x", namespace)


def test_private_name_outside_a_node_names_the_fix() -> None:
    with pytest.raises(InvalidNameError, match="bus.node"):
        resolve_name("~/status", "/")


def test_invalid_node_name_is_refused(bus: Bus) -> None:
    with pytest.raises(InvalidNameError, match="node name"):
        bus.node("robot/executor")


def test_node_views_share_one_bus(bus: Bus) -> None:
    executor = bus.node("executor", "/robot1")
    seen: list[str] = []
    executor.subscribe("~/status", str, seen.append)
    bus.publisher("/robot1/executor/status", str).publish("idle")
    assert executor.resolve("~/status") == "/robot1/executor/status"
    assert bus.spin_until(lambda: seen == ["idle"], timeout=5.0)
