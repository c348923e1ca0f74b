"""SafetyConfig: the gate's policies as read from config/safety.yaml.

Only shape and self-consistency are checked here (a polygon is a real, simple area, min <= max,
a speed limit is positive, a mode exists). Whether the tools and arguments it names exist is
checked against the registry when the gate is built (:func:`gemma4_ros.safety.gate.SafetyGate`),
so a policy for a misspelt tool is an error at start-up, never a rule that silently matches
nothing; so is a motion tool's argument without a bound, or a named place outside the fence.

Missing safety settings fail closed: a file without ``geofence`` loads, but the gate then refuses
every motion until the file declares a fence or says ``geofence: none`` (see
:attr:`SafetyConfig.geofence_off`); forgetting the fence never means "no fence".
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field, ModelWrapValidatorHandler, PrivateAttr, StrictBool, ValidationInfo, field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from gemma4_ros.config import StrictModel, load_config
from gemma4_ros.paths import default_config
from gemma4_ros.safety.geometry import polygon_problem
from gemma4_ros.safety.grounding_config import GroundingConfig
from gemma4_ros.tools.spec import RiskLevel
from gemma4_ros.types import PlanSource

DEFAULT_FILE = "safety.yaml"

Point = tuple[float, float]


class ModeConfig(StrictModel):
    """One operating mode: which tools it allows and from which risk an operator must confirm."""

    tools: Literal["all"] | list[str] = "all"
    motion: StrictBool = True  # true or false only: a quoted "yes" is an error, not a guess
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


MAGNITUDES = ("speed", "duration")  # kinds that are never negative: their limits must not be


class Bound(StrictModel):
    """The gate's own limit on one numeric argument, on top of the tool's schema. Speeds and
    durations are magnitudes: a ``max`` of 0 or below (a typo for a limit, which would refuse
    every call) and a negative ``min`` are errors."""

    kind: Literal["speed", "distance", "angle", "duration"]
    min: float | None = None
    max: float | None = None

    @field_validator("min", "max")
    @classmethod
    def _magnitude(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None or info.data.get("kind") not in MAGNITUDES:
            return value
        if info.field_name == "max" and not value > 0.0:
            raise PydanticCustomError("greater_than", "Input should be greater than {gt}",
                                      {"gt": 0})
        if info.field_name == "min" and not value >= 0.0:
            raise PydanticCustomError("greater_than_equal",
                                      "Input should be greater than or equal to {ge}", {"ge": 0})
        return value

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


def _valid_polygon(polygon: list[Point]) -> list[Point]:
    if not all(math.isfinite(v) for point in polygon for v in point):
        raise ValueError("every corner must be finite")
    problem = polygon_problem(polygon)
    if problem:
        raise ValueError(f"{problem}; list the corners in order around a real area")
    return polygon


class KeepOutZone(StrictModel):
    """A named area the robot must never enter."""

    name: str = Field(min_length=1)
    polygon: list[Point] = Field(min_length=3)

    @field_validator("polygon")
    @classmethod
    def _finite(cls, polygon: list[Point]) -> list[Point]:
        return _valid_polygon(polygon)


class GeofenceConfig(StrictModel):
    """Keep-in polygon and keep-out zones, in ``frame``; ``margin_m`` is the robot's radius."""

    frame: str = Field(default="map", min_length=1)
    margin_m: float = Field(default=0.3, ge=0.0)
    keep_in: list[Point] = Field(min_length=3)
    keep_out: list[KeepOutZone] = Field(default_factory=list)

    @field_validator("keep_in")
    @classmethod
    def _finite(cls, polygon: list[Point]) -> list[Point]:
        return _valid_polygon(polygon)


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
    while_holding: StrictBool = False
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


ConfidenceMode = Literal["check", "skip"]

# Missions are calls an operator wrote down: no model chose them, so there is no confidence to
# judge. Every other source is a model's plan (camera text and tool output are refused motion by
# provenance anyway).
DEFAULT_CONFIDENCE_SOURCES: dict[PlanSource, ConfidenceMode] = {
    **{source: "check" for source in PlanSource}, PlanSource.MISSION: "skip"}


class ConfidenceConfig(StrictModel):
    """``plan.low_confidence``: a motion call whose step confidence is below ``min_for_motion``
    — or unknown, in a plan from a ``check`` source — needs an operator's confirmation. The
    threshold lives here, not in planner.yaml: the gate that acts on it must not depend on the
    settings of whichever planner sent the plan. A source a file does not list keeps its default,
    so naming one source never turns the others off."""

    min_for_motion: float = Field(default=0.99, ge=0.0, le=1.0, allow_inf_nan=False)
    sources: dict[PlanSource, ConfidenceMode] = Field(
        default_factory=lambda: dict(DEFAULT_CONFIDENCE_SOURCES))

    @field_validator("sources")
    @classmethod
    def _keep_defaults(cls, sources: dict[PlanSource, ConfidenceMode]
                       ) -> dict[PlanSource, ConfidenceMode]:
        return {**DEFAULT_CONFIDENCE_SOURCES, **sources}


class SafetyConfig(StrictModel):
    """Everything the gate enforces; see config/safety.yaml for the meaning of each key."""

    modes: dict[str, ModeConfig] = Field(min_length=1)
    initial_mode: str = "normal"
    confirmation: ConfirmationConfig = ConfirmationConfig()
    plan: PlanLimits = PlanLimits()
    robot_state: RobotStateLimits = RobotStateLimits()
    bounds: dict[str, dict[str, Bound]] = Field(default_factory=dict)
    geofence: GeofenceConfig | None = None  # None: unset (motion refused) unless geofence_off
    rate_limits: RateLimits = RateLimits()
    sequences: list[SequenceRule] = Field(default_factory=list)
    provenance: ProvenanceConfig = ProvenanceConfig()
    battery: BatteryConfig = BatteryConfig()
    grounding: GroundingConfig = GroundingConfig()
    confidence: ConfidenceConfig = ConfidenceConfig()
    _source: str = PrivateAttr(default="<safety config>")
    _geofence_off: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _explicit_no_fence(cls, data: Any, handler: ModelWrapValidatorHandler[SafetyConfig]
                           ) -> SafetyConfig:
        """``geofence: none`` is the only way to run without a fence; a missing or empty key is
        not (motion is then refused), so forgetting the fence can never widen what moves."""
        off = isinstance(data, dict) and data.get("geofence") == "none"
        config = handler({**data, "geofence": None} if off else data)
        if off:
            config._geofence_off = True
        return config

    @property
    def geofence_off(self) -> bool:
        """True only when the file says ``geofence: none``: no fence, on purpose."""
        return self._geofence_off

    @field_validator("geofence", mode="before")
    @classmethod
    def _fence_or_none(cls, value: Any) -> Any:
        if isinstance(value, str):  # `none` was taken out by _explicit_no_fence
            raise PydanticCustomError(
                "geofence_word", "'{value}' is not a geofence: write a mapping with keep_in, or "
                "`none` to run without a fence", {"value": value})
        return value

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
