"""Remembered embedding-graph outputs for the short token runs a decode loop feeds again and again.

A decode step embeds one token (or a few forced ones) with its own ``session.run`` of
``embed_tokens``, a few percent of a small model's step. A planner emits the same handful of
tokens over and over (tool names, keys, digits, delimiters), so the outputs of those runs are
kept, keyed by the exact ids: the same graph on the same input gives the same output, so a hit
is bit-identical to running the graph, whatever the graph does inside (plain Gather, scaled,
block-quantized, placeholder rewrites). Computing the lookup in numpy from the graph's weights
would skip even the first run, but proving it identical needs the graph's nodes (the ``onnx``
package, which the runtime does not depend on) and differs per exporter and variant.

Only runs of at most ``MAX_RUN`` tokens are kept, within ``budget_bytes``, least recently used
out first. Stored arrays are read-only, so a caller that tried to edit one in place (media
merging does, on prefill embeddings that never come from here) fails loudly instead of
corrupting later steps.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Optional

import numpy as np

MAX_RUN = 8  # tokens; prompts are longer and rarely repeat exactly
DEFAULT_BUDGET_BYTES = 16 * 1024 * 1024  # Gemma 4 E2B fp32: ~42 KB a token, ~390 tokens

# inputs_embeds, per_layer_inputs (None without per-layer embeddings)
Outputs = tuple[np.ndarray, Optional[np.ndarray]]


class EmbedMemo:
    """``lookup(ids, compute)``: the remembered outputs for ``ids``, else ``compute(ids)``'s."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[tuple[int, ...], Outputs] = OrderedDict()
        self._bytes = 0

    def lookup(self, ids: np.ndarray, compute: Callable[[np.ndarray], Outputs]) -> Outputs:
        if ids.size > MAX_RUN or self.budget_bytes <= 0:
            return compute(ids)
        key = tuple(ids.reshape(-1).tolist())
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        outputs = compute(ids)
        for array in outputs:
            if array is not None:
                array.setflags(write=False)
        self._entries[key] = outputs
        self._bytes += _size(outputs)
        while self._bytes > self.budget_bytes and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= _size(dropped)
        return outputs


def _size(outputs: Outputs) -> int:
    return sum(array.nbytes for array in outputs if array is not None)
