"""Lifecycle through ``lifecycle_msgs`` services, as a supervisor or ``ros2 lifecycle set`` drives
it: with and without autostart, refused transitions that leave the node serving, and
configure/cleanup cycles that leave the ROS graph as they found it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ros_ready import require_ros

require_ros()

from rcl_interfaces.msg import Parameter, ParameterValue  # noqa: E402
from rcl_interfaces.msg import ParameterType as RosParameterType  # noqa: E402
from rcl_interfaces.srv import SetParameters  # noqa: E402
from rclpy.action import get_action_server_names_and_types_by_node  # noqa: E402
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy  # noqa: E402
from ros_harness import NS, Client, start_system, wait_until  # noqa: E402

from gemma4_ros.paths import default_config  # noqa: E402

PLANNER, EXECUTOR = f"{NS}/planner", f"{NS}/executor"


def set_string(client: Client, node: str, name: str, value: str) -> Any:
    parameter = Parameter(name=name, value=ParameterValue(
        type=RosParameterType.PARAMETER_STRING, string_value=value))
    request = SetParameters.Request(parameters=[parameter])
    return client.call(f"{node}/set_parameters", SetParameters, request).results[0]


def test_autostart_brings_both_nodes_to_active(launch: Callable[..., Any],
                                               client: Client) -> None:
    start_system(launch, client)
    assert client.state(PLANNER) == "active" and client.state(EXECUTOR) == "active"


def test_without_autostart_a_supervisor_drives_every_transition(launch: Callable[..., Any],
                                                                client: Client) -> None:
    launch(autostart="false")
    for node in (PLANNER, EXECUTOR):
        client.wait_state(node, "unconfigured")
    for node in (EXECUTOR, PLANNER):
        for transition, reached in (("configure", "inactive"), ("activate", "active"),
                                    ("deactivate", "inactive"), ("cleanup", "unconfigured")):
            assert client.transition(node, transition), f"{node} refused {transition}"
            assert client.state(node) == reached


def test_a_missing_model_refuses_configure_and_the_node_keeps_serving(
        launch: Callable[..., Any], client: Client, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    launched = launch(autostart="false", model_dir=str(missing))
    client.wait_state(PLANNER, "unconfigured")
    assert not client.transition(PLANNER, "configure")
    assert client.state(PLANNER) == "unconfigured"
    log = wait_until(lambda: "configure failed" in launched.log() and launched.log())
    failure = next(line for line in log.splitlines() if "configure failed" in line)
    assert "model_dir" in failure and str(missing) in failure and "hf download" in failure
    # Still serving: fix the parameter, configure again.
    assert set_string(client, PLANNER, "model_dir", "").successful
    assert client.transition(PLANNER, "configure")
    assert client.transition(PLANNER, "activate")


def test_a_broken_config_file_refuses_configure_naming_file_and_key(
        launch: Callable[..., Any], client: Client, tmp_path: Path) -> None:
    broken = tmp_path / "safety.yaml"
    broken.write_text(default_config("safety.yaml").read_text(encoding="utf-8").replace(
        "initial_mode: normal", "initial_mode: holiday"), encoding="utf-8")
    launched = launch(autostart="false", safety_file=str(broken))
    client.wait_state(EXECUTOR, "unconfigured")
    assert not client.transition(EXECUTOR, "configure")
    log = wait_until(lambda: "configure failed" in launched.log() and launched.log())
    failure = next(line for line in log.splitlines() if "configure failed" in line)
    assert str(broken) in failure and "initial_mode" in failure and "holiday" in failure
    assert client.state(EXECUTOR) == "unconfigured"
    assert set_string(client, EXECUTOR, "safety_file", "").successful
    assert client.transition(EXECUTOR, "configure")


def graph_of(client: Client, node: str) -> dict[str, frozenset[str]]:
    """The node's endpoints as the ROS graph shows them to any other node."""
    namespace, _, name = node.rpartition("/")
    own = client.node
    return {
        "publishers": frozenset(
            t for t, _ in own.get_publisher_names_and_types_by_node(name, namespace)),
        "subscriptions": frozenset(
            t for t, _ in own.get_subscriber_names_and_types_by_node(name, namespace)),
        "services": frozenset(
            t for t, _ in own.get_service_names_and_types_by_node(name, namespace)),
        "clients": frozenset(t for t, _ in own.get_client_names_and_types_by_node(name, namespace)),
        "action servers": frozenset(
            t for t, _ in get_action_server_names_and_types_by_node(own, name, namespace)),
    }


def settled_graph(client: Client, node: str) -> dict[str, frozenset[str]]:
    """The graph once discovery has caught up: two equal readings half a second apart."""
    readings: list[dict[str, frozenset[str]]] = []

    def stable() -> bool:
        try:
            readings.append(graph_of(client, node))
        except _rclpy.NodeNameNonExistentError:  # not discovered yet
            return False
        return len(readings) > 10 and readings[-1] == readings[-11]

    wait_until(stable, 30.0, f"{node}'s graph to settle")
    return readings[-1]


def test_configure_cleanup_cycles_leak_no_endpoints(launch: Callable[..., Any],
                                                    client: Client) -> None:
    launch(autostart="false")
    for node in (PLANNER, EXECUTOR):
        client.wait_state(node, "unconfigured")
        bare = settled_graph(client, node)
        assert client.transition(node, "configure")
        configured = settled_graph(client, node)
        for _ in range(5):
            assert client.transition(node, "cleanup")
            assert settled_graph(client, node) == bare, f"{node} kept endpoints after cleanup"
            assert client.transition(node, "configure")
            assert settled_graph(client, node) == configured
        assert client.transition(node, "activate")
        active = settled_graph(client, node)
        assert active != configured, "activation serves more"
        assert client.transition(node, "deactivate")
        assert settled_graph(client, node) == configured, f"{node} kept endpoints when inactive"
        assert client.transition(node, "activate")
        assert settled_graph(client, node) == active
