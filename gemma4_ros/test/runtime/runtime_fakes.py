"""A numpy fake decoder for fast tests of the generation loop (no ONNX, no model files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable

import numpy as np

VOCAB = 64


@dataclass
class FakeCache:
    tokens: list[int] = field(default_factory=list)

    @property
    def length(self) -> int:
        return len(self.tokens)

    def copy(self) -> FakeCache:
        return FakeCache(list(self.tokens))


class FakeModel:
    """Deterministic logits: the next token is ``successor(last token)`` by a clear margin.

    Logits also carry a small ramp over the vocabulary so every token has a distinct score
    (second choices are predictable), and a tiny dependence on the cache length so a wrong cache
    would change them. Records every forward call's tokens.
    """

    def __init__(
        self,
        successor: Callable[[int], int] = lambda t: (t + 1) % VOCAB,
        on_forward: Callable[[], None] | None = None,
    ) -> None:
        self.successor = successor
        self.on_forward = on_forward
        self.calls: list[list[int]] = []
        self.vocab_size = VOCAB

    def new_cache(self) -> FakeCache:
        return FakeCache()

    def forward(self, token_ids: np.ndarray, cache: FakeCache) -> np.ndarray:
        ids = [int(t) for t in token_ids]
        self.calls.append(ids)
        cache.tokens.extend(ids)
        if self.on_forward is not None:
            self.on_forward()
        logits = np.linspace(0.0, 1.0, VOCAB, dtype=np.float32) + 1e-3 * cache.length
        logits[self.successor(ids[-1])] += 5.0
        return logits
