"""What a flight record says about the robot that made it: model, configuration, tools.

A replay compares a new model or config with the one recorded, so the record names the model
and carries a hash of every config file that shapes a plan or a verdict, and the tool registry
itself (a replay on another tools.yaml must be able to say so).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from gemma4_ros import __version__
from gemma4_ros.paths import default_config
from gemma4_ros.recording.recorder import FlightRecorder

CONFIGS = ("tools", "safety", "planner", "models", "sim", "perception")
PLANNER_CONFIGS = ("tools", "planner", "models", "perception")  # what a planner node reads


class PlannerNodeConfigLike(Protocol):
    """The fields of a planner node's config a record names (the nodes' PlannerNodeConfig)."""

    record: str
    tools_file: str
    planner_file: str
    runtime_file: str
    perception_file: str


def config_files(chosen: Mapping[str, str | os.PathLike[str] | None],
                 names: tuple[str, ...] = CONFIGS) -> dict[str, Path]:
    """Each config of ``names`` as used: the file given, else the packaged one."""
    files = {}
    for name in names:
        given = chosen.get(name)
        files[name] = Path(given).expanduser() if given else default_config(f"{name}.yaml")
    return files


def record_metadata(model: str, files: Mapping[str, Path]) -> dict[str, str]:
    """The ``gemma4_ros`` metadata record: model, package version, the SHA-256 of the configs
    together and of each, and the tools file's text."""
    whole = hashlib.sha256()
    info = {"model": model, "package_version": __version__}
    for name in sorted(files):
        data = files[name].read_bytes()
        whole.update(name.encode() + b"\0" + data + b"\0")
        info[f"config.{name}.sha256"] = hashlib.sha256(data).hexdigest()
        info[f"config.{name}.path"] = str(files[name])
    info["config_sha256"] = whole.hexdigest()
    info["tools_yaml"] = files["tools"].read_text(encoding="utf-8") if "tools" in files else ""
    return info


def open_planner_record(config: PlannerNodeConfigLike, model: str) -> FlightRecorder:
    """The record a planner node's ``record`` parameter names, with the node's configs (the
    executor's safety and sim files are the executor's, not named here) in its metadata."""
    files = config_files({"tools": config.tools_file, "planner": config.planner_file,
                          "models": config.runtime_file, "perception": config.perception_file},
                         PLANNER_CONFIGS)
    return FlightRecorder(config.record, record_metadata(model, files))
