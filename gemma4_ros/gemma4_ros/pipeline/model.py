"""Which model the standalone commands load: ``--model DIR``, or the embedded demo planner.

The demo model (a tiny Gemma 4–architecture planner trained for the default tools) ships in the
package's share directory, so ``gemma4-ros run`` works offline with no download. When it is not
there (a source checkout without the model, a packaging mistake), the error lists the missing
files and the two ways to get a model, instead of failing on the first file it tries to open.
"""

from __future__ import annotations

from pathlib import Path

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.paths import share_dir
from gemma4_ros.planning.loading import load_planner, missing_model_files
from gemma4_ros.planning.planner import Planner
from gemma4_ros.runtime.model_files import PUBLIC_REPO

DEMO_MODEL = "gemma4-ros-demo"
PathLike = str | Path


def demo_model_dir() -> Path:
    return share_dir() / "models" / DEMO_MODEL


def resolve_model_dir(model: PathLike | None) -> Path:
    """``model`` as given, or the demo model directory if it is complete."""
    if model is not None:
        return Path(model).expanduser()
    root = demo_model_dir()
    missing = missing_model_files(root)
    if missing:
        raise Gemma4RosError(
            f"no --model given, and the embedded demo model {root} is missing "
            f"{'; '.join(missing)}",
            f"pass --model DIR with a Gemma 4 ONNX model directory (README: 'On a Jetson'), e.g. "
            f"`hf download {PUBLIC_REPO} --local-dir ~/models/gemma-4-E2B-it-ONNX`, or write "
            f"one with `gemma4-ros export HF_DIR DIR`; reinstall the package to restore the demo")
    return root


def load_cli_planner(model: PathLike | None, tools: PathLike | None = None,
                     config: PathLike | None = None,
                     runtime_config: PathLike | None = None) -> Planner:
    """A warmed-up planner (grammar compiled, prompt head prefilled) for the CLI commands."""
    planner = load_planner(resolve_model_dir(model), tools, config, runtime_config)
    planner.warm_up()
    return planner
