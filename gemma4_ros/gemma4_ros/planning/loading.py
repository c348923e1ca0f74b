"""A ready :class:`Planner` from files: model directory, tools.yaml, planner.yaml, models.yaml.

The first thing a robotics user meets is usually a model directory that is empty, half
downloaded or from another exporter (llama_ros#31). So before anything is loaded, the directory
is checked for every file the planner needs, and the error lists all that are missing at once,
with the command that fetches them — not the first missing file, one run at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.planning.config import PlannerConfig, load_planner_config
from gemma4_ros.planning.planner import Planner
from gemma4_ros.chat.chat_template import ChatFormat
from gemma4_ros.runtime.config import RuntimeConfig, load_runtime_config
from gemma4_ros.runtime.loader import engine_from_config
from gemma4_ros.runtime.model_files import (
    PUBLIC_REPO,
    VARIANT_SUFFIX,
    download_hint,
    graph_present,
)
from gemma4_ros.chat.tokenizer import TOKENIZER_FILE, Gemma4Tokenizer
from gemma4_ros.tools import ToolRegistry

PathLike = Union[str, Path]
_FILES = ("config.json", TOKENIZER_FILE)
_GRAPHS = ("embed_tokens", "decoder_model_merged")


def missing_model_files(root: Path) -> list[str]:
    """Files the planner needs that ``root`` lacks (a graph in any weights variant will do)."""
    missing = [name for name in _FILES if not (root / name).is_file()]
    variants = ", ".join(suffix for suffix in VARIANT_SUFFIX.values() if suffix)
    missing += [f"onnx/{graph}.onnx (or its {variants} variant)"
                for graph in _GRAPHS if not graph_present(root, graph)]
    return missing


def check_model_dir(root: Path, demo: bool = False) -> None:
    """Raise one error naming every missing file and how to get them. ``demo``: ``root`` is the
    embedded demo model, used because no model directory was configured — say so, since the
    user never named that directory."""
    if demo and missing_model_files(root):
        raise Gemma4RosError(
            f"no model directory given, and the embedded demo model {root} is missing "
            f"{'; '.join(missing_model_files(root))}",
            f"pass --model DIR (or set model_dir in models.yaml) to a Gemma 4 ONNX model "
            f"directory (README: 'On a Jetson'), e.g. `hf download {PUBLIC_REPO} --local-dir "
            f"~/models/gemma-4-E2B-it-ONNX`, or write one with `gemma4-ros export HF_DIR DIR`; "
            f"reinstall the package to restore the demo")
    if not root.is_dir():
        needed = "; ".join(missing_model_files(root))
        raise Gemma4RosError(f"model directory {root} does not exist (it must hold {needed})",
                             download_hint(root))
    missing = missing_model_files(root)
    if missing:
        raise Gemma4RosError(f"{root} is not a complete Gemma 4 ONNX model: missing "
                             f"{'; '.join(missing)}", download_hint(root))


def load_planner(model_dir: Optional[Path] = None, tools: Optional[PathLike] = None,
                 config: Union[PlannerConfig, PathLike, None] = None,
                 runtime_config: Union[RuntimeConfig, PathLike, None] = None) -> Planner:
    """Planner for ``model_dir`` (default: models.yaml's ``model_dir``) and ``tools`` (default:
    the packaged tools.yaml); configs (loaded, or their files) default to the packaged files.
    Cheap checks run first."""
    runtime = (runtime_config if isinstance(runtime_config, RuntimeConfig)
               else load_runtime_config(runtime_config))
    runtime = runtime.with_model(model_dir)
    planner_config = config if isinstance(config, PlannerConfig) else load_planner_config(config)
    registry = ToolRegistry.load(tools)
    root = runtime.model_path
    check_model_dir(root, demo=runtime.uses_demo_model)
    tokenizer = Gemma4Tokenizer.from_model_dir(root)
    chat = ChatFormat.from_model_dir(root)
    engine = engine_from_config(runtime)
    return Planner(engine, tokenizer, registry, planner_config, chat=chat)
