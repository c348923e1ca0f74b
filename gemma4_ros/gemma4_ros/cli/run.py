"""``gemma4-ros run``: the whole pipeline without ROS — commands in, plans, verdicts, step
results and the simulated robot's pose out.

Commands come from the terminal (an interactive prompt, the default), a text file
(``--commands FILE``, one per line, ``#`` comments), one argument (``--once "..."``), a recording
(``--audio FILE``) or the microphone (``--mic``, with the prompt still open). Frames come from
``--image``, ``--video`` or ``--webcam``; ``--image`` is also what the sim robot's camera
returns to ``capture_image``. Exit code: 0 when every command got a plan and every step of it
succeeded; 1 when a command got no plan, the model declined it (a plan without calls) or a step
did not succeed; 2 for bad input (missing or undecodable files, bad config, audio for a model
that cannot hear).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gemma4_ros.cli.arguments import add_config_options, add_model_option
from gemma4_ros.cli.text import command_text, text_problem
from gemma4_ros.nodes.executor_config import ExecutorNodeConfig
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.perception.sources import (
    BackgroundReader,
    ImageFiles,
    Microphone,
    VideoFrames,
    WavChunks,
    open_frames,
)
from gemma4_ros.cli.command_file import read_commands
from gemma4_ros.pipeline.operator import TERMINAL, operator_for
from gemma4_ros.pipeline.console import Console, Done
from gemma4_ros.pipeline.model import load_cli_planner
from gemma4_ros.pipeline.wiring import Event, Pipeline, PlanningFailed, all_succeeded
from gemma4_ros.planning.media import require_encoder
from gemma4_ros.recording import FlightRecorder
from gemma4_ros.recording.metadata import config_files, record_metadata
from gemma4_ros.media.decode import load_image
from gemma4_ros.types import AudioChunk, AudioEncoding, Pose2D

STILL_IMAGE_INTERVAL_S = 0.5  # a still image is re-sent like a camera seeing the same scene
END_SILENCE_S = 1.0
RECORDING_CHUNK_S = 0.1  # appended to a recording so its last utterance ends
HELP = ("type a command, or: /ask QUESTION (copilot), /estop, /reset (release the e-stop), "
        "/confirm or /deny (the step waiting for an operator), /quit")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "run", help="plan and execute commands on the simulated robot (no ROS needed)",
        description="Planner and executor on the in-process bus with the simulated robot: "
                    "prints plans, gate verdicts, step results and the robot's pose.")
    commands = parser.add_mutually_exclusive_group()
    commands.add_argument("--once", metavar="COMMAND", type=command_text,
                          help="run one command to completion and exit (0: every step succeeded)")
    commands.add_argument("--commands", metavar="FILE", help="run the commands in FILE in order")
    commands.add_argument("--audio", metavar="FILE", help="voice commands from a WAV/FLAC/OGG file")
    commands.add_argument("--mic", action="store_true",
                          help="voice commands from the microphone (the prompt stays open)")
    frames = parser.add_mutually_exclusive_group()
    frames.add_argument("--image", metavar="FILE", help="camera: an image file or a folder")
    frames.add_argument("--video", metavar="FILE", help="camera: a video file (looped)")
    frames.add_argument("--webcam", metavar="N", type=int, help="camera: webcam index N")
    add_model_option(parser)
    add_config_options(parser, "tools", "safety", "sim", "planner-config", "runtime-config",
                       "perception-config")
    parser.add_argument("--mode", help="the gate's operating mode (default: safety.yaml's)")
    parser.add_argument("--audit", metavar="FILE",
                        help="append the gate's and executor's audit records to FILE (JSONL, "
                        "fsync'ed); default: kept in memory only")
    parser.add_argument("--record", metavar="FILE.mcap",
                        help="write a flight record (MCAP, ROS 2 messages): commands, the "
                        "inputs each plan was made from, plans, verdicts, results, status, "
                        "e-stops, with the model and config hash in its metadata")
    parser.add_argument("--json", action="store_true", help="print one JSON object per event")
    parser.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                        help="longest wait for one command to be planned and run (default 300)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    # Bad paths, undecodable images and empty command files fail before the model loads.
    frames = _frame_source(args)
    commands = read_commands(args.commands) if args.commands is not None else []
    planner = load_cli_planner(args.model, args.tools, args.planner_config, args.runtime_config)
    if args.audio is not None or args.mic:
        require_encoder(planner.engine, "audio")  # not one failure per utterance heard
    robot: list[Pipeline] = []
    console = Console(sys.stdout, json_mode=args.json, live=sys.stdout.isatty(),
                      pose=lambda: _pose(robot))
    executor_config = ExecutorNodeConfig(tools_file=args.tools or "",
                                         safety_file=args.safety or "", sim_file=args.sim or "",
                                         mode=args.mode or "", audit_file=args.audit or "")
    node_config = PlannerNodeConfig(tools_file=args.tools or "",
                                    perception_file=args.perception_config or "",
                                    listen=bool(args.audio or args.mic),
                                    plan_with_camera=frames is not None)
    readers: list[BackgroundReader[Any]] = []
    recorder = _recorder(args, planner.model_name)
    try:
        with Pipeline(planner, console, executor_config, node_config,
                      operator=operator_for(console.line), recorder=recorder) as pipeline:
            robot.append(pipeline)
            if args.image is not None and pipeline.executor.robot is not None:
                pipeline.executor.robot.use_camera_source(Path(args.image).expanduser())
            if frames is not None:
                readers.append(BackgroundReader(frames, pipeline.show, name="frames").start())
            return _dispatch(args, commands, pipeline, console, readers)
    finally:
        for reader in readers:
            reader.stop()
        if recorder is not None:
            _close_record(recorder, console)
        console.close()


def _dispatch(args: argparse.Namespace, commands: list[str], pipeline: Pipeline,
              console: Console, readers: list[BackgroundReader[Any]]) -> int:
    if args.once is not None:
        return 0 if run_one(pipeline, console, args.once, args.timeout) else 1
    if commands:
        results = [run_one(pipeline, console, line, args.timeout) for line in commands]
        return 0 if all(results) else 1
    if args.audio is not None:
        return run_recording(pipeline, console, Path(args.audio), args.timeout)
    if args.mic:
        readers.append(BackgroundReader(Microphone(), pipeline.hear_chunk, name="mic").start())
        console.line("listening on the microphone; speak a command")
    return interactive(pipeline, console, args.timeout)


def run_one(pipeline: Pipeline, console: Console, text: str, timeout: float | None) -> bool:
    """Plan and run one command; True when it got calls and every one succeeded."""
    try:
        results = pipeline.run_command(text, timeout)
    except PlanningFailed:
        console(Event("done", Done(False, "done: no plan")))
        return False
    ok = bool(results) and all_succeeded(results)
    summary = ("done: no tool calls (the model declined)" if not results else
               f"done: all {len(results)} steps succeeded" if ok else
               "done: " + ", ".join(f"step {i + 1} {r.status.value}"
                                    for i, r in enumerate(results)
                                    if r.status.value != "SUCCEEDED"))
    console(Event("done", Done(ok, summary)))
    return ok


def run_recording(pipeline: Pipeline, console: Console, path: Path, timeout: float) -> int:
    """Every utterance in the recording becomes a voice command; waits until all have run."""
    source = WavChunks(path, chunk_s=RECORDING_CHUNK_S)
    chunks = list(source)
    end = chunks[-1].stamp + RECORDING_CHUNK_S if chunks else 0.0
    pipeline.hear(chunks + [_silence(end, source.sample_rate)], timeout)
    seen = pipeline.settle(timeout)
    failures = pipeline.planner.stats.failures
    ok = bool(seen) and failures == 0 and all(
        t.results and all_succeeded(t.results) for t in seen)
    summary = f"done: {len(seen)} voice plan(s), {failures} planning failure(s)"
    console(Event("done", Done(ok, summary)))
    return 0 if ok else 1


def interactive(pipeline: Pipeline, console: Console, timeout: float) -> int:
    console.line(HELP)
    while True:
        try:
            text = input("> ").strip()
        except EOFError:
            return 0
        except UnicodeDecodeError as error:  # a typed byte that is not UTF-8 (strict stdin)
            console.line(f"not UTF-8 text (byte {error.object[error.start]:#04x}); type it again")
            continue
        if text_problem(text):  # the same byte, passed on as a surrogate (surrogateescape stdin)
            console.line(f"{text_problem(text)}; type it again")
            continue
        if not text:
            continue
        if text == "/quit":
            return 0
        if text == "/estop":
            pipeline.press_estop()
        elif text == "/reset":
            console.line(pipeline.reset_estop())
        elif text.startswith("/ask "):
            pipeline.ask(text[5:].strip(), timeout=timeout)
        elif text in ("/confirm", "/deny"):
            answer_at_prompt(pipeline, console, approve=text == "/confirm")
        elif text.startswith("/"):
            console.line(HELP)
        else:
            run_one(pipeline, console, text, timeout)


def answer_at_prompt(pipeline: Pipeline, console: Console, approve: bool) -> None:
    """``/confirm`` or ``/deny`` typed at the prompt: for a step that waits while no command is
    being waited for (a voice plan heard from ``--mic``)."""
    pending = pipeline.pending_confirmation()
    if pending is None:
        console.line("no step is waiting for an operator")
        return
    console.line(pipeline.confirm(pending, approve, TERMINAL))


def _recorder(args: argparse.Namespace, model: str) -> FlightRecorder | None:
    if args.record is None:
        return None
    files = config_files({"tools": args.tools, "safety": args.safety, "sim": args.sim,
                          "planner": args.planner_config, "models": args.runtime_config,
                          "perception": args.perception_config})
    return FlightRecorder(args.record, record_metadata(model, files))


def _close_record(recorder: FlightRecorder, console: Console) -> None:
    stats = recorder.close()
    lost = (f", {stats.dropped} dropped (queue full)" if stats.dropped else "") + (
        f", {stats.failed} not encodable (see the log)" if stats.failed else "")
    console.line(f"flight record: {stats.written} messages in {recorder.path}{lost}")


def _frame_source(args: argparse.Namespace) -> ImageFiles | VideoFrames | None:
    if args.image is not None:
        still = ImageFiles(args.image, loop=True)
        for path in still.paths:  # a corrupt file is an error now, not a reader that dies
            load_image(path)
        still.natural_interval_s = STILL_IMAGE_INTERVAL_S
        return still
    if args.video is not None:
        return VideoFrames(args.video, loop=True)
    if args.webcam is not None:
        return open_frames(args.webcam)
    return None


def _silence(stamp: float, rate: int) -> AudioChunk:
    samples = int(END_SILENCE_S * rate)
    return AudioChunk(stamp=stamp, frame_id="microphone", sample_rate=rate, channels=1,
                      encoding=AudioEncoding.PCM_F32LE, data=bytes(4 * samples))


def _pose(pipelines: list[Pipeline]) -> Pose2D | None:
    robot = pipelines[0].executor.robot if pipelines else None
    return robot.pose if robot is not None else None
