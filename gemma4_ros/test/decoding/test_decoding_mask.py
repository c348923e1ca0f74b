"""apply_bitmask gives exactly the reference result (unpack every bit) on every mask shape."""

from __future__ import annotations

import numpy as np
import pytest
from gemma4_ros.decoding.mask import allowed_ids, apply_bitmask
from hypothesis import given, settings
from hypothesis import strategies as st


def pack(allowed: np.ndarray) -> np.ndarray:
    padded = np.zeros(-(-allowed.size // 32) * 32, dtype=bool)
    padded[: allowed.size] = allowed
    return np.packbits(padded, bitorder="little").view(np.int32)


def reference(logits: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    out = logits.copy()
    out[: allowed.size][~allowed] = -np.inf
    out[allowed.size:] = -np.inf
    return out


SHAPES = {
    "few allowed": lambda rng, v: np.isin(np.arange(v), [0, 31, 32, v - 1]),
    "sparse random": lambda rng, v: rng.random(v) < 1e-3,
    "half": lambda rng, v: rng.random(v) < 0.5,
    "nearly all": lambda rng, v: ~np.isin(np.arange(v), rng.choice(v, 40)),
    "all": lambda rng, v: np.ones(v, dtype=bool),
    "none": lambda rng, v: np.zeros(v, dtype=bool),
}


@pytest.mark.parametrize("vocab", [64 * 1024, 64 * 1024 - 7, 100])
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_matches_reference(vocab: int, shape) -> None:
    rng = np.random.default_rng(vocab)
    allowed = shape(rng, vocab)
    logits = rng.standard_normal(vocab).astype(np.float32)
    got = logits.copy()
    apply_bitmask(got, pack(allowed))
    assert np.array_equal(got, reference(logits, allowed))
    assert allowed_ids(pack(allowed).view(np.uint32)).tolist() == np.flatnonzero(allowed).tolist()


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3000), st.integers(0, 64), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_matches_reference_with_padded_logits(vocab: int, padding: int, density: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    allowed = rng.random(vocab) < density
    logits = rng.standard_normal(vocab + padding).astype(np.float32)
    got = logits.copy()
    apply_bitmask(got, pack(allowed))
    assert np.array_equal(got, reference(logits, allowed))
