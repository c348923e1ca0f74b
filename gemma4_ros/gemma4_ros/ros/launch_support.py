"""Launch building blocks shared by ``launch/*.launch.py``: our lifecycle nodes, brought up by
themselves.

A managed node waits unconfigured until someone drives it; for ``ros2 launch`` to give a working
system, the launch files pass ``autostart`` to each node, which then configures and activates
itself as it starts (:meth:`gemma4_ros.ros.lifecycle.LogicLifecycleNode.autostart`) — not
through launch events, whose service response or transition event can be lost while DDS
discovery is still under way on a busy machine. A node whose configure fails (a missing model
file, a bad tools.yaml) stays unconfigured with the reason in its log instead of half-starting.
Set the launch argument ``autostart:=false`` to drive the transitions yourself
(``ros2 lifecycle set /gemma4/executor configure``), e.g. from a supervisor.

Each launch file first calls :func:`require_built_package`: launch_ros finds the node executables
through the ament index, which ``pip install -e`` alone never fills, and would otherwise only say
"package not found" once the nodes start.
"""

from __future__ import annotations

from pathlib import Path

from ament_index_python.packages import PackageNotFoundError, get_package_prefix
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.paths import PACKAGE

EXECUTABLES = ("planner_node", "executor_node")
BUILD_HINT = ("build the workspace and source it: `colcon build` then `source install/setup.bash`, "
              "or without a ROS install scripts/ros2_from_pypi.sh WORKSPACE then "
              "`. WORKSPACE/setup.sh`")


def require_built_package() -> Path:
    """The package's install prefix; raises when the nodes cannot be found the way launch_ros
    looks for them (``pip install -e`` alone registers nothing in the ament index)."""
    try:
        prefix = Path(get_package_prefix(PACKAGE))
    except PackageNotFoundError:
        raise Gemma4RosError(f"{PACKAGE} is not in the ament index (AMENT_PREFIX_PATH), so "
                             "launch cannot find its nodes", BUILD_HINT) from None
    missing = [name for name in EXECUTABLES if not (prefix / "lib" / PACKAGE / name).exists()]
    if missing:
        raise Gemma4RosError(f"{prefix / 'lib' / PACKAGE} lacks {', '.join(missing)}", BUILD_HINT)
    return prefix


COMMON_ARGUMENTS = [
    DeclareLaunchArgument("namespace", default_value="gemma4",
                          description="namespace of every gemma4_ros node"),
    DeclareLaunchArgument("use_sim_time", default_value="false",
                          description="use the /clock topic (simulation) instead of wall time"),
    DeclareLaunchArgument("autostart", default_value="true",
                          description="configure and activate the lifecycle nodes at launch"),
    DeclareLaunchArgument("tools_file", default_value="",
                          description="tools.yaml (tools, places, bindings); empty: packaged"),
    DeclareLaunchArgument("estop_topic", default_value="estop",
                          description="std_msgs/Bool e-stop topic (True latches the executor and "
                          "voids the planner's queued requests)"),
]

# What Ask may answer from besides the manuals (planner parameters of the same names; all 0:
# the demo model was not taught to read them).
ASK_SOURCES = {
    "ask_events": "Ask answers from the latest N events that stopped or held a plan, citing "
                  "their rule ids (0-20; 0: not)",
    "ask_logs": "Ask answers from the latest N warnings and errors on /rosout, citing their "
                "node (0-20; 0: /rosout is not read)",
    "ask_diagnostics": "Ask answers from the latest /diagnostics status of N components, "
                       "troubled first (0-20; 0: /diagnostics is not read)",
    "ask_tool_calls": "Ask lets the model call the read-only tools (manuals, events, logs, "
                      "diagnostics as enabled) up to N times instead of being given them first "
                      "(0-8; 0: given first)",
}

PLANNER_ARGUMENTS = [
    DeclareLaunchArgument("model_dir", default_value="",
                          description="Gemma 4 ONNX model directory (see models.yaml); empty: "
                          "the planner's configured default"),
    DeclareLaunchArgument("provider", default_value="auto",
                          description="ONNX Runtime provider: auto | tensorrt | cuda | cpu"),
    DeclareLaunchArgument("planner_file", default_value="",
                          description="planner.yaml; empty: the packaged default"),
    DeclareLaunchArgument("image_topic", default_value="/camera/image_raw",
                          description="camera topic the planner reads (sensor_msgs/Image)"),
    DeclareLaunchArgument("record", default_value="",
                          description="flight record (MCAP) the planner writes: commands, "
                          "plan inputs, plans, the executor's verdicts, results and status; "
                          "empty: none"),
    *[DeclareLaunchArgument(name, default_value="0", description=description)
      for name, description in ASK_SOURCES.items()],
]


