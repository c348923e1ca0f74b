"""Typed errors that say what was wrong, where, and how to fix it.

Every error the package raises on bad input derives from :class:`Gemma4RosError`, so nodes and the
CLI can catch one type, log ``str(error)`` (which already carries the fix) and keep running.
"""

from __future__ import annotations


class Gemma4RosError(Exception):
    """Base error: ``problem`` says what went wrong, ``hint`` how to fix it."""

    def __init__(self, problem: str, hint: str = "") -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(f"{problem} (fix: {hint})" if hint else problem)


class ConfigError(Gemma4RosError):
    """A configuration file is missing, unreadable or invalid; names the file and the key."""

    def __init__(self, path: str, key: str, problem: str, hint: str = "") -> None:
        self.path = path
        self.key = key
        where = f"{path}: {key}" if key else path
        super().__init__(f"{where}: {problem}", hint)
