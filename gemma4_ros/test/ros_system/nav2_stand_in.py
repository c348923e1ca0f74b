"""A stand-in for Nav2's navigator, run as its own process by the system tests.

It serves ``/navigate_to_pose`` (``nav2_msgs/action/NavigateToPose``) and publishes the robot's
pose on ``/amcl_pose`` as AMCL would, so ``robot:=ros`` with ``config/tools_nav2.yaml`` has
something real to drive. What it is asked is written to stdout, one JSON object per line
(``pose_delivered`` once a pose subscriber has had poses, ``goal`` with the pose and its
wall-clock arrival, ``feedback``, ``cancel``, ``end``), for the test (and
``bench/ros_latency.py``) to read.

    python nav2_stand_in.py --mode succeed|reject|abort|hang [--seconds S]

``succeed`` sends feedback for ``--seconds`` then succeeds; ``reject`` refuses every goal;
``abort`` aborts after one feedback with Nav2's error code and message; ``hang`` sends feedback
until the goal is cancelled.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any

import rclpy
from geometry_msgs.msg import PoseWithCovarianceStamped
from nav2_msgs.action import NavigateToPose
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.action.server import ServerGoalHandle
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor
from rclpy.node import Node

ABORT_CODE = 104  # Nav2's NavigateToPose "timed out" family; any non-zero code will do
ABORT_MESSAGE = "stand-in: no path to the goal (costmap blocked)"
POSES_BEFORE_DELIVERED = 10  # at 10 Hz


_SAYING = threading.Lock()


def say(event: str, **fields: Any) -> None:
    """One whole line per event: callbacks of several threads print, and ``print`` writes the
    text and its newline apart (seen in CI: a cancel and a feedback on one line)."""
    line = json.dumps({"event": event, **fields}) + "\n"
    with _SAYING:
        sys.stdout.write(line)
        sys.stdout.flush()


class StandIn(Node):
    def __init__(self, mode: str, seconds: float) -> None:
        super().__init__("nav2_stand_in")
        self.mode, self.seconds = mode, seconds
        self.pose = self.create_publisher(PoseWithCovarianceStamped, "/amcl_pose", 10)
        self.poses_to_a_reader = 0
        self.create_timer(0.1, self.publish_pose)
        self.server = ActionServer(
            self, NavigateToPose, "/navigate_to_pose", self.execute,
            goal_callback=self.on_goal, cancel_callback=self.on_cancel,
            callback_group=ReentrantCallbackGroup())

    def publish_pose(self) -> None:
        message = PoseWithCovarianceStamped()
        message.header.frame_id = "map"
        message.header.stamp = self.get_clock().now().to_msg()
        message.pose.pose.position.x, message.pose.pose.position.y = 0.5, 0.5
        message.pose.pose.orientation.w = 1.0
        self.pose.publish(message)
        if self.pose.get_subscription_count():
            self.poses_to_a_reader += 1
            # A second of poses after the reader matched: the first ones can fall into the
            # discovery handshake, and a loaded executor takes a while to run its callback (with
            # 2, a plan sent right after was refused for a stale pose, in CI and here).
            if self.poses_to_a_reader == POSES_BEFORE_DELIVERED:
                say("pose_delivered")

    def on_goal(self, goal: NavigateToPose.Goal) -> GoalResponse:
        pose = goal.pose
        say("goal", frame=pose.header.frame_id, x=pose.pose.position.x, y=pose.pose.position.y,
            qz=pose.pose.orientation.z, qw=pose.pose.orientation.w, wall=time.time())
        return GoalResponse.REJECT if self.mode == "reject" else GoalResponse.ACCEPT

    def on_cancel(self, _: ServerGoalHandle) -> CancelResponse:
        say("cancel")
        return CancelResponse.ACCEPT

    def execute(self, handle: ServerGoalHandle) -> NavigateToPose.Result:
        started = time.monotonic()
        while True:
            if handle.is_cancel_requested:
                handle.canceled()
                say("end", status="canceled")
                return NavigateToPose.Result()
            feedback = NavigateToPose.Feedback()
            feedback.distance_remaining = max(0.0, self.seconds - (time.monotonic() - started))
            handle.publish_feedback(feedback)
            say("feedback", distance_remaining=feedback.distance_remaining)
            if self.mode == "abort":
                handle.abort()
                say("end", status="aborted")
                return NavigateToPose.Result(error_code=ABORT_CODE, error_msg=ABORT_MESSAGE)
            if self.mode == "succeed" and time.monotonic() - started >= self.seconds:
                handle.succeed()
                say("end", status="succeeded")
                return NavigateToPose.Result()
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("succeed", "reject", "abort", "hang"),
                        default="succeed")
    parser.add_argument("--seconds", type=float, default=1.0)
    options = parser.parse_args()
    rclpy.init()
    node = StandIn(options.mode, options.seconds)
    executor = MultiThreadedExecutor()
    executor.add_node(node)
    say("ready")
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    sys.exit(main())
