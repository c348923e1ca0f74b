"""A 2D differential-drive robot simulated without a thread: it catches up with the clock when asked.

Every public call first advances the simulation to ``clock()``, integrating the active motion in
closed form (see :mod:`motion`), draining or charging the battery. Nothing runs in the background,
so with a :class:`~gemma4_ros.testing.clock.FakeClock` a test decides exactly when time passes, and
in a real run (``time.monotonic``) the robot moves as fast as the wall clock says — sampled as often
as the executor polls, with the same end poses either way.

Simplifications, on purpose: motion is "turn in place, then drive straight" (what a diff-drive base
does under a simple controller), there are no obstacles (geofences are the gate's job) and ``stop``
halts at once (a real base decelerates; the gate and e-stop logic do not depend on how).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Callable, Mapping

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.execution.motion import Segment, SegmentKind, route_to
from gemma4_ros.execution.sim_camera import Frame, SimCamera
from gemma4_ros.execution.sim_config import SimConfig
from gemma4_ros.types import Pose2D, RobotState

log = logging.getLogger(__name__)

MESSAGE_LOG_LENGTH = 100


class MotionState(str, Enum):
    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"
    FAULT = "fault"


@dataclass
class Motion:
    """One commanded motion; the binding that started it holds it to learn how it ended."""

    description: str
    segments: deque[Segment]
    started_at: float
    goal: Pose2D | None = None
    docks: bool = False
    state: MotionState = MotionState.RUNNING
    error: str = ""
    segment_start: float = 0.0
    segment_pose: Pose2D = field(default_factory=Pose2D)
    segment_done: float = 0.0

    @property
    def remaining(self) -> float:
        """Metres plus radians still to go (a progress figure for feedback, not a distance)."""
        return sum(abs(s.amount) for s in self.segments) - self.segment_done


class UnknownPlaceError(Gemma4RosError):
    def __init__(self, place: str, known: list[str]) -> None:
        super().__init__(
            f"unknown place {place!r}; the sim knows {', '.join(sorted(known)) or 'no places'}",
            "use one of the named places declared in tools.yaml",
        )


class SimRobot:
    """Pose, motion, battery, camera and voice of the simulated robot; thread-safe, never blocks."""

    def __init__(
        self,
        config: SimConfig,
        places: Mapping[str, Pose2D],
        clock: Callable[[], float] = time.monotonic,
        stamp_clock: Callable[[], float] = time.time,
        start: Pose2D | None = None,
        on_speech: Callable[[str], None] | None = None,
        on_report: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self._places = dict(places)
        for key in ("start_place", "dock_place"):
            name = getattr(config, key)
            if name not in self._places and (key == "dock_place" or start is None):
                raise UnknownPlaceError(name, list(self._places))
        self._clock = clock
        self._stamp_clock = stamp_clock
        self._lock = threading.RLock()
        self._pose = start or self._places[config.start_place]
        self._battery = config.battery.initial
        self._docked = start is None and config.start_place == config.dock_place
        self._gripper_holding = False
        self._motion: Motion | None = None
        self._last = clock()
        self._camera = SimCamera(config.camera)
        self._frame: Frame | None = None
        self._on_speech = on_speech
        self._on_report = on_report
        self.speech: deque[str] = deque(maxlen=MESSAGE_LOG_LENGTH)
        self.reports: deque[str] = deque(maxlen=MESSAGE_LOG_LENGTH)

    # --- state -------------------------------------------------------------------------------

    @property
    def places(self) -> dict[str, Pose2D]:
        return dict(self._places)

    @property
    def pose(self) -> Pose2D:
        with self._lock:
            self._advance()
            return self._pose

    @property
    def battery(self) -> float:
        with self._lock:
            self._advance()
            return self._battery

    @property
    def docked(self) -> bool:
        with self._lock:
            self._advance()
            return self._docked

    def robot_state(self) -> RobotState:
        with self._lock:
            self._advance()
            return RobotState(stamp=self._stamp_clock(), pose=self._pose,
                              gripper_holding=self._gripper_holding, battery=self._battery)

    def now(self) -> float:
        """The simulation's time (its clock), for actions that wait."""
        return self._clock()

    def set_gripper_holding(self, holding: bool) -> None:
        """The sim has no gripper; scenarios and tests set what it would report."""
        with self._lock:
            self._gripper_holding = holding

    # --- motion ------------------------------------------------------------------------------

    def navigate_to(self, place: str) -> Motion:
        goal = self.place(place)
        return self._drive_to(goal, f"navigate_to {place}", docks=False)

    def dock(self) -> Motion:
        """Drive to the dock place; on arrival the robot charges until it moves again."""
        return self._drive_to(self.place(self.config.dock_place), "dock", docks=True)

    def move(self, distance: float, speed: float) -> Motion:
        """Drive ``distance`` metres straight ahead (negative: backwards) at up to ``speed`` m/s."""
        if speed <= 0 or not math.isfinite(speed) or not math.isfinite(distance):
            raise ValueError(f"move needs a finite distance and speed > 0; got {distance}, {speed}")
        limits = self.config.limits
        segment = Segment.make(SegmentKind.DRIVE, distance,
                               min(speed, limits.max_linear_speed), limits.linear_accel)
        return self._start([segment], f"move {distance:+.3f} m", goal=None, docks=False)

    def rotate(self, angle_deg: float) -> Motion:
        """Turn in place by ``angle_deg`` degrees (positive: counter-clockwise)."""
        if not math.isfinite(angle_deg):
            raise ValueError(f"rotate needs a finite angle; got {angle_deg}")
        segment = self._turn(math.radians(angle_deg))
        return self._start([segment], f"rotate {angle_deg:+.1f} deg", goal=None, docks=False)

    def stop(self, reason: str = "stopped") -> None:
        """Halt now; the active motion ends as STOPPED with ``reason``."""
        with self._lock:
            self._advance()
            self._end_motion(MotionState.STOPPED, reason)

    def update(self) -> None:
        """Catch up with the clock (motions finish, battery changes) without doing anything else."""
        with self._lock:
            self._advance()

    def place(self, name: str) -> Pose2D:
        try:
            return self._places[name]
        except KeyError:
            raise UnknownPlaceError(name, list(self._places)) from None

    # --- camera and voice --------------------------------------------------------------------

    def use_camera_source(self, source: Path) -> None:
        """Point the camera at an image file or folder, as ``camera.source`` in sim.yaml does:
        ``gemma4-ros run --image`` makes ``capture_image`` return the images the operator gave,
        not the test pattern."""
        camera = SimCamera(self.config.camera.model_copy(update={"source": source}))
        with self._lock:
            self._camera = camera

    def capture_image(self) -> Frame:
        with self._lock:
            self._frame = self._camera.capture(self._stamp_clock())
            return self._frame

    @property
    def latest_frame(self) -> Frame | None:
        """The last captured frame, for the copilot to answer questions about."""
        return self._frame

    def say(self, text: str) -> None:
        self._emit(text, self.speech, self._on_speech, "say")

    def report(self, text: str) -> None:
        self._emit(text, self.reports, self._on_report, "report")

    # --- internals ---------------------------------------------------------------------------

    def _emit(self, text: str, sink: deque[str], callback: Callable[[str], None] | None,
              verb: str) -> None:
        log.info("sim robot %s: %s", verb, text)
        with self._lock:
            sink.append(text)
        if callback is not None:
            callback(text)

    def _turn(self, angle: float) -> Segment:
        limits = self.config.limits
        return Segment.make(SegmentKind.TURN, angle, limits.max_angular_speed, limits.angular_accel)

    def _drive_to(self, goal: Pose2D, description: str, docks: bool) -> Motion:
        limits = self.config.limits
        with self._lock:
            self._advance()
            segments = [
                self._turn(amount) if kind is SegmentKind.TURN else
                Segment.make(kind, amount, limits.max_linear_speed, limits.linear_accel)
                for kind, amount in route_to(self._pose, goal)
            ]
            return self._start(segments, description, goal=goal, docks=docks)

    def _start(self, segments: list[Segment], description: str, goal: Pose2D | None,
               docks: bool) -> Motion:
        with self._lock:
            self._advance()
            self._end_motion(MotionState.STOPPED, f"superseded by {description}")
            now = self._clock()
            motion = Motion(description, deque(segments), now, goal=goal, docks=docks,
                            segment_start=now, segment_pose=self._pose)
            self._motion = motion
            if self._battery <= 0:
                self._end_motion(MotionState.FAULT, "battery empty; charge the robot first")
            elif not segments:
                self._finish_motion()
            else:
                self._docked = False
            return motion

    def _end_motion(self, state: MotionState, error: str) -> None:
        if self._motion is not None and self._motion.state is MotionState.RUNNING:
            self._motion.state = state
            self._motion.error = error
        self._motion = None

    def _finish_motion(self) -> None:
        motion = self._motion
        assert motion is not None
        if motion.goal is not None:
            self._pose = motion.goal  # exact, whatever rounding the segments left
        self._docked = motion.docks
        motion.state = MotionState.DONE
        self._motion = None

    def _advance(self) -> None:
        now = self._clock()
        elapsed = now - self._last
        if elapsed <= 0:
            return
        self._last = now
        travelled, turned = self._advance_motion(now)
        battery = self.config.battery
        if self._docked:
            change = battery.charge_per_s * elapsed
        else:
            change = -(battery.idle_drain_per_s * elapsed + battery.drain_per_m * travelled
                       + battery.drain_per_rad * turned)
        self._battery = min(1.0, max(0.0, self._battery + change))
        if self._battery <= 0 and self._motion is not None:
            self._end_motion(MotionState.FAULT, "battery empty; the robot stopped where it was")

    def _advance_motion(self, now: float) -> tuple[float, float]:
        """Move along the active motion up to ``now``; returns metres driven and radians turned."""
        motion = self._motion
        moved = {SegmentKind.DRIVE: 0.0, SegmentKind.TURN: 0.0}
        while motion is not None and motion.segments:
            segment = motion.segments[0]
            t = now - motion.segment_start
            duration = segment.profile.duration
            done = abs(segment.covered(min(t, duration)))
            moved[segment.kind] += done - motion.segment_done
            self._pose = segment.pose_at(motion.segment_pose, t)
            if t < duration:
                motion.segment_done = done
                break
            motion.segments.popleft()
            motion.segment_start += duration
            motion.segment_pose = self._pose
            motion.segment_done = 0.0
        if motion is not None and not motion.segments:
            self._finish_motion()
        return moved[SegmentKind.DRIVE], moved[SegmentKind.TURN]
