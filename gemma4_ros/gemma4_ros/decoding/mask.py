"""Applying a token bitmask to float logits in place, at a cost that follows the mask's shape.

llguidance returns one bit per token (32 tokens per int32 word). Unpacking all 262,144 bits and
writing ``-inf`` through a boolean mask costs ~300 µs per step, more than computing the mask. But
a grammar's masks are extreme: inside a call a handful of tokens are allowed (words mostly zero);
in free text nearly all are (words mostly all-ones). So only the words that matter are touched:
few allowed → save their logits, fill ``-inf``, put them back; nearly all allowed → the ids of the
few forbidden tokens (the zero bits of the words that are not all-ones) get ``-inf`` in one
scatter.

The work splits in two: :func:`prepare_mask` needs only the bitmask, so it can run on the mask
thread while the model computes; :meth:`PreparedMask.apply` is what is left once logits exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

_ALL_ONES = np.uint32(0xFFFFFFFF)
# At most this many non-zero words: the "gather, fill, scatter" path (bench/decoding.py).
SPARSE_WORDS = 512


def allowed_ids(words: np.ndarray) -> np.ndarray:
    """Token ids whose bit is set in ``words`` (uint32 view of the bitmask), ascending."""
    nonzero = np.flatnonzero(words)
    bits = np.unpackbits(words[nonzero].view(np.uint8), bitorder="little").reshape(-1, 32)
    rows, cols = np.nonzero(bits)
    return nonzero[rows] * 32 + cols


def blocked_ids(words: np.ndarray, partial: np.ndarray) -> np.ndarray:
    """Token ids whose bit is clear in the ``partial`` words of ``words``, ascending."""
    bits = np.unpackbits(words[partial].view(np.uint8), bitorder="little").reshape(-1, 32)
    rows, cols = np.nonzero(bits == 0)
    return partial[rows] * 32 + cols


@dataclass(frozen=True)
class PreparedMask:
    """A bitmask in the form cheapest to apply: allowed ids (``ids``), forbidden ids
    (``blocked``: the clear bits when nearly all are set), or every bit (``allowed``)."""

    n_bits: int
    ids: Optional[np.ndarray] = None
    blocked: Optional[np.ndarray] = None
    allowed: Optional[np.ndarray] = None

    def apply(self, logits: np.ndarray) -> Optional[np.ndarray]:
        """Set disallowed logits to ``-inf`` in place (1-D; entries past the mask are disallowed).

        Returns the allowed ids when there are few of them (a sampler may then draw from that
        short list instead of scanning the whole vocabulary), else None.
        """
        n = logits.shape[0]
        if self.ids is not None:
            ids = self.ids[: np.searchsorted(self.ids, n)]
            kept = logits[ids]
            logits.fill(-np.inf)
            logits[ids] = kept
            return ids
        logits[self.n_bits:] = -np.inf
        if self.allowed is not None:
            view = logits[: self.n_bits]
            np.copyto(view, -np.inf, where=~self.allowed[: view.shape[0]])
            return None
        blocked = self.blocked
        assert blocked is not None  # the third form, by construction
        logits[blocked[: np.searchsorted(blocked, n)]] = -np.inf
        return None


def prepare_mask(bitmask: np.ndarray) -> PreparedMask:
    """Everything about applying ``bitmask`` that does not need the logits."""
    words = bitmask.reshape(-1).view(np.uint32)
    n_bits = words.shape[0] * 32
    if np.count_nonzero(words) <= SPARSE_WORDS:
        return PreparedMask(n_bits, ids=allowed_ids(words))
    partial = np.flatnonzero(words != _ALL_ONES)
    if partial.size > words.shape[0] // 4:  # no structure to exploit: unpack everything
        return PreparedMask(n_bits, allowed=np.unpackbits(words.view(np.uint8), bitorder="little") == 1)
    return PreparedMask(n_bits, blocked=blocked_ids(words, partial))


def apply_bitmask(logits: np.ndarray, bitmask: np.ndarray) -> Optional[np.ndarray]:
    """Prepare and apply in one go; see :meth:`PreparedMask.apply`."""
    return prepare_mask(bitmask).apply(logits)
