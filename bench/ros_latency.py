#!/usr/bin/env python3
"""The nodes across processes on real DDS, started by ``gemma4.launch.py``: what the middleware
adds to the paths that matter, each beside the middleware's own floor measured in the same run.

* estop_to_cancel: an e-stop published (plain volatile ``std_msgs/Bool``) → the running plan's
  CANCELED ToolResult received back here, **while the planner is generating** (a thread keeps it
  busy with Ask requests). Two hops, so compare with the round-trip floor. Target p99 <= 20 ms.
* command_to_plan: a text command published → its Plan received here; the demo model's
  generation included. Round trip.
* verdict_to_goal: the SafetyVerdict's stamp (the gate approved the step) → the NavigateToPose
  goal arriving at a Nav2 stand-in (``robot:=ros``): the executor's own hand-off plus one hop,
  read on this host's one wall clock. Compare with the one-way floor (round trip / 2).
* floor: a ``std_msgs/String`` ping-pong with an echo process on the same middleware.

Needs ROS 2 and the built workspace sourced (README, "ROS 2 without a ROS install"). The gate's
rate limits are lifted for the run (a bench repeats one call far more often than safety.yaml
allows); everything else is the packaged configuration.
Usage: python bench/ros_latency.py [--json] [--rounds 40]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import rclpy
import yaml
from gemma4_ros_msgs.msg import ExecutorStatus, Plan, PlanStep, SafetyVerdict, ToolCall, ToolResult
from gemma4_ros_msgs.srv import Ask
from lifecycle_msgs.srv import GetState
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from std_msgs.msg import Bool, String
from std_srvs.srv import Trigger

from gemma4_ros.paths import default_config

LATCHED = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
STAND_IN = Path(__file__).resolve().parents[1] / "gemma4_ros/test/ros_system/nav2_stand_in.py"
ECHO = """
import rclpy
from std_msgs.msg import String
rclpy.init()
node = rclpy.create_node("bench_echo")
pong = node.create_publisher(String, "/bench/pong", 10)
node.create_subscription(String, "/bench/ping", pong.publish, 10)
rclpy.spin(node)
"""


def percentiles_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(ordered[len(ordered) // 2] * 1e3, 3),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3, 3),
            "max_ms": round(ordered[-1] * 1e3, 3), "n": len(ordered)}


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.001)
    raise TimeoutError(f"no {what} within {timeout:g} s")


class Process:
    """A child in a session of its own, ended with its whole process group."""

    def __init__(self, command: list[str], log: Path) -> None:
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        for number, grace in ((signal.SIGINT, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.process.pid, number)
                self.process.wait(grace)
                return
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue


class Bench:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        rclpy.init()
        self.node: Node = rclpy.create_node("ros_latency_bench")
        # One spin thread: the bench's callbacks only record arrivals. On this 2-core VM an idle
        # machine made rclpy's MultiThreadedExecutor hand each callback over with p50 ~120 ms
        # (ping-pong against the single-threaded echo: 0.4 ms), which is no middleware's floor.
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        threading.Thread(target=self.executor.spin, daemon=True).start()
        self.children: list[Process] = []

    def close(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.executor.shutdown()
        rclpy.try_shutdown()

    def spawn(self, command: list[str], name: str) -> Process:
        child = Process(command, self.folder / f"{name}.log")
        self.children.append(child)
        return child

    def arrivals(self, topic: str, msg_type: Any, qos: Any = 10) -> list[tuple[float, Any]]:
        """(monotonic arrival time, message) of everything on ``topic`` from now on."""
        seen: list[tuple[float, Any]] = []
        self.node.create_subscription(msg_type, topic,
                                      lambda m: seen.append((time.monotonic(), m)), qos)
        return seen

    def publisher(self, topic: str, msg_type: Any, qos: Any = 10, readers: int = 1) -> Any:
        publisher = self.node.create_publisher(msg_type, topic, qos)
        wait_for(lambda: publisher.get_subscription_count() >= readers, what=f"{topic} readers")
        return publisher

    def call(self, service: str, srv_type: Any, request: Any) -> Any:
        client = self.node.create_client(srv_type, service)
        if not client.wait_for_service(timeout_sec=60.0):
            raise TimeoutError(f"no service {service}")
        future = client.call_async(request)
        wait_for(future.done, what=f"{service} response")
        self.node.destroy_client(client)
        return future.result()

    def launch(self, namespace: str, **arguments: str) -> Process:
        command = [sys.executable, "-m", "gemma4_ros.ros.launch_runner", "gemma4.launch.py",
                   f"namespace:={namespace}",
                   *(f"{name}:={value}" for name, value in arguments.items())]
        launched = self.spawn(command, f"launch-{namespace}")
        for node in ("planner", "executor"):
            wait_for(lambda n=node: self._active(f"/{namespace}/{n}"), 120.0, f"{node} active")
        wait_for(lambda: "planner heard" in launched.text(), 60.0, "the planner's heartbeat")
        return launched

    def _active(self, node: str) -> bool:
        try:
            state = self.call(f"{node}/get_state", GetState, GetState.Request())
        except TimeoutError:
            return False
        return bool(state.current_state.label == "active")

    def plan(self, plan_id: str, name: str, arguments: dict[str, Any]) -> Plan:
        """A one-step mission plan: its calls were written down, so the gate's checks of an
        operator's words (grounding, confidence) do not apply and nothing waits for one."""
        plan = Plan(plan_id=plan_id, instruction="bench mission", source=Plan.SOURCE_MISSION)
        plan.header.stamp = self.node.get_clock().now().to_msg()
        plan.steps = [PlanStep(index=0, call=ToolCall(id=f"{plan_id}-0", name=name,
                                                      arguments_json=json.dumps(arguments)))]
        return plan


