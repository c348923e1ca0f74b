"""The executor on the sim robot with the real gate, e-stop latch and audit log, on a fake clock."""

from __future__ import annotations

import math

import pytest

from gemma4_ros.execution.binding import BindingProgress, BindingRegistry, UnknownBindingKindError
from gemma4_ros.execution.executor import FEEDBACK_PERIOD_S
from gemma4_ros.execution.sim_bindings import sim_binding_factory
from gemma4_ros.testing.drive import advance_until
from gemma4_ros.types import Decision, ExecutorState, ResultStatus

from execution_world import SAFETY, make_world

S = ResultStatus


def statuses(results):
    return [r.status for r in results]


def run_to_end(world, plan, step_s=0.5):
    future = world.executor.submit(plan)
    advance_until(world.executor, world.clock, future.done, step_s=step_s)
    return future.result()


def test_plan_runs_end_to_end_on_the_sim_robot(world):
    world.start()
    plan = world.plan(("navigate_to", {"place": "kitchen"}), ("rotate", {"angle": -90}),
                      ("move", {"distance": 1.0, "speed": 0.4}), ("speak", {"text": "arrived"}),
                      ("capture_image", {}), ("report", {"text": "kitchen checked"}))
    results = run_to_end(world, plan)
    assert statuses(results) == [S.SUCCEEDED] * 6
    assert [r.call_id for r in results] == [s.call.id for s in plan.steps]
    kitchen = world.tools.places["kitchen"]  # facing +y; after -90 deg it faces +x
    assert world.robot.pose.x == pytest.approx(kitchen.x + 1.0)
    assert world.robot.pose.y == pytest.approx(kitchen.y)
    assert list(world.robot.speech) == ["arrived"]
    assert list(world.robot.reports) == ["kitchen checked"]
    assert world.executor.status.state is ExecutorState.IDLE
    assert world.results == results
    assert {v.decision for v in world.verdicts} == {Decision.APPROVED}
    assert len(world.audit_kinds("step_started")) == 6
    assert len(world.audit_kinds("step_result")) == 6
    states = [s.state for s in world.statuses]
    assert states[0] is ExecutorState.EXECUTING and states[-1] is ExecutorState.IDLE


def test_a_rejected_step_rejects_the_whole_plan_before_anything_moves(world):
    world.start()
    start = world.robot.pose
    plan = world.plan(("navigate_to", {"place": "kitchen"}), ("move", {"distance": 99.0}))
    results = run_to_end(world, plan)
    assert statuses(results) == [S.REJECTED, S.REJECTED]
    assert "step 1 (move)" in results[0].error
    assert world.robot.pose == start
    assert world.audit_kinds("step_started") == []


def test_empty_plan_finishes_at_once(world):
    world.start()
    assert run_to_end(world, world.plan()) == []


def test_step_timeout_cancels_the_binding(clock):
    tools = _tools_with(timeout={"move": 2.0})
    world = make_world(clock, tools_data=tools)
    try:
        world.start()
        results = run_to_end(world, world.plan(("move", {"distance": 3.0}), ("speak", {"text": "x"})))
        assert statuses(results) == [S.TIMED_OUT, S.CANCELED]
        assert "2 s" in results[0].error
        here = world.robot.pose
        clock.advance(10.0)
        assert world.robot.pose == here  # the move was cancelled, not left running
        assert len(world.audit_kinds("step_started")) == 1  # move is not idempotent: no retry
    finally:
        world.executor.close()


def test_idempotent_step_is_retried_after_timeout(clock):
    world = make_world(clock, tools_data=_tools_with(timeout={"wait": 1.0}))
    try:
        world.start(max_retries=2)
        results = run_to_end(world, world.plan(("wait", {"seconds": 5.0})), step_s=0.25)
        assert statuses(results) == [S.TIMED_OUT]
        attempts = [r["attempt"] for r in world.audit_kinds("step_started")]
        assert attempts == [0, 1, 2]
        assert len(world.verdicts) == 1 + 3  # the plan check, then a re-check per attempt
    finally:
        world.executor.close()


