"""The planner the standalone commands load: ``--model DIR``, else ``model_dir`` of models.yaml,
which by default is empty and means the embedded demo planner.

The demo model (a tiny Gemma 4–architecture planner trained for the default tools) ships in the
package's share directory, so ``gemma4-ros run`` works offline with no download; when it is
missing, :func:`gemma4_ros.planning.loading.check_model_dir` lists the files and the ways to get a
model.
"""

from __future__ import annotations

from pathlib import Path

from gemma4_ros.planning.loading import load_planner
from gemma4_ros.planning.planner import Planner

PathLike = str | Path


def load_cli_planner(model: Path | None, tools: PathLike | None = None,
                     config: PathLike | None = None,
                     runtime_config: PathLike | None = None) -> Planner:
    """A warmed-up planner (grammar compiled, prompt head prefilled) for the CLI commands."""
    planner = load_planner(model, tools, config, runtime_config)
    planner.warm_up()
    return planner
