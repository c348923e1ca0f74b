"""The options several subcommands share, said once: the model directory and the config files.

``run``, ``ask``, ``replay`` and ``plan`` load the same planner from the same files; a flag that
read differently in one of them would send a user to the wrong file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

CONFIG_FILES = {"tools": "tools.yaml", "safety": "safety.yaml", "sim": "sim.yaml",
                "planner-config": "planner.yaml", "runtime-config": "models.yaml",
                "perception-config": "perception.yaml"}


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="DIR", type=Path,
                        help="Gemma 4 ONNX model directory (default: model_dir of models.yaml; "
                        "empty there: the embedded demo model)")


def add_config_options(parser: argparse.ArgumentParser, *names: str) -> None:
    """``--tools FILE`` and the like for each of ``names`` (keys of ``CONFIG_FILES``)."""
    for name in names:
        parser.add_argument(f"--{name}", metavar="FILE",
                            help=f"{CONFIG_FILES[name]} (default: the packaged one)")