class Flaky:
    """Wraps a sim binding so its first ``failures`` calls fail (a dropped connection, say)."""

    def __init__(self, inner, failures):
        self.inner, self.failures, self.failing = inner, failures, False

    def start(self, call):
        self.failing = self.failures > 0
        self.failures -= 1
        if not self.failing:
            self.inner.start(call)

    def poll(self):
        return BindingProgress.failed("link lost") if self.failing else self.inner.poll()

    def cancel(self):
        self.inner.cancel()

    def robot_state(self):
        return self.inner.robot_state()


@pytest.mark.parametrize("tool, arguments, expected, attempts", [
    ("navigate_to", {"place": "office"}, S.SUCCEEDED, 2),  # idempotent: retried, then arrives
    ("speak", {"text": "hello"}, S.FAILED, 1),            # not idempotent: never retried
])
def test_retry_only_idempotent_tools(world, tool, arguments, expected, attempts):
    sim = sim_binding_factory(world.robot)
    world.bindings.register("sim", lambda spec: Flaky(sim(spec), 1) if spec.name == tool else sim(spec))
    world.start(max_retries=3)
    results = run_to_end(world, world.plan((tool, arguments), ("report", {"text": "done"})))
    assert results[0].status is expected
    assert len([r for r in world.audit_kinds("step_started") if r["tool"] == tool]) == attempts


def test_cancel_stops_the_active_step_and_skips_the_rest(world):
    executor = world.start()
    future = executor.submit(world.plan(("navigate_to", {"place": "lab"}), ("speak", {"text": "hi"})))
    advance_until(executor, world.clock, lambda: world.robot.pose.x > 2.0, step_s=0.5)
    executor.cancel("operator changed their mind")
    executor.sync()
    results = future.result(timeout=1)
    assert statuses(results) == [S.CANCELED, S.CANCELED]
    assert "changed their mind" in results[0].error
    here = world.robot.pose
    world.clock.advance(30)
    assert world.robot.pose == here
    assert executor.status.state is ExecutorState.IDLE
    assert list(world.robot.speech) == []


def test_preempt_policy_replaces_the_running_plan(world):
    executor = world.start(preemption="preempt")
    first = executor.submit(world.plan(("navigate_to", {"place": "lab"}), ("speak", {"text": "a"})))
    advance_until(executor, world.clock, lambda: world.robot.pose.x > 2.0, step_s=0.5)
    second = executor.submit(world.plan(("dock", {})))
    advance_until(executor, world.clock, second.done, step_s=0.5)
    assert statuses(first.result()) == [S.CANCELED, S.CANCELED]
    assert "preempted by plan" in first.result()[0].error
    assert statuses(second.result()) == [S.SUCCEEDED]
    assert world.robot.pose == world.tools.places["dock"]


def test_preempt_policy_keeps_the_running_plan_if_the_new_one_is_rejected(world):
    executor = world.start(preemption="preempt")
    first = executor.submit(world.plan(("navigate_to", {"place": "kitchen"})))
    advance_until(executor, world.clock, lambda: world.robot.pose.x > 2.0, step_s=0.5)
    bad = executor.submit(world.plan(("move", {"distance": 99.0})))
    advance_until(executor, world.clock, first.done, step_s=0.5)
    assert statuses(bad.result()) == [S.REJECTED]
    assert statuses(first.result()) == [S.SUCCEEDED]


def test_reject_new_policy_refuses_while_busy(world):
    executor = world.start(preemption="reject_new")
    first = executor.submit(world.plan(("navigate_to", {"place": "kitchen"})))
    executor.sync()
    second = executor.submit(world.plan(("speak", {"text": "me too"})))
    executor.sync()
    assert statuses(second.result(timeout=1)) == [S.REJECTED]
    assert "busy with plan" in second.result()[0].error
    advance_until(executor, world.clock, first.done, step_s=0.5)
    assert statuses(first.result()) == [S.SUCCEEDED]


