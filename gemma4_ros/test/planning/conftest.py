"""Shared fixtures: a fixture tokenizer sized like the tiny model, the packaged tools, the tiny
exported Gemma 4 (skipped without torch/transformers)."""

from __future__ import annotations

import pytest

from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.testing.fixture_models import FixtureModel, FixtureUnavailable, fixture_model
from gemma4_ros.testing.fixture_tokenizer import FixtureTokenizer, build_fixture_tokenizer
from gemma4_ros.tools import ToolRegistry

TINY_VOCAB = 512  # the tiny fixture model's vocabulary: tokenizer and model must agree


@pytest.fixture(scope="session")
def fixture_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> FixtureTokenizer:
    return build_fixture_tokenizer(tmp_path_factory.mktemp("planning-tok"), vocab_size=TINY_VOCAB)


@pytest.fixture(scope="session")
def tokenizer(fixture_tokenizer: FixtureTokenizer) -> Gemma4Tokenizer:
    return Gemma4Tokenizer.from_file(fixture_tokenizer.path)


@pytest.fixture(scope="session")
def registry() -> ToolRegistry:
    return ToolRegistry.load()


@pytest.fixture(scope="session")
def tiny_model() -> FixtureModel:
    try:
        return fixture_model("tiny")
    except FixtureUnavailable as error:
        pytest.skip(str(error))
