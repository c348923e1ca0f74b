"""Shared fixtures: the packaged registry and one small corpus, built once per session."""

from __future__ import annotations

import pytest
from gemma4_ros.demo.corpus import Corpus, build_corpus
from gemma4_ros.tools import ToolRegistry


@pytest.fixture(scope="session")
def registry() -> ToolRegistry:
    return ToolRegistry.load()


@pytest.fixture(scope="session")
def corpus(registry: ToolRegistry) -> Corpus:
    return build_corpus(registry, seed=3, n_train=4000, n_heldout=400)
