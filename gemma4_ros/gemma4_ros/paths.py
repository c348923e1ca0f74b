"""Where the package's shared data (config/, launch/) lives, however it was installed.

Three installs put the same files in three places: a source checkout or editable install keeps
them beside the Python package; ``pip install`` and ``colcon build`` copy them to
``<prefix>/share/gemma4_ros`` (data_files in setup.py). Searching all three here keeps the rest
of the package free of install-layout guesses, and free of ``ament_index_python``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gemma4_ros.errors import Gemma4RosError

PACKAGE = "gemma4_ros"


def share_dir_candidates() -> list[Path]:
    """Possible share directories, most specific first."""
    package_dir = Path(__file__).resolve().parent
    source_root = package_dir.parent  # gemma4_ros/ (the ROS package) in a checkout
    # <prefix>/lib/pythonX.Y/site-packages/gemma4_ros -> <prefix>
    install_prefix = package_dir.parents[3] if len(package_dir.parents) > 3 else package_dir
    return [
        source_root,
        install_prefix / "share" / PACKAGE,
        Path(sys.prefix) / "share" / PACKAGE,
    ]


def share_dir() -> Path:
    """The first candidate that holds the default config; raises with the places searched."""
    candidates = share_dir_candidates()
    for candidate in candidates:
        if (candidate / "config").is_dir():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise Gemma4RosError(
        f"cannot find the {PACKAGE} data directory (config/); searched {searched}",
        "reinstall with `pip install ./gemma4_ros` or `colcon build`, or pass config files "
        "explicitly",
    )


def default_config(name: str) -> Path:
    """Path of a default config file such as ``tools.yaml``."""
    return share_dir() / "config" / name


DEMO_MODEL = "gemma4-ros-demo"


def demo_model_dir() -> Path:
    """The embedded demo planner (a tiny Gemma 4-architecture model, not Gemma 4 weights): what
    every entry point loads when no model directory is configured."""
    return share_dir() / "models" / DEMO_MODEL
