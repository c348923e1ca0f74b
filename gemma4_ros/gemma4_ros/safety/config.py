"""SafetyConfig: the gate's policies as read from config/safety.yaml.

Only shape and self-consistency are checked here (a polygon has three corners, min <= max, a
mode exists). Whether the tools and arguments it names exist is checked against the registry when
the gate is built (:func:`gemma4_ros.safety.gate.SafetyGate`), so a policy for a misspelt tool is
an error at start-up, never a rule that silently matches nothing.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from gemma4_ros.config import StrictModel, load_config
from gemma4_ros.paths import default_config
from gemma4_ros.safety.grounding_config import GroundingConfig
from gemma4_ros.tools.spec import RiskLevel
from gemma4_ros.types import PlanSource

DEFAULT_FILE = "safety.yaml"

Point = tuple[float, float]


class ModeConfig(StrictModel):
    """One operating mode: which tools it allows and from which risk an operator must confirm."""

    tools: Literal["all"] | list[str] = "all"
    motion: bool = True
    confirm_at: RiskLevel = RiskLevel.HIGH


class ConfirmationConfig(StrictModel):
    """How long the executor waits for an operator's answer; no answer in time means no."""

    timeout_s: float = Field(default=30.0, gt=0.0)


class PlanLimits(StrictModel):
    """Limits on a whole plan."""

    max_steps: int = Field(default=12, ge=1)
    max_age_s: float = Field(default=30.0, gt=0.0)
    max_future_s: float = Field(default=1.0, ge=0.0)


class RobotStateLimits(StrictModel):
    """How fresh the robot state must be for the gate to judge motion against it."""

    max_age_s: float = Field(default=2.0, gt=0.0)


class Bound(StrictModel):
    """The gate's own limit on one numeric argument, on top of the tool's schema."""

    kind: Literal["speed", "distance", "angle", "duration"]
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Bound:
        for name in ("min", "max"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number")
        if self.min is None and self.max is None:
            raise ValueError("give at least one of min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


def _finite_polygon(polygon: list[Point]) -> list[Point]:
    if not all(math.isfinite(v) for point in polygon for v in point):
        raise ValueError("every corner must be finite")
    return polygon


class KeepOutZone(StrictModel):
    """A named area the robot must never enter."""

    name: str = Field(min_length=1)
    polygon: list[Point] = Field(min_length=3)

    @field_validator("polygon")
    @classmethod
    def _finite(cls, polygon: list[Point]) -> list[Point]:
        return _finite_polygon(polygon)


class GeofenceConfig(StrictModel):
    """Keep-in polygon and keep-out zones, in ``frame``; ``margin_m`` is the robot's radius."""

    frame: str = Field(default="map", min_length=1)
    margin_m: float = Field(default=0.3, ge=0.0)
    keep_in: list[Point] = Field(min_length=3)
    keep_out: list[KeepOutZone] = Field(default_factory=list)

    @field_validator("keep_in")
    @classmethod
    def _finite(cls, polygon: list[Point]) -> list[Point]:
        return _finite_polygon(polygon)


class RateLimit(StrictModel):
    """At most ``max_calls`` started calls in any sliding window of ``window_s`` seconds."""

    max_calls: int = Field(ge=1)
    window_s: float = Field(gt=0.0)


class RateLimits(StrictModel):
    """One limit over all tools and optional per-tool limits."""

    global_: RateLimit = Field(default=RateLimit(max_calls=60, window_s=60.0), alias="global")
    tools: dict[str, RateLimit] = Field(default_factory=dict)

    model_config = {**StrictModel.model_config, "populate_by_name": True}


class SequenceRule(StrictModel):
    """A forbidden sequence: ``tools`` (or every motion tool) while the gripper holds something, or
    after ``after`` has run with none of ``unless_between`` since."""

    name: str = Field(min_length=1)
    tools: Literal["motion"] | list[str]
    while_holding: bool = False
    after: str = ""
    unless_between: list[str] = Field(default_factory=list)
    reason: str = ""

    @model_validator(mode="after")
    def _one_condition(self) -> SequenceRule:
        if self.while_holding == bool(self.after):
            raise ValueError("give exactly one condition: `while_holding: true` or `after: TOOL`")
        if self.unless_between and not self.after:
            raise ValueError("`unless_between` only makes sense with `after`")
        return self


class ProvenanceConfig(StrictModel):
    """Sources that count as the operator; plans from any other source never move the robot."""

    operator_sources: list[PlanSource] = Field(
        default_factory=lambda: [PlanSource.TEXT, PlanSource.VOICE, PlanSource.MISSION,
                                 PlanSource.COPILOT])


class BatteryConfig(StrictModel):
    """Below ``min_for_motion`` only the ``exempt`` motion tools (e.g. dock) are allowed."""

    min_for_motion: float = Field(default=0.15, ge=0.0, le=1.0)
    exempt: list[str] = Field(default_factory=list)


class SafetyConfig(StrictModel):
    """Everything the gate enforces; see config/safety.yaml for the meaning of each key."""

    modes: dict[str, ModeConfig] = Field(min_length=1)
    initial_mode: str = "normal"
    confirmation: ConfirmationConfig = ConfirmationConfig()
    plan: PlanLimits = PlanLimits()
    robot_state: RobotStateLimits = RobotStateLimits()
    bounds: dict[str, dict[str, Bound]] = Field(default_factory=dict)
    geofence: GeofenceConfig | None = None
    rate_limits: RateLimits = RateLimits()
    sequences: list[SequenceRule] = Field(default_factory=list)
    provenance: ProvenanceConfig = ProvenanceConfig()
    battery: BatteryConfig = BatteryConfig()
    grounding: GroundingConfig = GroundingConfig()
    _source: str = PrivateAttr(default="<safety config>")

    @field_validator("initial_mode")
    @classmethod
    def _initial_mode_exists(cls, mode: str, info: ValidationInfo) -> str:
        modes = info.data.get("modes")
        if modes is not None and mode not in modes:
            raise ValueError(f"{mode!r} is not one of the modes: {', '.join(modes)}")
        return mode

    @classmethod
    def load(cls, path: str | Path | None = None) -> SafetyConfig:
        """Load ``path``, or the packaged config/safety.yaml when None."""
        resolved = Path(path) if path is not None else default_config(DEFAULT_FILE)
        config = load_config(cls, resolved, DEFAULT_FILE)
        config._source = str(resolved)
        return config


def config_source(config: SafetyConfig) -> str:
    """The file a config came from, for errors found after loading (e.g. an unknown tool)."""
    return config._source