@pytest.fixture
def supervised(clock):
    world = make_world(clock, safety={**SAFETY, "initial_mode": "supervised"})
    world.start()
    yield world
    world.executor.close()


def _await_confirmation(world):
    future = world.executor.submit(world.plan(("speak", {"text": "going"}),
                                              ("navigate_to", {"place": "kitchen"}),
                                              ("report", {"text": "there"})))
    world.executor.sync()
    status = world.executor.status
    assert status.state is ExecutorState.AWAITING_CONFIRMATION
    assert status.current_step == 1
    return future, status.plan_id


def test_confirmation_approved_runs_the_step(supervised):
    future, plan_id = _await_confirmation(supervised)
    assert supervised.robot.pose == supervised.tools.places["dock"]  # nothing moved yet
    assert supervised.executor.confirm(plan_id, 1, True, "alice").accepted
    advance_until(supervised.executor, supervised.clock, future.done, step_s=0.5)
    assert statuses(future.result()) == [S.SUCCEEDED] * 3
    assert supervised.robot.pose == supervised.tools.places["kitchen"]
    recorded = supervised.audit_kinds("confirmation")
    assert recorded[-1]["operator"] == "alice" and recorded[-1]["accepted"]


def test_confirmation_denied_rejects_the_step_and_skips_the_rest(supervised):
    future, plan_id = _await_confirmation(supervised)
    assert supervised.executor.confirm(plan_id, 1, False, "bob").accepted
    supervised.executor.sync()
    results = future.result(timeout=1)
    assert statuses(results) == [S.SUCCEEDED, S.REJECTED, S.CANCELED]
    assert "bob" in results[1].error
    assert supervised.robot.pose == supervised.tools.places["dock"]


def test_confirmation_times_out_as_rejected(supervised):
    future, _ = _await_confirmation(supervised)
    supervised.clock.advance(19.0)
    supervised.executor.sync()
    assert not future.done()
    supervised.clock.advance(1.5)  # past confirmation.timeout_s = 20 from the safety config
    supervised.executor.sync()
    assert statuses(future.result(timeout=1)) == [S.SUCCEEDED, S.REJECTED, S.CANCELED]
    assert "20 s" in future.result()[1].error


@pytest.mark.parametrize("plan_id, step, operator, message", [
    ("plan-other", 1, "alice", "is not awaiting confirmation"),
    (None, 2, "alice", "is not awaiting confirmation"),
    (None, 1, " ", "operator is empty"),
])
def test_confirmation_with_wrong_ids_is_refused(supervised, plan_id, step, operator, message):
    future, pending_id = _await_confirmation(supervised)
    reply = supervised.executor.confirm(plan_id or pending_id, step, True, operator)
    assert not reply.accepted and message in reply.message
    supervised.executor.sync()
    assert supervised.executor.status.state is ExecutorState.AWAITING_CONFIRMATION
    assert not future.done()


def test_confirm_when_nothing_waits_is_refused(world):
    world.start()
    reply = world.executor.confirm("plan-x", 0, True, "alice")
    assert not reply.accepted and "no step is awaiting" in reply.message


