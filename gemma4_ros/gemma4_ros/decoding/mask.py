"""Applying a token bitmask to float logits in place, at a cost that follows the mask's shape.

llguidance returns one bit per token (32 tokens per int32 word). Unpacking all 262,144 bits and
writing ``-inf`` through a boolean mask costs ~300 µs per step, more than computing the mask. But
a grammar's masks are extreme: inside a call a handful of tokens are allowed (words mostly zero);
in free text nearly all are (words mostly all-ones). So only the words that are neither are
unpacked: few allowed → save their logits, fill ``-inf``, put them back; many allowed → blank the
all-zero words and the disallowed bits of the mixed ones.
"""

from __future__ import annotations

import numpy as np

_ALL_ONES = np.uint32(0xFFFFFFFF)
# Below this many non-zero words the "gather, fill, scatter" path wins (measured in bench/decoding.py).
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
    if np.count_nonzero(words != _ALL_ONES) > words.shape[0] // 4:  # no pattern: unpack all
        allowed = np.unpackbits(words.view(np.uint8), bitorder="little", count=covered)
        np.copyto(logits[:covered], -np.inf, where=allowed == 0)
        return
    full_words = covered // 32
    blocks = logits[: full_words * 32].reshape(full_words, 32)
    head = words[:full_words]
    blocks[head == 0] = -np.inf
    mixed = np.flatnonzero((head != 0) & (head != _ALL_ONES))
    if mixed.size:
        bits = np.unpackbits(head[mixed].view(np.uint8), bitorder="little").reshape(-1, 32)
        sub = blocks[mixed]
        sub[bits == 0] = -np.inf
        blocks[mixed] = sub
    if covered > full_words * 32:
        tail_bits = np.unpackbits(words[full_words : full_words + 1].view(np.uint8), bitorder="little")
        tail = logits[full_words * 32 : covered]
        tail[tail_bits[: tail.shape[0]] == 0] = -np.inf
