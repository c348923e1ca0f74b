"""Applying a token bitmask to float logits in place, at a cost that follows the mask's shape.

llguidance returns one bit per token (32 tokens per int32 word). Unpacking all 262,144 bits and
writing ``-inf`` through a boolean mask costs ~300 µs per step, more than computing the mask. But
a grammar's masks are extreme: inside a call a handful of tokens are allowed (words mostly zero);
in free text nearly all are (words mostly all-ones). So only the words that matter are touched:
few allowed → save their logits, fill ``-inf``, put them back; nearly all allowed → rewrite only
the 32-token blocks whose word is not all-ones.
"""

from __future__ import annotations

import numpy as np

_ALL_ONES = np.uint32(0xFFFFFFFF)
# Below this many non-zero words the "gather, fill, scatter" path wins (bench/decoding.py).
SPARSE_WORDS = 512


def allowed_ids(words: np.ndarray) -> np.ndarray:
    """Token ids whose bit is set in ``words`` (uint32 view of the bitmask)."""
    nonzero = np.flatnonzero(words)
    bits = np.unpackbits(words[nonzero].view(np.uint8), bitorder="little").reshape(-1, 32)
    rows, cols = np.nonzero(bits)
    return nonzero[rows] * 32 + cols


def apply_bitmask(logits: np.ndarray, bitmask: np.ndarray) -> None:
    """Set ``logits[t] = -inf`` for every token ``t`` whose bit is clear (logits: 1-D float).

    Logits beyond the bitmask (a model vocabulary padded past the tokenizer's) are disallowed.
    """
    words = bitmask.reshape(-1).view(np.uint32)
    covered = min(logits.shape[0], words.shape[0] * 32)
    if np.count_nonzero(words) <= SPARSE_WORDS:
        ids = allowed_ids(words)
        ids = ids[ids < covered]
        kept = logits[ids]
        logits.fill(-np.inf)
        logits[ids] = kept
        return
    logits[covered:] = -np.inf
    full_words = covered // 32
    if full_words < words.shape[0]:  # a last, partly covered word: mask its tail bit by bit
        tail_bits = np.unpackbits(words[full_words:full_words + 1].view(np.uint8), bitorder="little")
        tail = logits[full_words * 32 : covered]
        tail[tail_bits[: tail.shape[0]] == 0] = -np.inf
    head = words[:full_words]
    partial = np.flatnonzero(head != _ALL_ONES)
    if partial.size == 0:
        return
    if partial.size > full_words // 4:  # no structure to exploit: unpack everything
        allowed = np.unpackbits(head.view(np.uint8), bitorder="little")
        np.copyto(logits[: full_words * 32], -np.inf, where=allowed == 0)
        return
    blocks = logits[: full_words * 32].reshape(full_words, 32)
    bits = np.unpackbits(head[partial].view(np.uint8), bitorder="little").reshape(-1, 32)
    blocks[partial] = np.where(bits == 1, blocks[partial], -np.inf)
