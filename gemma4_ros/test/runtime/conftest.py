"""Runtime test fixtures: a numpy fake decoder (fast loop tests) and the exported tiny model."""

from __future__ import annotations

import pytest
from runtime_fakes import FakeModel

from gemma4_ros.testing.fixture_models import FixtureModel, FixtureUnavailable, fixture_model


@pytest.fixture
def fake_model() -> FakeModel:
    return FakeModel()


@pytest.fixture(scope="session")
def tiny_fixture() -> FixtureModel:
    """The exported tiny Gemma 4 (built once per cache; skipped without torch/transformers)."""
    try:
        return fixture_model("tiny")
    except FixtureUnavailable as error:
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def tiny_multimodal() -> FixtureModel:
    """The exported tiny multimodal Gemma 4 (vision and audio towers), built once per cache."""
    try:
        return fixture_model("tiny_multimodal")
    except FixtureUnavailable as error:
        pytest.skip(str(error))
