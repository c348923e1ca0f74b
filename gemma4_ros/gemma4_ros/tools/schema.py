"""Checking the tool schemas written in tools.yaml, and compiling them for fast per-call validation.

Two proven libraries, each where it is strong: ``jsonschema`` checks every schema against the
Draft 2020-12 meta-schema at load time (its errors carry a precise path into the schema, which we
turn into ``tools[2].parameters.properties.speed.maximum``); ``jsonschema_rs`` (Rust) validates
call arguments at run time, because it does so in ~1 µs where ``jsonschema`` needs ~30 µs and the
gate's budget is 50 µs per call. The meta-schema accepts unknown keywords silently, so a typo such
as ``maximun`` would disable a limit; we refuse keywords outside the subset the planner's grammar
and the gate understand.

Validation never raises on what a call carries: arguments nested deeper than any schema allows,
strings that are not valid Unicode (a lone surrogate) or keys that are not strings come back as
problems like any other, so the gate refuses the call instead of failing on it.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import jsonschema_rs

from gemma4_ros.errors import ConfigError

SCHEMA_KEYWORDS = frozenset({
    "type", "description", "title", "enum", "const", "default", "examples",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern",
    "items", "minItems", "maxItems", "uniqueItems",
    "properties", "required", "additionalProperties",
})

_META = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)

MAX_DEPTH = 32  # as deep as the call parser reads (chat.tool_syntax.MAX_DEPTH)
MAX_PROBLEM_CHARS = 300  # a problem quotes the value: keep a 10,000-character string out of it


def check_parameters(schema: Any, source: str, where: str) -> None:
    """Raise ConfigError unless ``schema`` is a valid, closed object schema of known keywords."""
    if not isinstance(schema, dict):
        raise ConfigError(source, where, "parameters must be a JSON Schema mapping",
                          "write `type: object`, `properties:`, `required:`, "
                          "`additionalProperties: false`")
    error = jsonschema.exceptions.best_match(_META.iter_errors(schema))
    if error is not None:
        key = _join(where, error.absolute_path)
        raise ConfigError(source, key, f"not a valid Draft 2020-12 schema: {error.message}",
                          "see https://json-schema.org/draft/2020-12 for the keyword's form")
    _check_keywords(schema, source, where)
    _check_closed_object(schema, source, where)


def compile_validator(schema: dict[str, Any]) -> jsonschema_rs.Draft202012Validator:
    """A reusable validator; compiled once at load so no call pays for it."""
    return jsonschema_rs.Draft202012Validator(schema)


def problems(validator: jsonschema_rs.Draft202012Validator, arguments: Any) -> list[str]:
    """Every way ``arguments`` breaks the schema, each prefixed by the argument it concerns."""
    try:
        if validator.is_valid(arguments):  # the fast path: valid arguments are shallow
            return []
    except (ValueError, TypeError, RecursionError):
        pass  # said precisely below
    return _describe(validator, arguments)


def _describe(validator: jsonschema_rs.Draft202012Validator, arguments: Any) -> list[str]:
    if _deeper_than(arguments, MAX_DEPTH):
        return [f"(arguments): values nested deeper than {MAX_DEPTH} levels"]
    try:
        found = []
        for error in validator.iter_errors(arguments):
            path = ".".join(str(part) for part in error.instance_path)
            found.append(_clip(f"{path or '(arguments)'}: {error.message}"))
    except UnicodeError:  # jsonschema_rs needs UTF-8; a lone surrogate has none
        return ["(arguments): a string is not valid Unicode text (it holds a lone surrogate)"]
    except (ValueError, TypeError, RecursionError) as error:
        return [_clip(f"(arguments): not plain JSON values: {error}")]
    return found or ["(arguments): not plain JSON values"]


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists/objects in ``value`` nest deeper than ``limit``; iterative, any depth."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list, tuple)):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _clip(text: str) -> str:
    return text if len(text) <= MAX_PROBLEM_CHARS else text[:MAX_PROBLEM_CHARS - 1] + "…"


def _check_closed_object(schema: dict[str, Any], source: str, where: str) -> None:
    # The grammar and the gate rely on a closed object: every key known, nothing extra.
    if schema.get("type") != "object":
        raise ConfigError(source, f"{where}.type", "the parameters schema must have type object",
                          "set `type: object`")
    if schema.get("additionalProperties") is not False:
        raise ConfigError(source, f"{where}.additionalProperties",
                          "must be false: a tool must not accept undeclared arguments",
                          "set `additionalProperties: false`")
    properties = schema.get("properties", {})
    for name, prop in properties.items():
        if "type" not in prop and "enum" not in prop and "const" not in prop:
            raise ConfigError(source, f"{where}.properties.{name}",
                              "argument has no type, enum or const",
                              "give every argument a `type` (string, number, integer, boolean)")
    for name in schema.get("required", []):
        if name not in properties:
            raise ConfigError(source, f"{where}.required",
                              f"required argument {name!r} is not declared in properties",
                              f"declare {name!r} under properties or remove it from required")


def _check_keywords(schema: dict[str, Any], source: str, where: str) -> None:
    for key, value in schema.items():
        if key not in SCHEMA_KEYWORDS:
            raise ConfigError(source, f"{where}.{key}", f"unknown or unsupported schema keyword {key!r}",
                              f"use one of: {', '.join(sorted(SCHEMA_KEYWORDS))}")
        if key == "properties":
            for name, sub in value.items():
                _check_keywords(sub, source, f"{where}.properties.{name}")
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            _check_keywords(value, source, f"{where}.{key}")


def _join(where: str, path: Any) -> str:
    parts = [str(part) for part in path]
    return ".".join([where, *parts]) if parts else where
