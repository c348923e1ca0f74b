"""Settings of the planner node: which model and files, how requests queue, what it listens to.

The rclpy node declares one ROS parameter per field (descriptions and ranges from here, via
:mod:`gemma4_ros.nodes.parameters`); ``gemma4-ros run`` builds it directly. Topic names are not
settings: they are fixed relative names that launch files remap (``image``,
``image/compressed``, ``audio``, ``command``, ``executor_status``), as ROS expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from gemma4_ros.config import StrictModel
from gemma4_ros.perception.config import PerceptionConfig
from gemma4_ros.planning.loading import load_planner
from gemma4_ros.planning.planner import Planner
from gemma4_ros.runtime.config import load_runtime_config

PROVIDER_CHAIN = ("tensorrt", "cuda", "cpu")
DEFAULT_VOICE_INSTRUCTION = "Carry out the operator's spoken command in the audio."


class PlannerNodeConfig(StrictModel):
    """Planner node parameters; empty file paths mean the packaged defaults."""

    autostart: bool = Field(default=False, description="configure and activate at start-up "
                            "(the launch files' autostart argument); false: wait for a lifecycle "
                            "manager or `ros2 lifecycle set`")
    model_dir: str = Field(default="", description="Gemma 4 ONNX model directory; empty: "
                           "model_dir of models.yaml")
    provider: Literal["auto", "tensorrt", "cuda", "cpu"] = Field(
        default="auto", description="ONNX Runtime execution provider to start from (tensorrt "
        "falls back to cuda, then cpu, for what it cannot run); auto: providers of models.yaml")
    tools_file: str = Field(default="", description="tools.yaml (the executor must use the "
                            "same file); empty: the packaged default")
    planner_file: str = Field(default="", description="planner.yaml (prompts, limits); empty: "
                              "the packaged default")
    runtime_file: str = Field(default="", description="models.yaml (providers, threads, "
                              "TensorRT); empty: the packaged default")
    perception_file: str = Field(default="", description="perception.yaml (frame age, VAD); "
                                 "empty: the packaged default")
    max_queued: int = Field(default=2, ge=0, le=16, description="requests that may wait "
                            "behind the running one; more are refused with 'planner busy'")
    plan_with_camera: bool = Field(default=False, description="show the latest camera frame "
                                   "with every text or voice command (needs a vision encoder)")
    listen: bool = Field(default=True, description="segment the audio topic into utterances "
                         "and plan each as a voice command (needs an audio encoder)")
    voice_instruction: str = Field(default=DEFAULT_VOICE_INSTRUCTION, min_length=1,
                                   description="text sent with each utterance's audio")
    ask_timeout_s: float = Field(default=120.0, gt=0.0, le=3600.0, description="an Ask "
                                 "request that has not been answered by then is cancelled")
    diagnostics_period_s: float = Field(default=1.0, ge=0.1, le=60.0, description="seconds "
                                        "between diagnostics messages")
    heartbeat_period_s: float = Field(default=0.5, ge=0.05, le=10.0, description="seconds "
                                      "between ~/heartbeat messages (the executor watches them)")
    executor_timeout_s: float = Field(
        default=0.0, ge=0.0, le=60.0, description="no plan is published for execution once "
        "the executor's status (executor_status) has been silent this long; 0: do not watch "
        "(plans go to some other consumer)")
    record: str = Field(default="", description="write a flight record (MCAP) of every "
                        "command, the inputs of each plan, the plans and the executor's "
                        "verdicts, results and status to this file; empty: none")
    documents: bool = Field(default=False, description="answer Ask from the manuals "
                            "copilot_file names: indexed at configure (only what changed), "
                            "searched for each question, cited in the response; false: answer "
                            "from the question and image alone")
    ask_events: int = Field(default=0, ge=0, le=20, description="Ask answers from the latest "
                            "this many events that stopped or held a plan (the executor's "
                            "refusals, confirmations, failed steps; e-stops), cited with their "
                            "rule ids; 0: not (the demo model was not taught to read them: "
                            "its answers go astray beside them)")
    ask_logs: int = Field(default=0, ge=0, le=20, description="Ask answers from the latest "
                          "this many warnings and errors the robot's nodes logged on /rosout, "
                          "cited by node; 0: /rosout is not read (as ask_events: for a model "
                          "taught to read them)")
    ask_diagnostics: int = Field(default=0, ge=0, le=20, description="Ask answers from the "
                                 "latest /diagnostics status of this many components, the "
                                 "troubled first, cited with level and values; 0: "
                                 "/diagnostics is not read (as ask_events)")
    ask_tool_calls: int = Field(default=0, ge=0, le=8, description="Ask lets the model call "
                                "the read-only tools itself (search_manual with documents, "
                                "recent_events, recent_logs, diagnostics as the ask_* "
                                "parameters enable them), up to this many times, instead of "
                                "being given them first; 0: given first")
    copilot_file: str = Field(default="", description="copilot.yaml (manual folders, index "
                              "file); empty: the packaged default, the simulated robot's manual")
    safety_file: str = Field(default="", description="safety.yaml whose confidence "
                             "threshold and grounding check decide which steps of a manual's "
                             "procedure an Ask with want_plan keeps as the model's calls; empty: "
                             "the packaged default")
    warning_throttle_s: float = Field(default=5.0, ge=0.0, le=3600.0, description="the same "
                                      "input warning (e.g. an unsupported image encoding) is "
                                      "logged at most once per this many seconds")

    def path(self, name: Literal["model_dir", "tools_file", "planner_file", "runtime_file",
                                 "perception_file", "record", "copilot_file",
                                 "safety_file"]) -> Path | None:
        """The path for ``name``, or None for the default."""
        value: str = getattr(self, name)
        return Path(value).expanduser() if value else None

    def perception(self) -> PerceptionConfig:
        return PerceptionConfig.load(self.path("perception_file"))


def load_node_planner(config: PlannerNodeConfig) -> Planner:
    """The planner these settings name; raises Gemma4RosError listing missing model files."""
    runtime = load_runtime_config(config.path("runtime_file"))
    if config.provider != "auto":
        chosen = PROVIDER_CHAIN[PROVIDER_CHAIN.index(config.provider):]
        runtime = runtime.model_copy(update={"providers": list(chosen)})
    return load_planner(config.path("model_dir"), config.path("tools_file"),
                        config.path("planner_file"), runtime)
