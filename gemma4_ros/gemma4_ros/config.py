"""Loading YAML config files into pydantic models, failing at start-up with file, key and fix.

Each subsystem owns its config model beside its code (``safety/config.py``, ``runtime/config.py``,
...); this module is the one way they are read, so every config error reads the same:
``config/safety.yaml: limits.max_speed: Input should be greater than 0 (fix: ...)``.
Models should forbid unknown keys (see :class:`StrictModel`) so a misspelt key is an error rather
than a silently ignored setting, and a key written twice is an error too (YAML would silently keep
the last one, so the setting someone reads first is not the one that applies).
"""

from __future__ import annotations

from collections import deque
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


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A key written twice in one mapping; ``key`` is its dotted path (``bounds.move.speed``)."""

    def __init__(self, key: str, first: yaml.Mark, again: yaml.Mark) -> None:
        super().__init__(None, None, f"key {key.rsplit('.', 1)[-1]!r} appears twice in one "
                         f"mapping (lines {first.line + 1} and {again.line + 1})", again)
        self.key = key


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses a key written twice in one mapping, where plain YAML
    loading keeps the last value without a word. Merge keys (``<<``) may still be overridden."""

    def construct_document(self, node: yaml.Node) -> Any:
        duplicate = _duplicate_key(node)
        if duplicate is not None:
            raise DuplicateKeyError(*duplicate)
        return super().construct_document(node)


def _duplicate_key(root: yaml.Node) -> tuple[str, yaml.Mark, yaml.Mark] | None:
    """The first key (breadth first) written twice in one mapping: dotted path and both marks.
    Iterative, and each node visited once, so anchors and recursive aliases cannot loop."""
    queue: deque[tuple[yaml.Node, str]] = deque([(root, "")])
    visited: set[int] = set()
    while queue:
        node, path = queue.popleft()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            queue.extend((item, f"{path}.{i}" if path else str(i))
                         for i, item in enumerate(node.value))
        if not isinstance(node, yaml.MappingNode):
            continue
        first: dict[tuple[str, str], yaml.Mark] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            here = f"{path}.{name}" if path else name
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                ident = (key_node.tag, key_node.value)  # `1` and `"1"` are different keys
                if ident in first:
                    return here, first[ident], key_node.start_mark
                first[ident] = key_node.start_mark
            queue.append((value_node, here))
    return None


_MERGE_TAG = "tag:yaml.org,2002:merge"


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
    except UnicodeDecodeError as error:
        raise ConfigError(str(path), "", f"not UTF-8 text (byte {error.object[error.start]:#04x} "
                          f"at offset {error.start})", "save the file as UTF-8") from None
    return _parse_yaml(text, str(path))


def _parse_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except DuplicateKeyError as error:
        raise ConfigError(source, error.key, error.problem or "key written twice",
                          "keep one of the two: YAML would silently use only the last") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(source, where, f"not valid YAML: {error}",
                          "fix the YAML syntax") from None
    except RecursionError:
        raise ConfigError(source, "", "nested too deeply to read",
                          "write the settings as the packaged file does") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            source, "", f"top level is a {type(data).__name__}, expected a mapping of keys",
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
            hint_for(first, model),
        ) from None


def load_config(model: type[ModelT], path: str | Path | None, default_name: str) -> ModelT:
    """Load ``path`` (or the packaged ``default_name`` when ``path`` is None) into ``model``."""
    resolved = Path(path) if path is not None else default_config(default_name)
    return validate_config(read_yaml(resolved), model, str(resolved))


def hint_for(error: Any, model: type[BaseModel]) -> str:
    """The fix for one pydantic error: allowed keys, the limit a number must respect, or where
    the allowed values are described."""
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(sorted(model.model_fields)) if len(error["loc"]) == 1 else ""
        suffix = f"; top-level keys are: {allowed}" if allowed else ""
        return f"remove or correct the misspelt key{suffix}"
    if kind == "missing":
        return "add the key; see the packaged default file for its meaning"
    if kind == "bool_type":
        return "write true or false, without quotes"
    limits = {"greater_than": "greater than {gt}", "greater_than_equal": "at least {ge}",
              "less_than": "less than {lt}", "less_than_equal": "at most {le}"}
    if kind in limits and error.get("ctx"):
        ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in error["ctx"].items()}
        return "set a number " + limits[kind].format(**ctx)
    return "see the comments in the packaged default file for allowed values"
