"""Executor settings (``config/executor.yaml``): preemption policy, retries, polling.

How long a step waits for operator confirmation is a safety policy, so it lives in safety.yaml
(``confirmation.timeout_s``) and the executor reads it from the gate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from gemma4_ros.config import StrictModel, load_config

PreemptionPolicy = Literal["reject_new", "preempt"]


class ExecutorConfig(StrictModel):
    """How the executor treats a new plan while one runs, and failed steps."""

    preemption: PreemptionPolicy = Field(
        default="preempt",
        description="reject_new: refuse plans while one runs; preempt: cancel the running plan "
                    "once the new one passed the gate",
    )
    max_retries: int = Field(
        default=1, ge=0, le=10,
        description="extra attempts for a FAILED or TIMED_OUT step of an idempotent tool",
    )
    poll_interval_s: float = Field(
        default=0.02, gt=0.0, le=1.0,
        description="how often running bindings are polled; e-stop and commands wake the worker "
                    "at once, whatever this is",
    )

    @classmethod
    def load(cls, path: str | Path | None = None) -> ExecutorConfig:
        """Load ``path`` or the packaged ``config/executor.yaml``."""
        return load_config(cls, path, "executor.yaml")
