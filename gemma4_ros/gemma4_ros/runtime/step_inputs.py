"""The decoder's small per-step inputs, served as views of buffers that only ever grow.

Every decode step feeds ``attention_mask`` (ones over past + new tokens), ``position_ids``
(past … past+new−1) and, where the graph takes it, ``num_logits_to_keep``. Allocating them anew
each step is cheap but pure overhead on the planner's short requests, whose steps cost well under
a millisecond; so they are slices of one ones-array and one arange that grow by doubling. The
views are never written: ONNX Runtime does not write its inputs, and a grown buffer replaces the
old one without touching views already handed out.
"""

from __future__ import annotations

import numpy as np

KEEP_LAST = np.array(1, dtype=np.int64)  # num_logits_to_keep: the next-token logits only
KEEP_ALL = np.array(0, dtype=np.int64)  # num_logits_to_keep: every position
for _constant in (KEEP_LAST, KEEP_ALL):
    _constant.setflags(write=False)


class StepInputs:
    """``attention_mask`` and ``position_ids`` rows for a run of tokens after ``past`` ones."""

    def __init__(self, initial: int = 256) -> None:
        self._ones = self._positions = np.empty(0, dtype=np.int64)
        self._grow(initial)

    def attention_mask(self, total: int) -> np.ndarray:
        """[1, total] of ones (every cached and new token is attended to)."""
        self._grow(total)
        return self._ones[None, :total]

    def position_ids(self, past: int, length: int) -> np.ndarray:
        """[1, length]: past, past+1, …"""
        self._grow(past + length)
        return self._positions[None, past : past + length]

    def _grow(self, size: int) -> None:
        if size <= self._ones.shape[0]:
            return
        capacity = max(size, 2 * self._ones.shape[0])
        ones, positions = np.ones(capacity, dtype=np.int64), np.arange(capacity, dtype=np.int64)
        for array in (ones, positions):
            array.setflags(write=False)
        self._ones, self._positions = ones, positions
