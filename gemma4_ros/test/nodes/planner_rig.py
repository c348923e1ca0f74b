"""Helpers for planner-node tests: scripted planners (optionally gated mid-generation), and the
planner and executor node logics together on one in-process bus, as ``gemma4-ros run`` wires them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from gemma4_ros.bus import Bus
from gemma4_ros.nodes.bus_transport import BusTransport
from gemma4_ros.interfaces import DiagnosticReport, DiagnosticStatus, ImageData
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.nodes.planner_node import PlannerNodeLogic
from gemma4_ros.perception.frame import Frame, frame_to_raw
from gemma4_ros.perception.sources import WavChunks
from gemma4_ros.planning import Planner, PlannerConfig
from gemma4_ros.runtime.generation import Engine
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.chat.tool_syntax import format_value
from gemma4_ros.testing.scripted_model import Replies, ScriptedCache, ScriptedModel
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import AudioChunk, AudioEncoding, Plan
from node_rig import NS, WAIT_S, ExecutorRig, start_rig

WAIT = "<|tool_response>"
P = TypeVar("P", bound=Planner)
SPEECH_WAV = Path(__file__).parents[1] / "perception" / "data" / "speech_go_to_the_dock.wav"
TRANSCRIPT = "go to the dock"


def call(name: str, **arguments: Any) -> str:
    """One call as Gemma 4 writes it."""
    return f"<|tool_call>call:{name}{format_value(arguments)}<tool_call|>"


class GatedModel(ScriptedModel):
    """A scripted model that stops before its ``pause_at``-th generated token until
    :attr:`gate` is set: a generation that takes exactly as long as the test wants."""

    def __init__(self, tokenizer: Gemma4Tokenizer, replies: Replies, pause_at: int = 3) -> None:
        super().__init__(tokenizer, replies)
        self.pause_at = pause_at
        self.gate = threading.Event()
        self.paused = threading.Event()

    def forward(self, token_ids: np.ndarray, cache: ScriptedCache) -> np.ndarray:
        if cache.reply is not None and cache.length - cache.reply_start >= self.pause_at:
            self.paused.set()
            assert self.gate.wait(WAIT_S), "test never opened the gate"
        return super().forward(token_ids, cache)


def scripted(tokenizer: Gemma4Tokenizer, model: ScriptedModel,
             planner_class: type[P] = Planner, **config: Any) -> P:  # type: ignore[assignment]
    engine = Engine(model, eos_token_id=tokenizer.special_ids.eos, stop_token_ids=[])
    return planner_class(engine, tokenizer, ToolRegistry.load(), PlannerConfig(**config))


class HearingPlanner(Planner):
    """The real planner, with the audio encoder stood in by the recording's transcript."""

    heard: list[np.ndarray]

    def plan_stream(self, instruction: str, image: Any = None, audio: Any = None,
                    context: Any = None, **options: Any) -> Any:
        if audio is not None:
            self.heard.append(audio)
            instruction = f"{instruction} ({TRANSCRIPT})"
        return super().plan_stream(instruction, image, None, context, **options)


@dataclass
class PlannerRig:
    """Planner + executor logics on one bus, and what a bystander sees on their topics."""

    bus: Bus
    logic: PlannerNodeLogic
    executor: ExecutorRig
    plans: list[Plan] = field(default_factory=list)
    diagnostics: list[DiagnosticStatus] = field(default_factory=list)
    commands: Any = None
    images: Any = None

    def wait(self, predicate: Any, timeout: float = WAIT_S) -> bool:
        return self.bus.spin_until(predicate, timeout)

    def close(self) -> None:
        self.logic.close()
        self.executor.logic.close()


def start_planner_rig(bus: Bus, planner: Planner, config: PlannerNodeConfig | None = None,
                      recorder: Any = None, **executor_config: Any) -> PlannerRig:
    """The executor's ``plan`` topic is the planner's ``~/plan``, as the launch file remaps it."""
    executor = start_rig(bus, **executor_config)
    transport = BusTransport(bus.node("planner", NS))
    logic = PlannerNodeLogic(transport, planner, config or PlannerNodeConfig(listen=False),
                             recorder=recorder)
    rig = PlannerRig(bus, logic, executor)
    bus.subscribe(f"{NS}/planner/plan", Plan, rig.plans.append, latched=True, depth=100)
    bus.subscribe("/diagnostics", DiagnosticReport,
                  lambda report: rig.diagnostics.extend(report.statuses), depth=100)
    bus.subscribe(f"{NS}/planner/plan", Plan, executor.plans.publish, latched=True, depth=100)
    logic.activate()
    rig.commands = bus.publisher(f"{NS}/command", str)
    rig.images = bus.publisher(f"{NS}/image", ImageData, depth=1)
    return rig


def image_data(frame: Frame, encoding: str = "rgb8") -> ImageData:
    raw = frame_to_raw(frame, encoding)
    return ImageData(raw.data, raw.height, raw.width, raw.encoding, raw.step, frame.stamp,
                     frame.frame_id)


def solid_frame(stamp: float, value: int = 128) -> Frame:
    return Frame(np.full((8, 12, 3), value, dtype=np.uint8), stamp, "camera")


def speak(bus: Bus) -> None:
    """The recording as 20 ms microphone chunks, then a second of silence to end it."""
    audio = bus.publisher(f"{NS}/audio", AudioChunk, depth=200)
    chunks = list(WavChunks(SPEECH_WAV, chunk_s=0.02))
    silence = np.zeros(320, dtype="<f4").tobytes()
    stamp = chunks[-1].stamp + 0.02
    chunks += [AudioChunk(stamp=stamp + 0.02 * i, frame_id="microphone", sample_rate=16_000,
                          channels=1, encoding=AudioEncoding.PCM_F32LE, data=silence)
               for i in range(50)]
    for chunk in chunks:
        audio.publish(chunk)
