"""Configuration of the simulated robot (``config/sim.yaml``): limits, battery model, camera, start.

Named places and their frame are not here: they are declared once with the tools (``tools.yaml``),
because the prompt, the grammar, the gate's geofence checks and the sim must agree on them.
"""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import Field

from gemma4_ros.config import StrictModel, load_config
from gemma4_ros.paths import default_config


class RobotLimits(StrictModel):
    """Physical limits the sim enforces whatever the call asks (the gate's bounds sit above them)."""

    max_linear_speed: float = Field(default=0.5, gt=0, description="m/s")
    linear_accel: float = Field(default=0.5, gt=0, description="m/s^2")
    max_angular_speed_deg: float = Field(default=90.0, gt=0, description="deg/s")
    angular_accel_deg: float = Field(default=180.0, gt=0, description="deg/s^2")

    @property
    def max_angular_speed(self) -> float:
        return math.radians(self.max_angular_speed_deg)

    @property
    def angular_accel(self) -> float:
        return math.radians(self.angular_accel_deg)


class BatteryModel(StrictModel):
    """Charge as a fraction of full; drains with distance, turning and time, charges on the dock."""

    initial: float = Field(default=1.0, ge=0, le=1)
    idle_drain_per_s: float = Field(default=0.0001, ge=0)
    drain_per_m: float = Field(default=0.002, ge=0)
    drain_per_rad: float = Field(default=0.0005, ge=0)
    charge_per_s: float = Field(default=0.01, ge=0)


class CameraConfig(StrictModel):
    """Frames come from ``source`` (an image file, or a folder whose images are cycled in name
    order); with no source, a generated test pattern of ``width`` x ``height`` is returned."""

    source: Path | None = None
    width: int = Field(default=640, gt=0)
    height: int = Field(default=480, gt=0)
    frame_id: str = "camera"


class SimConfig(StrictModel):
    """The whole sim: where it starts, which place is the dock, limits, battery and camera."""

    start_place: str = "dock"
    dock_place: str = "dock"
    limits: RobotLimits = RobotLimits()
    battery: BatteryModel = BatteryModel()
    camera: CameraConfig = CameraConfig()

    @classmethod
    def load(cls, path: str | Path | None = None) -> SimConfig:
        """Load ``path`` or the packaged ``config/sim.yaml``; a relative camera source is taken
        relative to the file's folder, so a config and its images can move together."""
        config = load_config(cls, path, "sim.yaml")
        source = config.camera.source
        if source is not None and not source.is_absolute():
            base = Path(path).parent if path is not None else default_config("sim.yaml").parent
            config.camera.source = base / source
        return config
