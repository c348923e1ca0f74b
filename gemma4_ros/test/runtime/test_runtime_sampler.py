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


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits.astype(np.float64) - logits.max())
    return shifted / shifted.sum()


def test_probability_is_the_chosen_tokens_share_of_the_allowed_logits() -> None:
    masked = LOGITS.copy()
    masked[3] = -np.inf  # the grammar forbids the model's favourite
    token = Sampler(SamplingParams()).sample(masked)
    assert token == 1
    expected = _softmax(LOGITS[[0, 1, 2, 4]])[1]  # token 1 among the four allowed
    assert Sampler(SamplingParams()).probability(masked, 1) == pytest.approx(expected, rel=1e-6)


def test_probability_follows_the_temperature_but_not_top_k_or_top_p() -> None:
    expected = _softmax(LOGITS / 2.0)[3]
    for params in (SamplingParams(temperature=2.0), SamplingParams(2.0, top_k=1, top_p=0.1)):
        assert Sampler(params).probability(LOGITS, 3) == pytest.approx(expected, rel=1e-6)
    # Argmax has no spread of its own: the model's distribution at temperature 1 is used.
    assert Sampler(SamplingParams()).probability(LOGITS, 3) == pytest.approx(
        _softmax(LOGITS)[3], rel=1e-6)


def test_probability_from_the_allowed_ids_equals_the_full_pass() -> None:
    rng = np.random.default_rng(0)
    logits = rng.standard_normal(1000).astype(np.float32)
    allowed = np.array([3, 17, 500, 999])
    masked = np.full_like(logits, -np.inf)
    masked[allowed] = logits[allowed]
    sampler = Sampler(SamplingParams(temperature=0.7))
    token = sampler.sample(masked)
    assert token is not None
    before = masked.copy()
    assert sampler.probability(masked, token, allowed) == pytest.approx(
        sampler.probability(masked, token), rel=1e-6)
    np.testing.assert_array_equal(masked, before)  # scoring never touches the logits


def test_probability_counts_non_finite_logits_as_masked() -> None:
    odd = LOGITS.copy()
    odd[[0, 4]] = [np.nan, np.inf]  # the sampler never picks these; they take no share either
    assert Sampler(SamplingParams()).sample(odd) == 3
    assert Sampler(SamplingParams()).probability(odd, 3) == pytest.approx(
        _softmax(LOGITS[[1, 2, 3]])[2], rel=1e-6)


def test_a_probability_that_cannot_be_computed_is_zero() -> None:
    # A token outside the allowed ids (a processor bug) must not come out sure of itself.
    assert Sampler(SamplingParams()).probability(LOGITS, 3, np.array([0, 2])) == 0.0
    assert Sampler(SamplingParams()).probability(np.full(5, np.nan), 1) == 0.0