def floor(bench: Bench, rounds: int) -> dict[str, float]:
    bench.spawn([sys.executable, "-c", ECHO], "echo")
    pongs = bench.arrivals("/bench/pong", String)
    ping = bench.publisher("/bench/ping", String)
    wait_for(lambda: bench.node.count_publishers("/bench/pong") >= 1, what="the echo")
    samples = []
    for index in range(rounds + 5):
        sent = time.monotonic()
        ping.publish(String(data=str(index)))
        arrived = wait_for(lambda i=index: next((t for t, m in pongs if m.data == str(i)), None),
                           5.0, "a pong")
        if index >= 5:  # the first exchanges pay for discovery
            samples.append(arrived - sent)
    return percentiles_ms(samples)


def keep_generating(bench: Bench, namespace: str, stop: threading.Event,
                    answered: list[float]) -> threading.Thread:
    """Ask after Ask, so the planner's model runs for the whole measurement; ``answered`` gets
    each answer's generation time, to show the planner was really busy."""
    def run() -> None:
        while not stop.is_set():
            started = time.monotonic()
            bench.call(f"/{namespace}/planner/ask", Ask,
                       Ask.Request(question="describe what you can do in detail"))
            answered.append(time.monotonic() - started)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def estop_and_command(bench: Bench, rounds: int, safety: Path) -> dict[str, Any]:
    ns = "bench_sim"
    results = bench.arrivals(f"/{ns}/executor/results", ToolResult)
    plans = bench.arrivals(f"/{ns}/planner/plan", Plan, LATCHED)
    statuses = bench.arrivals(f"/{ns}/executor/status", ExecutorStatus, LATCHED)
    bench.launch(ns, safety_file=str(safety))
    plan_topic = bench.publisher(f"/{ns}/planner/plan", Plan, LATCHED)
    estop = bench.publisher(f"/{ns}/estop", Bool, readers=2)
    commands = bench.publisher(f"/{ns}/command", String)
    stop, answered = threading.Event(), []
    measuring = time.monotonic()
    busy = keep_generating(bench, ns, stop, answered)
    cancel_samples = []
    try:
        for index in range(rounds):
            plan_id = f"long-{index}"
            plan_topic.publish(bench.plan(plan_id, "wait", {"seconds": 30.0}))
            wait_for(lambda p=plan_id: any(m.plan_id == p and m.state == "EXECUTING"
                                           for _, m in statuses), what="the plan running")
            pressed = time.monotonic()
            estop.publish(Bool(data=True))
            cancelled = wait_for(lambda p=plan_id: next(
                (t for t, m in results if m.plan_id == p and m.status == "CANCELED"), None),
                10.0, "the cancel")
            cancel_samples.append(cancelled - pressed)
            reset = bench.call(f"/{ns}/executor/reset_estop", Trigger, Trigger.Request())
            assert reset.success, reset.message
            wait_for(lambda: statuses[-1][1].state == "IDLE", what="IDLE after the reset")
    finally:
        stop.set()
        busy.join(30.0)
    busy_share = sum(answered) / (time.monotonic() - measuring)
    command_samples = []
    for index in range(rounds):
        text = f"go to the kitchen and wait {index % 9 + 1} seconds"
        sent = time.monotonic()
        commands.publish(String(data=text))
        arrived = wait_for(lambda t=text, s=sent: next(
            (when for when, m in plans if m.instruction == t and when >= s), None), 30.0,
            "the plan")
        command_samples.append(arrived - sent)
    estop = percentiles_ms(cancel_samples)
    estop["planner_busy_share"] = round(busy_share, 2)  # time spent answering Asks
    return {"estop_to_cancel_while_generating": estop,
            "command_to_plan": percentiles_ms(command_samples)}


