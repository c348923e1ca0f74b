"""Sampler: greedy, temperature, top-k, top-p, masks and seeded reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from gemma4_ros.runtime.config import SamplingConfig
from gemma4_ros.runtime.sampler import Sampler, SamplingParams

LOGITS = np.array([0.0, 2.0, 1.0, 3.0, -1.0], dtype=np.float32)


def draws(params: SamplingParams, logits: np.ndarray = LOGITS, n: int = 400) -> list[int]:
    sampler = Sampler(params)
    return [sampler.sample(logits.copy()) for _ in range(n)]  # type: ignore[misc]


def test_temperature_zero_is_argmax() -> None:
    assert set(draws(SamplingParams(temperature=0.0), n=5)) == {3}


def test_masked_tokens_are_never_chosen() -> None:
    masked = LOGITS.copy()
    masked[[1, 3]] = -np.inf
    assert Sampler(SamplingParams()).sample(masked.copy()) == 2
    assert not {1, 3} & set(draws(SamplingParams(temperature=5.0, seed=1), masked))


def test_all_masked_returns_none() -> None:
    assert Sampler(SamplingParams(temperature=1.0)).sample(np.full(5, -np.inf)) is None


def test_top_k_keeps_only_the_k_best() -> None:
    assert set(draws(SamplingParams(temperature=10.0, top_k=2, seed=3))) == {1, 3}
    assert set(draws(SamplingParams(temperature=1.0, top_k=1, seed=3), n=20)) == {3}


def test_top_p_keeps_the_smallest_set_with_that_mass() -> None:
    # softmax(LOGITS): token 3 ≈ 0.64, token 1 ≈ 0.24 -> top_p 0.5 keeps {3}, 0.8 keeps {3, 1}
    assert set(draws(SamplingParams(temperature=1.0, top_p=0.5, seed=4))) == {3}
    assert set(draws(SamplingParams(temperature=1.0, top_p=0.8, seed=4))) == {1, 3}


def test_high_temperature_reaches_every_token_and_follows_the_distribution() -> None:
    counts = np.bincount(draws(SamplingParams(temperature=1.0, seed=5), n=4000), minlength=5)
    expected = np.exp(LOGITS) / np.exp(LOGITS).sum() * 4000
    assert counts.min() > 0
    assert np.abs(counts - expected).max() < 0.15 * 4000


def test_same_seed_same_draws_other_seed_other_draws() -> None:
    params = SamplingParams(temperature=2.0, seed=11)
    assert draws(params, n=50) == draws(params, n=50)
    assert draws(params, n=50) != draws(SamplingParams(temperature=2.0, seed=12), n=50)


def test_params_from_config() -> None:
    config = SamplingConfig(temperature=0.7, top_k=40, top_p=0.9, seed=3)
    assert SamplingParams.from_config(config) == SamplingParams(0.7, 40, 0.9, 3)


def test_sampling_does_not_modify_the_logits() -> None:
    logits = LOGITS.copy()
    Sampler(SamplingParams(temperature=1.0, top_k=2, top_p=0.9, seed=0)).sample(logits)
    np.testing.assert_array_equal(logits, LOGITS)


@pytest.mark.parametrize("bad", [{"temperature": -1.0}, {"top_p": 0.0}, {"top_k": -2}])
def test_invalid_sampling_config_is_rejected(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SamplingConfig(**bad)
