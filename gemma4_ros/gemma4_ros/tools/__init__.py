"""Tool registry: tools.yaml → JSON Schemas, risk levels, pose effects and binding specs."""

from gemma4_ros.tools.registry import PlaceSpec, ToolRegistry, UnknownToolError
from gemma4_ros.tools.spec import BindingSpec, EffectSpec, RiskLevel, ToolSpec

__all__ = [
    "BindingSpec", "EffectSpec", "PlaceSpec", "RiskLevel", "ToolRegistry", "ToolSpec",
    "UnknownToolError",
]
