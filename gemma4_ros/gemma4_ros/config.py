"""Loading YAML config files into pydantic models, failing at start-up with file, key and fix.

Each subsystem owns its config model beside its code (``safety/config.py``, ``runtime/config.py``,
...); this module is the one way they are read, so every config error reads the same:
``config/safety.yaml: limits.max_speed: Input should be greater than 0 (fix: ...)``.
Models should forbid unknown keys (see :class:`StrictModel`) so a misspelt key is an error rather
than a silently ignored setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from gemma4_ros.errors import ConfigError
from gemma4_ros.paths import default_config

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for config models: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def read_yaml(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``; an empty file is an empty mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            str(path), "", "file not found",
            "check the path, or omit it to use the packaged default",
        ) from None
    except OSError as error:
        raise ConfigError(str(path), "", f"cannot read file: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(str(path), where, f"not valid YAML: {error}", "fix the YAML syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            str(path), "", f"top level is a {type(data).__name__}, expected a mapping of keys",
            "write the file as `key: value` lines",
        )
    return data


def validate_config(data: dict[str, Any], model: type[ModelT], source: str) -> ModelT:
    """Validate a mapping; the first error names the dotted key path and what was wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        count = error.error_count()
        more = f" (and {count - 1} more error{'s' if count > 2 else ''})" if count > 1 else ""
        raise ConfigError(
            source, key, f"{first['msg']}{more}",
            _hint_for(first, model),
        ) from None


def load_config(model: type[ModelT], path: str | Path | None, default_name: str) -> ModelT:
    """Load ``path`` (or the packaged ``default_name`` when ``path`` is None) into ``model``."""
    resolved = Path(path) if path is not None else default_config(default_name)
    return validate_config(read_yaml(resolved), model, str(resolved))


def _hint_for(error: Any, model: type[BaseModel]) -> str:
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(model.model_fields)) if len(error["loc"]) == 1 else ""
        suffix = f"; top-level keys are: {allowed}" if allowed else ""
        return f"remove or correct the misspelt key{suffix}"
    if error["type"] == "missing":
        return "add the key; see the packaged default file for its meaning"
    return "see the comments in the packaged default file for allowed values"
