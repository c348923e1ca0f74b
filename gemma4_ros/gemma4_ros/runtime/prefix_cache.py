"""Compute a constant prompt prefix once and start every request from a copy of its KV cache.

The planner's system prompt and tool declarations are the same for every request and are most of
the prompt, so prefilling them once turns time-to-first-token into the cost of the user's few
tokens. Entries are looked up by exact token prefix (longest wins) and evicted least recently used.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from collections.abc import Sequence

import numpy as np


@dataclass(frozen=True)
class PrefixHit:
    """A cache positioned after ``length`` prompt tokens, and the logits that followed them."""

    cache: Any
    length: int
    logits: np.ndarray


class PrefixCache:
    """Up to ``capacity`` prefilled prefixes of one model."""

    def __init__(self, model: Any, capacity: int = 4) -> None:
        self.model = model
        self.capacity = capacity
        self._entries: OrderedDict[tuple[int, ...], tuple[Any, np.ndarray]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, prefix_ids: Sequence[int]) -> None:
        """Prefill ``prefix_ids`` now (once); later prompts starting with them reuse the result."""
        key = tuple(int(i) for i in prefix_ids)
        if not key or self.capacity == 0:
            return
        if key in self._entries:
            self._entries.move_to_end(key)
            return
        cache = self.model.new_cache()
        logits = self.model.forward(np.asarray(key, dtype=np.int64), cache)
        self._entries[key] = (cache, logits)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def lookup(self, prompt_ids: Sequence[int]) -> PrefixHit | None:
        """The longest stored prefix of ``prompt_ids``, as a private copy, or None."""
        prompt = tuple(int(i) for i in prompt_ids)
        best = max(
            (key for key in self._entries if prompt[: len(key)] == key), key=len, default=None
        )
        if best is None:
            return None
        self._entries.move_to_end(best)
        cache, logits = self._entries[best]
        return PrefixHit(cache.copy(), len(best), logits.copy())