def test_estop_mid_step_cancels_and_nothing_resumes_after_reset(world):
    executor = world.start()
    old_plan = world.plan(("navigate_to", {"place": "lab"}), ("speak", {"text": "done"}))
    future = executor.submit(old_plan)
    advance_until(executor, world.clock, lambda: world.robot.pose.x > 2.0, step_s=0.5)
    world.estop.trigger("operator pressed the button")
    executor.sync()
    assert executor.status.state is ExecutorState.ESTOPPED and executor.status.estop_latched
    assert statuses(future.result(timeout=1)) == [S.CANCELED, S.CANCELED]
    stopped_at = world.robot.pose
    world.clock.advance(60)
    assert world.robot.pose == stopped_at

    refused = executor.submit(world.plan(("speak", {"text": "hello"})))
    executor.sync()
    assert statuses(refused.result(timeout=1)) == [S.REJECTED]
    assert "e-stop" in refused.result()[0].error

    world.estop.reset("alice")
    executor.sync()
    assert executor.status.state is ExecutorState.IDLE
    world.clock.advance(60)
    executor.sync()
    assert world.robot.pose == stopped_at and list(world.robot.speech) == []

    stale = executor.submit(old_plan.model_copy(update={"plan_id": "plan-resubmitted"}))
    executor.sync()
    assert statuses(stale.result(timeout=1)) == [S.REJECTED, S.REJECTED]
    fresh = run_to_end(world, world.plan(("speak", {"text": "back"})))
    assert statuses(fresh) == [S.SUCCEEDED]
    assert [r["action"] for r in world.audit_kinds("estop") if "action" in r] == ["executor_stopped"]


def test_every_started_step_ends_in_the_audit_log_even_when_stopped(world):
    """A step the e-stop (or a cancel) stops gets its step_result record, CANCELED with why;
    steps that never started get none."""
    executor = world.start()
    future = executor.submit(world.plan(("navigate_to", {"place": "lab"}),
                                        ("wait", {"seconds": 1})))
    advance_until(executor, world.clock, lambda: world.robot.pose.x > 1.0, step_s=0.5)
    world.estop.trigger("operator pressed the button")
    executor.sync()
    assert statuses(future.result(timeout=1)) == [S.CANCELED, S.CANCELED]
    (ended,) = world.audit_kinds("step_result")
    assert (ended["step_index"], ended["tool"], ended["status"]) == (0, "navigate_to", "CANCELED")
    assert ended["error"] == "e-stop"
    world.estop.reset("alice")
    world.clock.advance(1.0)  # a plan stamped at the e-stop's instant is void
    cancelled = executor.submit(world.plan(("navigate_to", {"place": "kitchen"})))
    advance_until(executor, world.clock, lambda: world.robot.pose.x > 1.5, step_s=0.5)
    executor.cancel("operator changed their mind")
    executor.sync()
    assert statuses(cancelled.result(timeout=1)) == [S.CANCELED]
    started = [r["call_id"] for r in world.audit_kinds("step_started")]
    assert [r["call_id"] for r in world.audit_kinds("step_result")] == started
    assert world.audit_kinds("step_result")[-1]["error"] == "operator changed their mind"


def test_estop_while_awaiting_confirmation(supervised):
    future, plan_id = _await_confirmation(supervised)
    supervised.estop.trigger("test")
    supervised.executor.sync()
    assert statuses(future.result(timeout=1)) == [S.SUCCEEDED, S.CANCELED, S.CANCELED]
    assert not supervised.executor.confirm(plan_id, 1, True, "alice").accepted


def test_estop_latched_before_start_starts_estopped(world):
    world.estop.trigger("latched at boot")
    executor = world.start()
    executor.sync()
    assert executor.status.state is ExecutorState.ESTOPPED


def test_gate_recheck_rejects_a_step_whose_state_changed(world):
    # The plan is fine when submitted; while it runs the robot picks something up, so the
    # re-check of the next motion step (motion while holding is forbidden) must refuse it.
    world.on_speech.append(lambda text: world.robot.set_gripper_holding(True))
    world.start()
    start = world.robot.pose
    results = run_to_end(world, world.plan(("speak", {"text": "grabbing"}),
                                            ("move", {"distance": 1.0}), ("report", {"text": "x"})))
    assert statuses(results) == [S.SUCCEEDED, S.REJECTED, S.CANCELED]
    assert "rejected at re-check" in results[1].error
    assert world.robot.pose == start


