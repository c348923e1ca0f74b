"""The planner node's logic, written once against :class:`Transport` (bus or rclpy).

It holds a ready :class:`~gemma4_ros.planning.Planner` (loading and warming it is the caller's
job: the lifecycle node's configure, or ``gemma4-ros run``) and talks only through its transport:

=============================  ==========================================  =====================
endpoint                       what                                        QoS / group
=============================  ==========================================  =====================
``image`` (sub)                ``sensor_msgs/Image``: newest frame kept    sensor / ``camera``
``image/compressed`` (sub)     ``sensor_msgs/CompressedImage``: same slot  sensor / ``camera``
``audio`` (sub)                AudioChunk → VAD → one voice plan each      sensor / ``audio``
``command`` (sub, ``str``)     a text command → a plan, published          reliable / default
``estop`` (sub, ``bool``)      ``True`` cancels plan requests in flight    ESTOP / ``estop``
``~/plan`` (pub)               every plan with steps made for execution    latched
``~/instruct`` (action)        plan with partial text as feedback; cancel  reentrant
``~/ask`` (srv)                copilot answer; latest frame if none given  ``copilot``
``/diagnostics`` (pub)         model, provider, tokens/s, last error       reliable / timer
``~/heartbeat`` (pub)          ``std_msgs/Header`` every heartbeat period   reliable / ``heartbeat``
``executor_status`` (sub)      the executor's status: its sign of life      reliable / ``heartbeat``
=============================  ==========================================  =====================

Model out of the loop: no callback runs the model. Callbacks submit a job to the
:class:`~gemma4_ros.nodes.inference_worker.InferenceWorker` (one request at a time, a small FIFO;
a request beyond it is refused with "planner busy") and return; ``Instruct`` and ``Ask`` wait on
their job from their own groups, so the camera, audio and diagnostics groups — and the executor's
e-stop, in another node — never wait behind a generation. Every failure (no plan, no audio
encoder, busy) is logged and shown on diagnostics; the node keeps serving.

An e-stop also reaches the planner: what was asked before it is void, so the running and queued
plan requests are cancelled rather than published after an operator has reset the stop (Ask
questions go on: an answer moves nothing). Like the
executor's, this subscription lives from construction to :meth:`close`.

Heartbeats both ways (:mod:`gemma4_ros.nodes.liveness`): the executor watches ``~/heartbeat``,
and with ``executor_timeout_s`` set the planner publishes no plan for execution while the
executor's status has gone silent — the request fails with a message that says so instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.copilot.loop import ConsultedError
from gemma4_ros.nodes.ask_sources import RECORD_DEPTH, RECORD_GROUP, AskSources
from gemma4_ros.nodes.inference_worker import InferenceWorker, Job, PlannerBusyError
from gemma4_ros.nodes.liveness import HEARTBEAT_TYPE, Liveness, PeerSilentError
from gemma4_ros.interfaces import (
    AskRequest,
    AskResponse,
    CompressedImageData,
    DiagnosticReport,
    DiagnosticStatus,
    ImageData,
    InstructFeedback,
    InstructGoal,
    InstructResult,
)
from gemma4_ros.nodes.mission_record import MissionRecord
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.nodes.planner_inputs import CameraInput, Throttle, frame_from_image_data
from gemma4_ros.nodes.planner_stats import Load, PlannerStats
from gemma4_ros.nodes.transport import Endpoints, GoalContext, GoalEnd, Qos, Transport
from gemma4_ros.perception.config import PerceptionConfig
from gemma4_ros.perception.frame import Frame
from gemma4_ros.perception.listener import SpeechListener
from gemma4_ros.perception.utterances import SAMPLE_RATE, Utterance
from gemma4_ros.perception.vad import VoiceDetector
from gemma4_ros.planning.errors import (MediaUnavailableError, PlanCancelledError,
                                        PlanningError)
from gemma4_ros.planning.planner import Planner
from gemma4_ros.planning.stream import PlanStream
from gemma4_ros.stamps import split_stamp
from gemma4_ros.types import (
    AudioChunk,
    ExecutorStatus,
    Plan,
    PlanSource,
    SafetyVerdict,
    ToolResult,
)

CAMERA_GROUP = "camera"
AUDIO_GROUP = "audio"
COPILOT_GROUP = "copilot"
DIAGNOSTICS_GROUP = "diagnostics"
ESTOP_GROUP = "estop"
HEARTBEAT_GROUP = "heartbeat"
FEEDBACK_PERIOD_S = 0.05
AUDIO_DEPTH = 100
R = TypeVar("R")
M = TypeVar("M")


class PlannerNodeLogic:
    """Build with the node's transport and a ready planner; then :meth:`activate` to listen."""

    def __init__(self, transport: Transport, planner: Planner,
                 config: PlannerNodeConfig | None = None,
                 perception: PerceptionConfig | None = None,
                 detector: VoiceDetector | None = None,
                 recorder: MissionRecord | None = None) -> None:
        """``detector`` replaces the VAD that perception.yaml names (tests, custom VADs);
        ``recorder`` gets each command, each plan with the frame and speech it was made from,
        the e-stop and the executor's verdicts, results and status; closed with this logic."""
        self.transport = transport
        self.planner = planner
        self.config = config or PlannerNodeConfig()
        self.recorder = recorder
        # First: a bad copilot.yaml or safety.yaml leaves nothing open.
        self.sources = AskSources(self.config, transport.logger)
        self.perception = perception or self.config.perception()
        self._detector = detector
        self.camera = CameraInput(transport.logger, self.config.warning_throttle_s,
                                  clock=transport.now)
        self.worker = InferenceWorker(self.config.max_queued)
        provider = str(getattr(planner.engine.model, "provider", "unknown"))
        self.stats = PlannerStats(planner.model_name, provider)
        self.listener: SpeechListener | None = None
        self._once = Throttle(float("inf"))
        self._warn = Throttle(self.config.warning_throttle_s)
        self._active = Endpoints()
        self.executor_liveness = Liveness(
            "executor", self.config.executor_timeout_s, transport.now,
            "status on executor_status",
            "start executor_node (it republishes ~/status every status_period_s) and remap "
            "executor_status to it, or set executor_timeout_s to 0 if no executor runs the plans")
        self._plan_pub = transport.publisher("~/plan", Plan, qos=Qos.LATCHED, depth=1)
        self._heartbeat_pub = transport.raw_publisher("~/heartbeat", HEARTBEAT_TYPE)
        self._diagnostics_pub = transport.publisher("/diagnostics", DiagnosticReport)
        self._estop = transport.subscribe("estop", bool, self.on_estop, qos=Qos.ESTOP, depth=1,
                                          group=ESTOP_GROUP)

    # --- lifecycle -------------------------------------------------------------------------------

    def activate(self) -> None:
        """Subscribe to the sensors and commands, serve Instruct and Ask, report diagnostics."""
        t, add = self.transport, self._active.add
        add(t.subscribe("image", ImageData, self.camera.on_image, qos=Qos.SENSOR,
                        depth=1, group=CAMERA_GROUP))
        add(t.subscribe("image/compressed", CompressedImageData, self.camera.on_compressed,
                        qos=Qos.SENSOR, depth=1, group=CAMERA_GROUP))
        add(t.subscribe("command", str, self.on_command))
        if self.config.listen:
            self.listener = SpeechListener(self.on_utterance, self.perception,
                                           self._detector).start()
            add(t.subscribe("audio", AudioChunk, self.on_audio, qos=Qos.SENSOR,
                            depth=AUDIO_DEPTH, group=AUDIO_GROUP))
        add(t.action_server("~/instruct", (InstructGoal, InstructFeedback, InstructResult),
                            self.instruct))
        add(t.service("~/ask", AskRequest, AskResponse, self.ask, group=COPILOT_GROUP))
        add(t.timer(self.config.diagnostics_period_s, self.publish_diagnostics,
                    group=DIAGNOSTICS_GROUP))
        self.executor_liveness.restart()
        add(t.subscribe("executor_status", ExecutorStatus,
                        lambda _: self.executor_liveness.beat(), group=HEARTBEAT_GROUP))
        add(t.timer(self.config.heartbeat_period_s, self.publish_heartbeat,
                    group=HEARTBEAT_GROUP))
        self._follow_executor()
        self.sources.subscribe(t, self._active)
        self.publish_heartbeat()
        t.logger.info(f"planner ready: model {self.stats.model} on {self.stats.provider}")

    def _follow_executor(self) -> None:
        """The executor's verdicts and results into the flight record and the event log Ask
        reads, its status into the record, from the executor's own topics beside this node
        (``executor/...`` in the same namespace)."""
        t, add, recorder = self.transport, self._active.add, self.recorder
        events = self.sources.events
        verdicts: list[Callable[[SafetyVerdict], None]] = []
        results: list[Callable[[ToolResult], None]] = []
        if recorder is not None:
            verdicts.append(recorder.verdict)
            results.append(recorder.result)
        if events is not None:
            verdicts.append(events.add_verdict)
            results.append(events.add_result)
        if verdicts:
            add(t.subscribe("executor/verdicts", SafetyVerdict, _fan_out(verdicts),
                            depth=RECORD_DEPTH, group=RECORD_GROUP))
            add(t.subscribe("executor/results", ToolResult, _fan_out(results),
                            depth=RECORD_DEPTH, group=RECORD_GROUP))
        if recorder is not None:
            add(t.subscribe("executor/status", ExecutorStatus, recorder.status,
                            qos=Qos.LATCHED, depth=1, group=RECORD_GROUP))

    def deactivate(self) -> None:
        """Stop listening and serving; cancel what is planned or queued."""
        self._active.close()
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.stop(flush=False)
        self.worker.cancel_all()
        self.camera.frames.clear()

    def close(self) -> None:
        """Release everything (lifecycle: on_cleanup / on_shutdown); final."""
        self.deactivate()
        self._estop.close()
        self.worker.close()
        if self.recorder is not None:
            stats = self.recorder.close()
            self.transport.logger.info(
                f"flight record closed: {stats.written} messages, {stats.dropped} dropped, "
                f"{stats.failed} not encodable")

    # --- commands --------------------------------------------------------------------------------

    def on_command(self, text: str) -> None:
        """A text command: plan it and publish the plan for the executor."""
        if not text.strip():
            self.transport.logger.warning("ignored an empty text command")
            return
        self._submit_or_warn(lambda: self.submit_plan(text, PlanSource.TEXT))

    def on_estop(self, pressed: bool) -> None:
        """Cancel the plan requests in flight: a plan asked for before a stop is void.
        Questions (Ask) go on: answering moves nothing."""
        if pressed and self.recorder is not None:
            self.recorder.estop()
        if pressed and self.sources.events is not None:
            self.sources.events.add_estop(self.transport.now())
        if pressed and self.worker.cancel_all(lambda job: job.void_after_estop):
            self.transport.logger.warning("e-stop: plan requests in flight cancelled")

    def on_audio(self, chunk: AudioChunk) -> None:
        """Into the VAD's buffer (never waits on the VAD); a refused chunk is dropped."""
        listener = self.listener
        if listener is None:
            return
        try:
            listener.push(chunk)
        except Gemma4RosError as error:
            if self._warn.allow(f"audio: {error.problem}"):
                self.transport.logger.warning(
                    f"dropped an audio chunk: {error} — logged at most every "
                    f"{self._warn.period_s:g} s")

    def on_utterance(self, utterance: Utterance) -> None:
        """A voice command (the listener's thread): its audio goes to the model."""
        self.transport.logger.info(f"heard {utterance.duration_s:.1f} s of speech"
                                   + (" (cut at the length limit)" if utterance.cut else ""))
        self._submit_or_warn(lambda: self.submit_plan(
            self.config.voice_instruction, PlanSource.VOICE, audio=utterance.samples))

    def submit_plan(self, instruction: str, source: PlanSource, *,
                    audio: np.ndarray | None = None, publish: bool = True) -> Job[Plan]:
        """Queue a plan request; its future gives the plan (published first when ``publish``).
        Raises PlannerBusyError when the queue is full."""
        if self.recorder is not None and source is not PlanSource.VOICE:
            self.recorder.command(instruction)  # speech goes with its plan
        def run(job: Job[Plan]) -> Plan:
            if publish:  # before the generation too: no minutes spent on a plan nobody runs
                self._require_executor(job.kind)
            image = self._camera_frame() if self.config.plan_with_camera else None
            shown: list[Frame | None] = []  # the frame the model was given, after any fallback

            def start(frame: Frame | None) -> PlanStream[Plan]:
                shown.append(frame)
                return self.planner.plan_stream(instruction, None if frame is None else frame.rgb,
                                                audio, source=source, cancel=job.cancel)

            plan = self._generate(job, start, image, implicit_image=True)
            if self.recorder is not None:  # every plan, a declined one (no calls) too
                self.recorder.plan(plan, shown[-1] if shown else None, audio, SAMPLE_RATE)
            self.transport.logger.info(_plan_line(plan))
            if publish and plan.steps:  # no steps: the model declined; nothing to execute
                self._require_executor(job.kind)
                self._plan_pub.publish(plan)
                if self.sources.events is not None:
                    self.sources.events.add_plan(plan)
            return plan

        job: Job[Plan] = Job(f"{source.value} plan", run, void_after_estop=True)
        self.worker.submit(job)
        return job

    def _require_executor(self, kind: str) -> None:
        """Raise PeerSilentError (logged, and shown on diagnostics) while the executor is silent:
        a plan published then would run, if at all, on an executor no one can see."""
        try:
            self.executor_liveness.check()
        except PeerSilentError as error:
            self.stats.failed(str(error))
            self.transport.logger.error(f"{kind} not published: {error}")
            raise

    def _submit_or_warn(self, submit: Callable[[], Job[Plan]]) -> None:
        try:
            submit()
        except PlannerBusyError as error:
            self.stats.failed(str(error))
            self.transport.logger.warning(str(error))

    # --- Instruct action -------------------------------------------------------------------------

    def instruct(self, goal: GoalContext[InstructGoal, InstructFeedback]
                 ) -> GoalEnd[InstructResult]:
        """Plan the goal's instruction, streaming the text as feedback; cancel stops it."""
        request = goal.goal
        try:
            job = self.submit_plan(request.instruction, request.source, publish=request.execute)
        except PlannerBusyError as error:
            return GoalEnd("aborted", InstructResult(error=str(error)))
        canceled = self._follow(goal, job)
        try:
            plan = job.future.result()
        except PlanCancelledError as error:
            return GoalEnd("canceled" if canceled else "aborted", InstructResult(error=str(error)))
        except Exception as error:  # noqa: BLE001 - a PlanningError or a bug: the goal says
            return GoalEnd("aborted", InstructResult(error=_message(error)))
        return GoalEnd("succeeded", InstructResult(plan=plan, success=True))

    def _follow(self, goal: GoalContext[InstructGoal, InstructFeedback], job: Job[Plan]) -> bool:
        """Forward progress as feedback until the job ends; True if a cancel was requested."""
        canceled, sent = False, ("", 0)
        while True:
            done = bool(wait([job.future], timeout=FEEDBACK_PERIOD_S).done)
            if goal.is_cancel_requested and not canceled:
                job.cancel.set()
                canceled = True
            progress = job.progress()
            if progress != sent:
                goal.publish_feedback(InstructFeedback(partial_text=progress[0],
                                                       tokens_generated=progress[1]))
                sent = progress
            if done:
                return canceled

    # --- Ask service -----------------------------------------------------------------------------

    def ask(self, request: AskRequest) -> AskResponse:
        """Answer on the worker; this handler's own group waits, nothing else does."""
        try:
            image = None if request.image is None else frame_from_image_data(request.image)
        except Gemma4RosError as error:
            return AskResponse(error=f"Ask.image: {error}")
        job: Job[AskResponse] = Job("ask", lambda job: self._answer(job, request, image))
        try:
            future: Future[AskResponse] = self.worker.submit(job)
            return future.result(timeout=self.config.ask_timeout_s)
        except FutureTimeout:
            job.cancel.set()
            return AskResponse(error=f"no answer within ask_timeout_s = "
                                     f"{self.config.ask_timeout_s:g} s; the request was cancelled")
        except Exception as error:  # noqa: BLE001 - busy, PlanningError or a bug: say so
            return AskResponse(error=_message(error))

    def _answer(self, job: Job[AskResponse], request: AskRequest,
                image: Frame | None) -> AskResponse:
        """The answer always; with ``want_plan`` also a proposed plan (source COPILOT, never
        sent to the executor from here): a manual's numbered procedure among the passages
        found, step by step, else a plan of the question, generated after the answer. A
        procedure's plan is sent even when the model gives no answer."""
        implicit = image is None
        frame = self._camera_frame() if implicit else image
        question = request.question
        if self.config.ask_tool_calls and image is None and not request.want_plan:
            return self._answer_with_tools(job, question)
        consulted, citations = self.sources.consult(self.planner, question)
        proposed = None
        found = (self.sources.procedure_plan(self.planner, question, job.cancel)
                 if request.want_plan else None)
        if found is not None:
            proposed, steps = found
            citations += steps
        try:
            answer = self._generate(job, lambda f: self.planner.ask_stream(
                question, None if f is None else f.rgb, cancel=job.cancel, consulted=consulted),
                frame, implicit)
        except PlanningError as error:  # no answer, but the passages were found: send them
            return AskResponse(citations=citations, plan=proposed, error=_message(error))
        if request.want_plan and proposed is None:
            proposed = self._generate(job, lambda f: self.planner.plan_stream(
                question, None if f is None else f.rgb, source=PlanSource.COPILOT,
                cancel=job.cancel), frame, implicit)
        return AskResponse(answer=answer.text, citations=citations, plan=proposed, success=True)

    def _answer_with_tools(self, job: Job[AskResponse], question: str) -> AskResponse:
        """Ask through the model's own loop (``ask_tool_calls``), without the camera frame: a
        question with an image or a want_plan takes the path above, where everything is given
        first."""
        try:
            answer = self.sources.answer_with_tools(self.planner, question, job.cancel)
        except ConsultedError as error:  # no answer, but what was consulted is sent
            return AskResponse(citations=error.citations, error=_message(error))
        except PlanningError as error:
            return AskResponse(error=_message(error))
        return AskResponse(answer=answer.text, citations=answer.citations, success=True)

    # --- the worker side -------------------------------------------------------------------------

    def _generate(self, job: Job[Any], start: Callable[[Frame | None], PlanStream[R]],
                  frame: Frame | None, implicit_image: bool) -> R:
        """Run one request on the worker thread: progress into the job, outcome into stats.

        A camera frame the request did not ask for is dropped, with one warning, when the model
        cannot see; an image the caller gave is never silently dropped."""
        try:
            try:
                stream = start(frame)
            except MediaUnavailableError as error:
                if frame is None or not implicit_image:
                    raise
                if self._once.allow("no-vision"):
                    self.transport.logger.warning(
                        f"camera frames are not shown to this model: {error}")
                stream = start(None)
            result = self._drain(job, stream)
        except PlanCancelledError:
            self.transport.logger.info(f"{job.kind} cancelled")
            raise
        except Exception as error:
            self.stats.failed(_message(error))
            self.transport.logger.error(f"{job.kind} failed: {_message(error)}")
            raise
        return result

    def _drain(self, job: Job[Any], stream: PlanStream[R]) -> R:
        tokens, first = 0, None
        for _ in stream:
            tokens += 1
            first = first if first is not None else time.monotonic()
            job.report(stream.text, tokens)
        result = stream.result()
        self.stats.succeeded(tokens, time.monotonic() - first if first is not None else 0.0)
        return result

    def _camera_frame(self) -> Frame | None:
        return self.camera.latest(self.perception.camera.max_frame_age_s)

    # --- diagnostics -----------------------------------------------------------------------------

    def diagnostics(self) -> DiagnosticStatus:
        frames = self.camera.frames.stats()
        listener = self.listener
        load = Load(busy=self.worker.busy, queued=self.worker.queued,
                    frames_received=frames.received, frames_dropped=self.camera.dropped,
                    frame_latency_s=frames.latency_last_s,
                    utterances=listener.stats().utterances if listener is not None else 0,
                    executor=self.executor_liveness.state(), record=self._record_counts())
        return self.stats.status(load, self.transport.now())

    def _record_counts(self) -> str:
        if self.recorder is None:
            return ""
        stats = self.recorder.stats()
        return f"{stats.written}/{stats.dropped}/{stats.failed}"

    def publish_diagnostics(self) -> None:
        status = self.diagnostics()
        self._diagnostics_pub.publish(DiagnosticReport(statuses=(status,), stamp=status.stamp))

    def publish_heartbeat(self) -> None:
        """``std_msgs/Header`` stamped now: the executor only needs that it arrives."""
        sec, nanosec = split_stamp(self.transport.now())
        self._heartbeat_pub.publish({"stamp": {"sec": sec, "nanosec": nanosec}, "frame_id": ""})


def _fan_out(sinks: list[Callable[[M], None]]) -> Callable[[M], None]:
    """One subscription's messages to every sink, in order."""
    def each(message: M) -> None:
        for sink in sinks:
            sink(message)
    return each


def _message(error: BaseException) -> str:
    if isinstance(error, Gemma4RosError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _plan_line(plan: Plan) -> str:
    calls = ", ".join(step.call.name for step in plan.steps) or "no tool calls"
    return f"plan {plan.plan_id} ({plan.source.value}): {calls}" + (
        f" — {plan.summary}" if plan.summary else "")
