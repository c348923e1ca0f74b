"""``gemma4-ros doctor``: a truthful report of what this machine can run, each line with its fix.

Robotics users lose hours to "which provider is actually used" and "why is the model path empty"
(llama_ros#31): every check here looks at the real thing (imports the library, asks onnxruntime
for its providers, lists the model directory's files) instead of assuming, and says how to fix
what is missing.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.planning.loading import check_model_dir
from gemma4_ros.runtime.config import load_runtime_config
from gemma4_ros.runtime.model_files import PUBLIC_REPO, graph_present


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"  # works, but not as well as it could (e.g. no GPU provider)
    FAIL = "fail"  # a job of the package cannot run until this is fixed
    INFO = "info"  # a fact, nothing to fix


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    detail: str
    fix: str = ""


Check = Callable[[argparse.Namespace], list[Finding]]

# Run-time libraries: (import name, distribution name, why the package needs it).
REQUIRED_LIBRARIES = (
    ("numpy", "numpy", "arrays for images, audio and logits"),
    ("pydantic", "pydantic", "typed plans and config"),
    ("yaml", "pyyaml", "config files"),
    ("rosbags", "rosbags", "ROS 2 CDR serialization without ROS"),
    ("mcap", "mcap", "flight records (run --record)"),
)


def check_python(_: argparse.Namespace) -> list[Finding]:
    version = platform.python_version()
    if sys.version_info < (3, 10):
        return [Finding("python", Status.FAIL, f"Python {version}", "use Python 3.10 or newer")]
    return [Finding("python", Status.OK, f"Python {version} at {sys.executable}")]


def check_libraries(_: argparse.Namespace) -> list[Finding]:
    findings = []
    for module, distribution, purpose in REQUIRED_LIBRARIES:
        try:
            importlib.import_module(module)
            version = importlib.metadata.version(distribution)
            findings.append(Finding(f"library {distribution}", Status.OK, version))
        except ImportError as error:
            findings.append(Finding(
                f"library {distribution}", Status.FAIL, f"not importable ({error}); needed for {purpose}",
                f"pip install '{distribution}'",
            ))
    return findings


def check_onnxruntime(_: argparse.Namespace) -> list[Finding]:
    try:
        import onnxruntime
    except ImportError:
        return [Finding(
            "onnxruntime", Status.FAIL, "not installed; the model cannot run",
            "pip install onnxruntime (CPU) or onnxruntime-gpu; on Jetson the wheel from "
            "NVIDIA's Jetson AI Lab index matching your JetPack",
        )]
    providers = onnxruntime.get_available_providers()
    findings = [Finding("onnxruntime", Status.OK, f"{onnxruntime.__version__}, providers: "
                        f"{', '.join(providers)}")]
    if "TensorrtExecutionProvider" in providers:
        findings.append(Finding("provider TensorRT", Status.OK, "available (fastest on Jetson)"))
    elif "CUDAExecutionProvider" in providers:
        findings.append(Finding(
            "provider TensorRT", Status.WARN, "not available; CUDA will be used",
            "install TensorRT and an onnxruntime-gpu build with TensorRT support",
        ))
    else:
        findings.append(Finding(
            "provider GPU", Status.WARN, "no CUDA or TensorRT provider; inference runs on the CPU",
            "on a GPU machine: pip uninstall onnxruntime && pip install onnxruntime-gpu",
        ))
    return findings


def check_gpu(_: argparse.Namespace) -> list[Finding]:
    tegra = Path("/etc/nv_tegra_release")
    if tegra.exists():
        release = tegra.read_text(encoding="utf-8", errors="replace").splitlines()[0][:80]
        return [Finding("gpu", Status.OK, f"NVIDIA Jetson ({release})")]
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            listing = subprocess.run(
                [smi, "-L"], capture_output=True, text=True, timeout=10, check=False,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired) as error:
            return [Finding("gpu", Status.WARN, f"nvidia-smi failed: {error}",
                            "check the NVIDIA driver installation")]
        if listing:
            return [Finding("gpu", Status.OK, listing.replace("\n", "; "))]
    return [Finding("gpu", Status.INFO, "no NVIDIA GPU visible (nvidia-smi absent or lists none)",
                    "none needed: the CPU provider runs everything, slower")]


def check_ros(_: argparse.Namespace) -> list[Finding]:
    distro = os.environ.get("ROS_DISTRO")
    has_rclpy = importlib.util.find_spec("rclpy") is not None
    has_msgs = importlib.util.find_spec("gemma4_ros_msgs") is not None
    if has_rclpy and has_msgs:
        return [Finding("ros", Status.OK, f"ROS 2 {distro or '(distro unknown)'}: rclpy and "
                        "gemma4_ros_msgs importable")]
    if has_rclpy:
        return [Finding("ros", Status.WARN, f"rclpy found (ROS 2 {distro or '?'}) but not "
                        "gemma4_ros_msgs", "colcon build in your workspace, then "
                        "`source install/setup.bash`")]
    return [Finding("ros", Status.INFO, "ROS 2 not found; the standalone pipeline runs without it",
                    "for the nodes: install ROS 2 (Humble or newer) and "
                    "`source /opt/ros/$ROS_DISTRO/setup.bash`")]


ENCODERS = (("images", "vision_encoder"), ("audio", "audio_encoder"))


def check_model_files(args: argparse.Namespace) -> list[Finding]:
    """The model ``run``/``plan``/``ask`` would load: every file there, and what it can take in
    (a model without encoders plans from text only, so --image and --audio cannot work)."""
    try:
        runtime = load_runtime_config(args.runtime_config)
    except Gemma4RosError as error:
        return [Finding("model files", Status.FAIL, error.problem, error.hint)]
    runtime = runtime.with_model(args.model)
    root, demo = runtime.model_path, runtime.uses_demo_model
    try:
        check_model_dir(root, demo=demo)
    except Gemma4RosError as error:
        return [Finding("model files", Status.FAIL, error.problem, error.hint)]
    what = "embedded demo model" if demo else "model"
    return [Finding("model files", Status.OK, f"{what} {root}: every file the planner needs"),
            _inputs(root)]


def _inputs(root: Path) -> Finding:
    absent = [graph for _, graph in ENCODERS if not graph_present(root, graph)]
    if not absent:
        return Finding("model inputs", Status.OK, "takes text, images and audio")
    takes = ["text"] + [kind for kind, graph in ENCODERS if graph not in absent]
    missing = ", no ".join(f"onnx/{graph}.onnx" for graph in absent)
    return Finding("model inputs", Status.INFO,
                   f"takes {' and '.join(takes)} only: no {missing}, so {_flags(absent)} cannot "
                   "be planned from",
                   "for images and voice use a Gemma 4 ONNX export with its encoders "
                   f"(`hf download {PUBLIC_REPO}`, README: 'On a Jetson')")


def _flags(absent: list[str]) -> str:
    flags = (["--image"] if "vision_encoder" in absent else []) + (
        ["--audio/--mic"] if "audio_encoder" in absent else [])
    return " and ".join(flags)


CHECKS: tuple[Check, ...] = (check_python, check_libraries, check_onnxruntime, check_gpu,
                             check_ros, check_model_files)


def run_checks(args: argparse.Namespace) -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(args))
    return findings


def render(findings: list[Finding]) -> str:
    width = max(len(f.check) for f in findings)
    lines = []
    for finding in findings:
        line = f"[{finding.status.value:>4}] {finding.check:<{width}}  {finding.detail}"
        if finding.fix and finding.status is not Status.OK:
            line += f"\n       {'':<{width}}  fix: {finding.fix}"
        lines.append(line)
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    findings = run_checks(args)
    if args.json:
        print(json.dumps([asdict(f) for f in findings], indent=2))
    else:
        print(render(findings))
    return 1 if any(f.status is Status.FAIL for f in findings) else 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor", help="report Python, libraries, providers, GPU, ROS and model files, with fixes",
    )
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--model", metavar="DIR", type=Path,
                        help="check this model directory (default: model_dir of models.yaml; "
                        "empty there: the embedded demo model)")
    parser.add_argument("--runtime-config", metavar="FILE",
                        help="models.yaml (default: the packaged one)")
    parser.set_defaults(handler=handle)