def test_missing_binding_kind_fails_at_construction(world):
    from gemma4_ros.execution.executor import PlanExecutor

    empty = BindingRegistry(world.robot.robot_state)
    with pytest.raises(UnknownBindingKindError, match="navigate_to"):
        PlanExecutor(world.gate, world.tools, empty, world.estop)


def test_a_failing_callback_does_not_stop_the_executor(world):
    from gemma4_ros.execution.executor import PlanExecutor

    def explode(_):
        raise RuntimeError("subscriber bug")

    world.executor = PlanExecutor(world.gate, world.tools, world.bindings, world.estop,
                                  clock=world.clock, stamp_clock=world.clock,
                                  on_status=explode, on_result=explode, on_verdict=explode).start()
    assert statuses(run_to_end(world, world.plan(("speak", {"text": "still here"})))) == [S.SUCCEEDED]


def _tools_with(timeout: dict[str, float]) -> dict:
    from gemma4_ros.config import read_yaml
    from gemma4_ros.paths import default_config

    data = read_yaml(default_config("tools.yaml"))
    for tool in data["tools"]:
        if tool["name"] in timeout:
            tool["timeout_s"] = timeout[tool["name"]]
    return data


def test_rotation_result_pose_in_degrees(world):
    world.start()
    results = run_to_end(world, world.plan(("rotate", {"angle": 90})))
    assert results[0].result["pose"]["yaw_deg"] == pytest.approx(90.0)
    assert world.robot.pose.yaw == pytest.approx(math.pi / 2)


class Broken:
    """A binding with a bug in one method; the executor must turn it into a FAILED step."""

    def __init__(self, inner, method):
        self.inner, self.method = inner, method

    def _maybe_raise(self, name):
        if name == self.method:
            raise RuntimeError(f"bug in {name}")

    def start(self, call):
        self._maybe_raise("start")
        self.inner.start(call)

    def poll(self):
        self._maybe_raise("poll")
        return self.inner.poll()

    def cancel(self):
        self._maybe_raise("cancel")
        self.inner.cancel()

    def robot_state(self):
        return self.inner.robot_state()


@pytest.mark.parametrize("method", ["start", "poll"])
def test_a_binding_that_raises_fails_its_step_only(world, method):
    sim = sim_binding_factory(world.robot)
    world.bindings.register("sim", lambda spec: Broken(sim(spec), method) if spec.name == "report"
                            else sim(spec))
    world.start()
    results = run_to_end(world, world.plan(("report", {"text": "x"}), ("speak", {"text": "y"})))
    assert statuses(results) == [S.FAILED, S.CANCELED]
    assert f"bug in {method}" in results[0].error
    assert statuses(run_to_end(world, world.plan(("speak", {"text": "z"})))) == [S.SUCCEEDED]


def test_estop_still_stops_when_cancel_raises(world):
    sim = sim_binding_factory(world.robot)
    world.bindings.register("sim", lambda spec: Broken(sim(spec), "cancel"))
    executor = world.start()
    future = executor.submit(world.plan(("navigate_to", {"place": "lab"})))
    advance_until(executor, world.clock, lambda: world.robot.pose.x > 2.0, step_s=0.5)
    world.estop.trigger("test")
    executor.sync()
    assert executor.status.state is ExecutorState.ESTOPPED
    assert statuses(future.result(timeout=1)) == [S.CANCELED]


