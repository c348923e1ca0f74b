"""The units a tool argument can be measured in, by symbol, and how each converts to its dimension's
base unit (metres, degrees, seconds, metres per second).

tools.yaml names an argument's unit by one of these symbols (``unit: m``); the grounding check
converts what the operator said ("30 cm", "a quarter turn") into that unit before comparing. One
table for both, so a unit the loader accepts is always one the check can convert to.
"""

from __future__ import annotations

import math
from typing import Literal

Dimension = Literal["length", "angle", "duration", "speed"]

# symbol -> (dimension, size in the dimension's base unit)
UNITS: dict[str, tuple[Dimension, float]] = {
    "m": ("length", 1.0),
    "cm": ("length", 0.01),
    "mm": ("length", 0.001),
    "km": ("length", 1000.0),
    "ft": ("length", 0.3048),
    "in": ("length", 0.0254),
    "yd": ("length", 0.9144),
    "deg": ("angle", 1.0),
    "rad": ("angle", 180.0 / math.pi),
    "turn": ("angle", 360.0),
    "s": ("duration", 1.0),
    "ms": ("duration", 0.001),
    "min": ("duration", 60.0),
    "h": ("duration", 3600.0),
    "m/s": ("speed", 1.0),
    "cm/s": ("speed", 0.01),
    "km/h": ("speed", 1000.0 / 3600.0),
}


def dimension(unit: str) -> Dimension:
    """The dimension of ``unit``; KeyError for a symbol not in :data:`UNITS`."""
    return UNITS[unit][0]


def to_unit(base_value: float, unit: str) -> float:
    """A value in its dimension's base unit, expressed in ``unit``."""
    return base_value / UNITS[unit][1]
