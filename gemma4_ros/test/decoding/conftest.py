"""Shared fixtures for the decoding tests: a small Gemma 4–style tokenizer and a tool set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gemma4_ros.decoding.constraint import GrammarTokenizer, load_grammar_tokenizer
from gemma4_ros.testing.fixture_tokenizer import (
    FixtureTokenizer,
    build_fixture_tokenizer,
)

# A robot's tools in the shapes the registry produces: enums, ranges, optional keys, no keys,
# nested objects and arrays, nullable values.
TOOLS: list[tuple[str, dict[str, Any]]] = [
    ("navigate_to", {
        "type": "object", "additionalProperties": False, "required": ["place"],
        "properties": {
            "place": {"type": "string", "enum": ["dock", "kitchen", "lab"]},
            "speed": {"type": "number", "minimum": 0.05, "maximum": 0.5},
        }}),
    ("move", {
        "type": "object", "additionalProperties": False, "required": ["distance"],
        "properties": {
            "distance": {"type": "number", "minimum": -5, "maximum": 5},
            "speed": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        }}),
    ("rotate", {
        "type": "object", "additionalProperties": False, "required": ["angle"],
        "properties": {"angle": {"type": "integer", "minimum": -180, "maximum": 180}}}),
    ("speak", {
        "type": "object", "additionalProperties": False, "required": ["text"],
        "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 80}}}),
    ("stop", {"type": "object", "additionalProperties": False, "properties": {}}),
    ("inspect", {
        "type": "object", "additionalProperties": False, "required": ["target"],
        "properties": {
            "target": {"type": "string", "maxLength": 40},
            "question": {"type": ["string", "null"], "maxLength": 60},
        }}),
    ("follow_path", {
        "type": "object", "additionalProperties": False, "required": ["points"],
        "properties": {
            "points": {"type": "array", "minItems": 1, "maxItems": 3, "items": {
                "type": "object", "additionalProperties": False, "required": ["x", "y"],
                "properties": {"x": {"type": "number", "minimum": -50, "maximum": 50},
                               "y": {"type": "number", "minimum": -50, "maximum": 50}}}},
            "loop": {"type": "boolean"},
        }}),
]


@pytest.fixture(scope="session")
def fixture_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> FixtureTokenizer:
    return build_fixture_tokenizer(Path(tmp_path_factory.mktemp("tokenizer")), vocab_size=2048)


@pytest.fixture(scope="session")
def grammar_tokenizer(fixture_tokenizer: FixtureTokenizer) -> GrammarTokenizer:
    return load_grammar_tokenizer(fixture_tokenizer.path, fixture_tokenizer.special_ids["eos"])


@pytest.fixture(scope="session")
def tools() -> list[tuple[str, dict[str, Any]]]:
    return TOOLS