def test_packaged_configs_on_the_real_clock():
    """The defaults shipped in config/ work together, with real time and no fake anywhere."""
    from gemma4_ros.execution.config import ExecutorConfig
    from gemma4_ros.execution.executor import PlanExecutor
    from gemma4_ros.execution.sim_bindings import sim_bindings
    from gemma4_ros.execution.sim_config import SimConfig
    from gemma4_ros.execution.sim_robot import SimRobot
    from gemma4_ros.safety import AuditLog, EStopLatch, SafetyGate
    from gemma4_ros.types import Plan, PlanStep, ToolCall

    estop, audit = EStopLatch(), AuditLog(None)
    gate = SafetyGate.from_files(estop=estop, audit=audit)
    robot = SimRobot(SimConfig.load(), gate.registry.places)
    calls = [ToolCall(name="rotate", arguments={"angle": 5}),
             ToolCall(name="wait", arguments={"seconds": 0.05}),
             ToolCall(name="speak", arguments={"text": "ready"})]
    with PlanExecutor(gate, gate.registry, sim_bindings(robot), estop, audit,
                      config=ExecutorConfig.load()) as executor:
        # A model's plan, sure of each call: grounded and confident, so nothing waits to be asked.
        plan = Plan(steps=tuple(PlanStep(index=i, call=c, confidence=0.99)
                                for i, c in enumerate(calls)),
                    instruction="turn left 5 degrees, wait 0.05 s and say ready")
        results = executor.submit(plan).result(timeout=10)
    assert statuses(results) == [S.SUCCEEDED] * 3
    assert robot.pose.yaw == pytest.approx(math.radians(5))


def test_mode_switch_mid_plan_stops_motion_at_recheck(world):
    # Maintenance mode (no motion) is switched on while the plan runs: the next motion step is
    # refused at its re-check even though the whole plan was approved on submission.
    world.on_speech.append(lambda text: world.gate.set_mode("maintenance"))
    executor = world.start()
    results = run_to_end(world, world.plan(("speak", {"text": "technician arriving"}),
                                            ("rotate", {"angle": 45})))
    assert statuses(results) == [S.SUCCEEDED, S.REJECTED]
    assert world.robot.pose.yaw == pytest.approx(world.tools.places["dock"].yaw)
    assert executor.status.state is ExecutorState.IDLE


def test_status_reports_progress(world):
    world.start()
    run_to_end(world, world.plan(("speak", {"text": "a"}), ("rotate", {"angle": 10})))
    started = [s for s in world.statuses if s.message.endswith("started")]
    assert [(s.current_step, s.total_steps) for s in started] == [(0, 2), (1, 2)]
    assert all(s.plan_id == started[0].plan_id for s in started)


def test_estop_trigger_never_waits_on_a_busy_worker(world):
    # A binding stuck inside poll() holds the worker; the latch's listener must still return at
    # once (it only flags and wakes), and the step is canceled as soon as the worker is free.
    import threading

    inside, release = threading.Event(), threading.Event()
    sim = sim_binding_factory(world.robot)

    class Stuck(Flaky):
        def poll(self):
            inside.set()
            release.wait(5)
            return self.inner.poll()

    world.bindings.register("sim", lambda spec: Stuck(sim(spec), 0))
    executor = world.start()
    future = executor.submit(world.plan(("navigate_to", {"place": "lab"})))
    assert inside.wait(5)
    trigger = threading.Thread(target=world.estop.trigger, args=("test",))
    trigger.start()
    trigger.join(1)
    finished_while_worker_busy = not trigger.is_alive()
    release.set()
    executor.sync()
    assert finished_while_worker_busy
    assert statuses(future.result(timeout=1)) == [S.CANCELED]
    assert executor.status.state is ExecutorState.ESTOPPED


def test_a_running_steps_feedback_reaches_the_status_message(world):
    world.start()
    run_to_end(world, world.plan(("navigate_to", {"place": "kitchen"})), step_s=0.2)
    progress = [s.message for s in world.statuses if "running:" in s.message]
    assert progress and all(m.startswith("step 0 (navigate_to) running: {") for m in progress)
    assert '"remaining"' in progress[0]
    # At most one report per FEEDBACK_PERIOD_S of robot time, however often the worker polls.
    took = world.results[0].stamp - world.statuses[0].stamp
    assert len(progress) <= took / FEEDBACK_PERIOD_S + 1
