"""Safety gate: policies from safety.yaml, e-stop latch, audit log; the only path to motion."""

from gemma4_ros.safety.audit import AuditLog, AuditReadResult, read_audit
from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.safety.estop import EStopLatch
from gemma4_ros.safety.gate import SafetyGate, UnknownModeError

__all__ = [
    "AuditLog", "AuditReadResult", "EStopLatch", "SafetyConfig", "SafetyGate", "UnknownModeError",
    "read_audit",
]
