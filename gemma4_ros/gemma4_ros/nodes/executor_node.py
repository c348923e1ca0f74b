"""The executor node's logic, written once against :class:`Transport` (bus or rclpy).

It owns the safety gate, the e-stop latch, the audit log, the bindings and the plan executor,
and talks only through its transport:

==========================  =============================================  =====================
endpoint                    what                                           QoS / group
==========================  =============================================  =====================
``plan`` (sub)              plans to run (remap to the planner's ``~/plan``) latched / default
``estop`` (sub, ``bool``)   ``True`` latches the e-stop; ``False`` never    ESTOP / ``estop``
                            releases it
``~/reset_estop`` (srv)     releases the latch (``std_srvs/Trigger``)       default
``~/confirm`` (srv)         operator's answer to a NEEDS_CONFIRMATION step  default
``~/execute_plan`` (action) run a plan; feedback per step; cancel honoured  reentrant
``~/status`` (pub)          ExecutorStatus on change, and as a heartbeat    latched
``~/results`` (pub)         every ToolResult (the planner may replan on it) reliable
``~/verdicts`` (pub)        every SafetyVerdict                             reliable
``pose``, ``battery`` (sub) robot state for ``robot: ros``                  reliable / default
``planner_heartbeat`` (sub) the planner's ``~/heartbeat``: its sign of life  reliable / ``watchdog``
==========================  =============================================  =====================

The e-stop subscription and the reset service exist from construction to :meth:`close`, so a
stop is latched even while the node is inactive; plans, goals and confirmations are served
only between :meth:`activate` and :meth:`deactivate`. No callback runs a step or waits on one:
the executor's own worker does, and callbacks only enqueue.

With ``planner_timeout_s`` set, a planner whose heartbeat goes silent (crashed, hung, its host
gone) gets its running plan cancelled, and plans from the topic or ExecutePlan are refused until
it is heard again — a plan whose author can no longer replan or be asked is not carried on. Each
silence and each recovery is audited. A watch tick that itself comes late (this process held up)
is audited as ``watch_stalled`` and the planner judged on the next tick, once the heartbeats
queued meanwhile have been read.
"""

from __future__ import annotations

import time
from typing import Callable

from gemma4_ros.execution.binding import BindingRegistry
from gemma4_ros.execution.config import ExecutorConfig
from gemma4_ros.execution.executor import PlanExecutor
from gemma4_ros.execution.sim_bindings import sim_bindings
from gemma4_ros.execution.sim_config import SimConfig
from gemma4_ros.execution.sim_robot import SimRobot
from gemma4_ros.execution.state import step_result
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.nodes.executor_config import ExecutorNodeConfig
from gemma4_ros.interfaces import (
    ConfirmRequest, ConfirmResponse, ExecutePlanFeedback, ExecutePlanResult, ResetEStopRequest,
    ResetEStopResponse,
)
from gemma4_ros.nodes.liveness import HEARTBEAT_TYPE, Liveness, PeerSilentError, WatchTick
from gemma4_ros.nodes.plan_goals import PlanGoals
from gemma4_ros.nodes.robot_state import TopicRobotState
from gemma4_ros.nodes.ros_bindings import register_ros_bindings
from gemma4_ros.nodes.transport import Endpoints, GoalContext, GoalEnd, Qos, Transport
from gemma4_ros.safety.audit import AuditLog
from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.safety.estop import EStopLatch
from gemma4_ros.safety.gate import SafetyGate
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import ExecutorStatus, Plan, ResultStatus, SafetyVerdict, ToolResult

ESTOP_GROUP = "estop"
WATCHDOG_GROUP = "watchdog"
WATCH_PERIOD_S = 0.25  # how often the planner's silence is checked (at most a quarter timeout)
# A watch tick this many periods late means this process was held up: the planner is judged on
# the next tick, once the heartbeats queued meanwhile have been read.
STALL_PERIODS = 4
RESULT_DEPTH = 100
DRAIN_S = 2.0  # how long deactivation waits for ExecutePlan goals to end after the cancel


