"""The decoder's reused per-step inputs and the remembered embedding runs."""

from __future__ import annotations

import numpy as np
import pytest

from gemma4_ros.runtime.embed_memo import MAX_RUN, EmbedMemo
from gemma4_ros.runtime.step_inputs import StepInputs


def test_step_inputs_equal_fresh_arrays_and_survive_growth() -> None:
    inputs = StepInputs(initial=4)
    early = inputs.position_ids(1, 3)
    for past, length in [(0, 3), (3, 1), (4, 9), (13, 1), (0, 40)]:
        np.testing.assert_array_equal(
            inputs.attention_mask(past + length), np.ones((1, past + length), dtype=np.int64)
        )
        np.testing.assert_array_equal(
            inputs.position_ids(past, length), np.arange(past, past + length)[None]
        )
    np.testing.assert_array_equal(early, [[1, 2, 3]])  # a view handed out before growing
    with pytest.raises(ValueError):
        inputs.attention_mask(3)[0, 0] = 0  # read-only: nobody can corrupt later steps


def test_embed_memo_runs_the_graph_once_per_short_run() -> None:
    calls: list[tuple[int, ...]] = []

    def compute(ids: np.ndarray) -> tuple[np.ndarray, None]:
        calls.append(tuple(ids.reshape(-1).tolist()))
        return np.asarray(ids, dtype=np.float32) * 2, None

    memo = EmbedMemo()
    first = memo.lookup(np.array([[7]]), compute)
    again = memo.lookup(np.array([[7]]), compute)
    memo.lookup(np.array([[7, 8]]), compute)
    long = np.arange(MAX_RUN + 1)[None]
    memo.lookup(long, compute)
    memo.lookup(long, compute)
    assert calls == [(7,), (7, 8), tuple(range(MAX_RUN + 1)), tuple(range(MAX_RUN + 1))]
    assert again[0] is first[0] and not first[0].flags.writeable


def test_embed_memo_stays_within_its_budget() -> None:
    memo = EmbedMemo(budget_bytes=3 * 4 * 16)  # three entries of 16 float32

    def compute(ids: np.ndarray) -> tuple[np.ndarray]:
        return (np.full(16, float(ids[0, 0]), dtype=np.float32),)

    for token in range(5):
        memo.lookup(np.array([[token]]), compute)
    assert memo._bytes <= memo.budget_bytes
    assert list(memo._entries) == [(2,), (3,), (4,)]