def verdict_to_goal(bench: Bench, rounds: int, safety: Path) -> dict[str, float]:
    ns = "bench_nav2"
    stand_in = bench.spawn([sys.executable, str(STAND_IN), "--mode", "succeed", "--seconds",
                            "0"], "nav2")
    wait_for(lambda: '"ready"' in stand_in.text(), what="the Nav2 stand-in")
    verdicts = bench.arrivals(f"/{ns}/executor/verdicts", SafetyVerdict)
    results = bench.arrivals(f"/{ns}/executor/results", ToolResult)
    bench.launch(ns, robot="ros", tools_file=str(default_config("tools_nav2.yaml")),
                 safety_file=str(safety))
    wait_for(lambda: '"pose_delivered"' in stand_in.text(), what="a pose at the executor")
    plan_topic = bench.publisher(f"/{ns}/planner/plan", Plan, LATCHED)
    samples = []
    for index in range(rounds):
        plan_id = f"goal-{index}"
        place = ("kitchen", "office")[index % 2]  # a new goal each time, never "already there"
        plan_topic.publish(bench.plan(plan_id, "navigate_to", {"place": place}))
        wait_for(lambda p=plan_id: any(m.plan_id == p for _, m in results), 30.0,
                 f"result of {plan_id} (verdicts: "
                 f"{[(m.decision, m.reasons) for _, m in verdicts if m.plan_id == plan_id]})")
        stamps = [m.header.stamp for _, m in verdicts if m.plan_id == plan_id]
        approved = stamps[-1].sec + stamps[-1].nanosec * 1e-9  # the step's own re-check
        goals = [json.loads(line) for line in stand_in.text().splitlines()
                 if line.startswith('{"event": "goal"')]
        samples.append(goals[index]["wall"] - approved)
    return percentiles_ms(samples)


def unlimited_safety(folder: Path) -> Path:
    safety = yaml.safe_load(default_config("safety.yaml").read_text(encoding="utf-8"))
    safety["rate_limits"] = {"global": {"max_calls": 1_000_000, "window_s": 1.0}}
    path = folder / "safety.yaml"
    path.write_text(yaml.safe_dump(safety), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
        os.environ["ROS_LOG_DIR"] = str(folder / "ros_log")
        bench = Bench(folder)
        try:
            safety = unlimited_safety(folder)
            figures: dict[str, Any] = {"floor_round_trip": floor(bench, args.rounds * 5)}
            figures.update(estop_and_command(bench, args.rounds, safety))
            figures["verdict_to_goal"] = verdict_to_goal(bench, args.rounds, safety)
        finally:
            bench.close()
    round_trip = figures["floor_round_trip"]["p50_ms"]
    for name, one_way in (("estop_to_cancel_while_generating", False),
                          ("command_to_plan", False), ("verdict_to_goal", True)):
        base = round_trip / 2 if one_way else round_trip
        figures[name]["p50_over_floor"] = round(figures[name]["p50_ms"] / base, 1)
    if args.json:
        print(json.dumps(figures))
        return
    for name, values in figures.items():
        print(f"{name:34s} " + "  ".join(f"{k} {v}" for k, v in values.items()))


if __name__ == "__main__":
    main()