class ExecutorNodeLogic:
    """Build with the node's transport and settings; then :meth:`activate` to serve plans."""

    def __init__(self, transport: Transport, config: ExecutorNodeConfig,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Loads every config file now, so a bad file fails here (lifecycle: on_configure).
        ``clock`` times steps; stamps and the gate use the transport's clock (ROS time)."""
        self.transport = transport
        self.config = config
        now = transport.now
        self.tools = ToolRegistry.load(config.path("tools_file"))
        self.estop = EStopLatch(clock=now)
        self.audit = AuditLog(config.audit_file or None, clock=now)
        self._always, self._active, self._intake = Endpoints(), Endpoints(), Endpoints()
        try:
            self._build(clock)
        except BaseException:
            self._always.close()
            self.audit.close()
            raise

    def _build(self, clock: Callable[[], float]) -> None:
        transport, config, now = self.transport, self.config, self.transport.now
        self.gate = SafetyGate(self.tools, SafetyConfig.load(config.path("safety_file")),
                               self.estop, self.audit, clock=now)
        if config.mode:
            self.gate.set_mode(config.mode)
        self.robot: SimRobot | None = None
        self.bindings = self._bindings(clock)
        self._status_pub = transport.publisher("~/status", ExecutorStatus, qos=Qos.LATCHED, depth=1)
        self._result_pub = transport.publisher("~/results", ToolResult, depth=RESULT_DEPTH)
        self._verdict_pub = transport.publisher("~/verdicts", SafetyVerdict, depth=RESULT_DEPTH)
        self.executor = PlanExecutor(
            self.gate, self.tools, self.bindings, self.estop, self.audit, clock=clock,
            stamp_clock=now, config=ExecutorConfig.load(config.path("executor_file")),
            on_status=self._on_status, on_result=self._on_result,
            on_verdict=self._verdict_pub.publish)
        self.goals = PlanGoals(self.executor)
        self.planner_liveness = Liveness(
            "planner", config.planner_timeout_s, now, "message on planner_heartbeat",
            "start planner_node (it publishes ~/heartbeat) and remap planner_heartbeat to it, or "
            "set planner_timeout_s to 0 if plans come from elsewhere")
        self._planner_lost = self._planner_met = False
        self._watch_period_s = min(WATCH_PERIOD_S, self.planner_liveness.timeout_s / 4)
        self._watch_tick = WatchTick(now, STALL_PERIODS * self._watch_period_s)
        self._always.add(transport.subscribe("estop", bool, self._on_estop, qos=Qos.ESTOP,
                                             depth=1, group=ESTOP_GROUP))
        self._always.add(transport.service("~/reset_estop", ResetEStopRequest,
                                           ResetEStopResponse, self.reset_estop))
        self.executor.start()

    def _bindings(self, clock: Callable[[], float]) -> BindingRegistry:
        """``sim``: the sim robot runs ``sim`` tools and is the state; ``ros``: topics are."""
        if self.config.robot == "sim":
            self.robot = SimRobot(SimConfig.load(self.config.path("sim_file")), self.tools.places,
                                  clock=clock, stamp_clock=self.transport.now)
            bindings = sim_bindings(self.robot)
        else:
            reader = TopicRobotState(self.transport.now, self.transport.logger,
                                     self.config.pose_type, bool(self.config.battery_type))
            for sub in reader.subscribe(self.transport, self.config.battery_type):
                self._always.add(sub)
            bindings = BindingRegistry(reader.robot_state)
        register_ros_bindings(bindings, self.transport, self.tools)
        return bindings

    # --- lifecycle -------------------------------------------------------------------------------

    def activate(self) -> None:
        """Serve plans, goals and confirmations; start the status heartbeat."""
        transport = self.transport
        self._intake.add(transport.subscribe("plan", Plan, self.on_plan, qos=Qos.LATCHED))
        self._active.add(transport.action_server(
            "~/execute_plan", (Plan, ExecutePlanFeedback, ExecutePlanResult), self.execute_plan))
        self._active.add(transport.service("~/confirm", ConfirmRequest, ConfirmResponse,
                                           self.confirm))
        self._active.add(transport.timer(self.config.status_period_s, self._heartbeat))
        self._heartbeat()
        liveness = self.planner_liveness
        liveness.restart()
        self._watch_tick.restart()
        self._planner_lost = self._planner_met = False
        if liveness.watching:
            self._active.add(transport.raw_subscribe(
                "planner_heartbeat", HEARTBEAT_TYPE, lambda _: liveness.beat(),
                group=WATCHDOG_GROUP))
            self._active.add(transport.timer(self._watch_period_s, self.watch_planner,
                                             group=WATCHDOG_GROUP))

    def deactivate(self) -> None:
        """Stop taking plans, cancel whatever runs (an inactive node moves nothing), let the
        ExecutePlan goals report that, then stop serving."""
        self._intake.close()
        self.executor.cancel("executor node deactivated")
        if not self.goals.drain(DRAIN_S):
            self.transport.logger.warning("ExecutePlan goals still running at deactivation")
        self._active.close()
        self.executor.cancel("executor node deactivated")  # a goal that slipped in meanwhile

    def close(self) -> None:
        """Release everything (lifecycle: on_cleanup / on_shutdown); final."""
        self.deactivate()
        self._always.close()
        self.executor.close()
        self.audit.close()

    # --- handlers --------------------------------------------------------------------------------

    def on_plan(self, plan: Plan) -> None:
        if not self.config.execute_published_plans:
            return
        try:
            self._require_planner(plan)
        except PeerSilentError as error:
            # Every step is answered on ~/results, as the executor answers any refused plan,
            # so whoever sent it sees why nothing moved.
            now = self.transport.now()
            for step in plan.steps:
                self._result_pub.publish(step_result(plan, step, ResultStatus.REJECTED, now,
                                                     f"plan refused: {error}"))
            return
        _, fresh = self.goals.submit(plan)
        if not fresh:
            self.transport.logger.info(
                f"plan {plan.plan_id!r} was already submitted; not run again")

    def execute_plan(self, goal: GoalContext[Plan, ExecutePlanFeedback]
                     ) -> GoalEnd[ExecutePlanResult]:
        """ExecutePlan: refused while the planner is silent, else run (or attach to) the plan."""
        try:
            self._require_planner(goal.goal)
        except PeerSilentError as error:
            return GoalEnd("aborted", ExecutePlanResult(success=False, error=str(error)))
        return self.goals.execute(goal)

    def watch_planner(self) -> None:
        """Timer: on the planner falling silent, cancel the running plan (once per silence);
        log when it is first heard and when it is heard again. All are audited. A tick that
        comes late says this node itself was held up: that is logged, and the planner is
        judged on the next tick rather than blamed for heartbeats still waiting to be read."""
        stall = self._watch_tick.tick()
        if stall is not None:
            self.audit.record("watch_stalled", stalled_s=round(stall, 3),
                              period_s=self._watch_period_s)
            self.transport.logger.warning(
                f"the executor's planner watch ran {stall:.1f} s after its last check (period "
                f"{self._watch_period_s:g} s): this process was held up (CPU starved or its "
                "callbacks blocked); the planner is judged on the next check")
            return
        silence = self.planner_liveness.silent_for()
        if silence is None:
            if self._planner_lost or (self.planner_liveness.heard and not self._planner_met):
                self.audit.record("planner_heard", after_silent=self._planner_lost)
                self.transport.logger.info("planner heard again: plans are accepted"
                                           if self._planner_lost else
                                           "planner heard: plans are accepted")
                self._planner_lost, self._planner_met = False, True
            return
        if self._planner_lost:
            return
        self._planner_lost = True
        reason = f"planner silent for {silence:.1f} s"
        self.audit.record("planner_silent", silent_s=round(silence, 3),
                          timeout_s=self.planner_liveness.timeout_s)
        self.transport.logger.error(f"{reason}: the running plan is cancelled and new plans "
                                    "are refused until it is heard again")
        self.executor.cancel(reason)

    def _require_planner(self, plan: Plan) -> None:
        """Raise PeerSilentError (logged and audited) while the planner is silent."""
        try:
            self.planner_liveness.check()
        except PeerSilentError as error:
            self.audit.record("plan_refused", plan_id=plan.plan_id, reason=str(error))
            self.transport.logger.error(f"plan {plan.plan_id!r} refused: {error}")
            raise

    def _on_estop(self, pressed: bool) -> None:
        if pressed:
            self.estop.trigger("e-stop message on the estop topic")

    def reset_estop(self, request: ResetEStopRequest) -> ResetEStopResponse:
        """Release the latch; nothing resumes by itself (the stopped plan is over)."""
        was = self.estop.latched
        try:
            self.estop.reset(request.operator_id)
        except Gemma4RosError as error:
            return ResetEStopResponse(success=False, message=str(error))
        self.audit.record("estop_reset", operator=request.operator_id, was_latched=was)
        self.transport.logger.warning(f"e-stop reset by {request.operator_id}")
        message = "e-stop released; send a new plan" if was else "e-stop was not latched"
        return ResetEStopResponse(success=True, message=message)

    def confirm(self, request: ConfirmRequest) -> ConfirmResponse:
        reply = self.executor.confirm(request.plan_id, request.step_index, request.approve,
                                      request.operator_id)
        return ConfirmResponse(accepted=reply.accepted, message=reply.message)

    def set_mode(self, mode: str) -> None:
        """Switch the gate's operating mode; raises UnknownModeError naming the modes."""
        self.gate.set_mode(mode)
        self.transport.logger.info(f"operating mode: {mode}")

    def _on_status(self, status: ExecutorStatus) -> None:
        self.goals.on_status(status)
        self._status_pub.publish(status)

    def _on_result(self, result: ToolResult) -> None:
        self.goals.on_result(result)
        self._result_pub.publish(result)

    def _heartbeat(self) -> None:
        self._status_pub.publish(self.executor.status)