COPILOT_ARGUMENTS = [
    DeclareLaunchArgument("documents", default_value="true", choices=["true", "false"],
                          description="answer Ask from the manuals copilot_file names, citing "
                          "them (indexed at configure)"),
    DeclareLaunchArgument("copilot_file", default_value="",
                          description="copilot.yaml (manual folders, index file); empty: "
                          "packaged, the simulated robot's manual"),
]

EXECUTOR_ARGUMENTS = [
    DeclareLaunchArgument("safety_file", default_value="",
                          description="safety.yaml (gate policies); empty: packaged"),
    DeclareLaunchArgument("executor_file", default_value="",
                          description="executor.yaml; empty: packaged"),
    DeclareLaunchArgument("audit_file", default_value="",
                          description="JSONL audit log; empty: in memory only (set it on a robot)"),
    DeclareLaunchArgument("robot", default_value="sim", choices=["sim", "ros"],
                          description="sim: built-in simulated robot; ros: ROS bindings + topics"),
    DeclareLaunchArgument("mode", default_value="",
                          description="gate operating mode (safety.yaml); empty: initial_mode"),
    DeclareLaunchArgument("pose_topic", default_value="/amcl_pose",
                          description="robot pose for robot:=ros (see the pose_type parameter)"),
    DeclareLaunchArgument("heartbeat_timeout_s", default_value="3.0",
                          description="seconds of silence after which the executor cancels the "
                          "running plan (planner gone) or the planner stops publishing plans "
                          "(executor gone); a float, 0.0 turns the watch off"),
]


def planner_node(watch_executor: bool = False, copilot: bool = False) -> LifecycleNode:
    """The planner (``planner_node``): model, provider and config from launch arguments.
    ``watch_executor``: an executor runs beside it (``executor_node()``), and plans are only
    published while its status keeps coming (timeout ``heartbeat_timeout_s``). ``copilot``:
    Ask answers from manuals as COPILOT_ARGUMENTS say."""
    timeout: LaunchConfiguration | float = (
        LaunchConfiguration("heartbeat_timeout_s") if watch_executor else 0.0)
    manuals: dict[str, LaunchConfiguration] = {
        "documents": LaunchConfiguration("documents"),
        "copilot_file": LaunchConfiguration("copilot_file")} if copilot else {}
    return LifecycleNode(
        package=PACKAGE, executable="planner_node", name="planner",
        namespace=LaunchConfiguration("namespace"), output="screen",
        parameters=[{
            "autostart": LaunchConfiguration("autostart"),
            "model_dir": LaunchConfiguration("model_dir"),
            "provider": LaunchConfiguration("provider"),
            "planner_file": LaunchConfiguration("planner_file"),
            "tools_file": LaunchConfiguration("tools_file"),
            "executor_timeout_s": timeout,
            "record": LaunchConfiguration("record"),
            **{name: LaunchConfiguration(name) for name in ASK_SOURCES},
            "use_sim_time": LaunchConfiguration("use_sim_time"),
            **manuals,
        }],
        remappings=[
            ("executor_status", "executor/status"),
            ("image", LaunchConfiguration("image_topic")),
            ("image/compressed", [LaunchConfiguration("image_topic"), "/compressed"]),
            # the planner drops queued plan requests on an e-stop: same topic as the executor's
            ("estop", LaunchConfiguration("estop_topic")),
        ],
    )


def executor_node() -> LifecycleNode:
    """The executor (``executor_node``): config files, robot and topics from launch arguments."""
    return LifecycleNode(
        package=PACKAGE, executable="executor_node", name="executor",
        namespace=LaunchConfiguration("namespace"), output="screen",
        parameters=[{
            "autostart": LaunchConfiguration("autostart"),
            "tools_file": LaunchConfiguration("tools_file"),
            "safety_file": LaunchConfiguration("safety_file"),
            "executor_file": LaunchConfiguration("executor_file"),
            "audit_file": LaunchConfiguration("audit_file"),
            "robot": LaunchConfiguration("robot"),
            "mode": LaunchConfiguration("mode"),
            "planner_timeout_s": LaunchConfiguration("heartbeat_timeout_s"),
            "use_sim_time": LaunchConfiguration("use_sim_time"),
        }],
        remappings=[
            ("plan", "planner/plan"),
            ("planner_heartbeat", "planner/heartbeat"),
            ("estop", LaunchConfiguration("estop_topic")),
            ("pose", LaunchConfiguration("pose_topic")),
        ],
    )
