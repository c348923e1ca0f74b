"""The KV cache of one sequence: past tensors of the cache-owning layers, fed back every step.

The decoder graph returns new ``present`` tensors (past + new tokens) each step and never writes
into its inputs, so cache tensors are immutable once stored. That makes :meth:`KVCache.copy` a
shallow copy: a system prompt computed once can seed any number of requests without copying its
tensors. With IO binding (CUDA/TensorRT) the tensors are ``OrtValue``s that stay on the device;
otherwise they are numpy arrays.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Mapping, Sequence

import numpy as np
import onnxruntime as ort

from gemma4_ros.runtime.contracts import KVSlot


class KVCache:
    """Past keys/values by graph input name, plus the number of tokens they cover."""

    def __init__(
        self,
        slots: Sequence[KVSlot],
        device: str = "cpu",
        device_id: int = 0,
        ort_values: bool = False,
    ) -> None:
        self.slots = tuple(slots)
        self.device = device
        self.device_id = device_id
        self.ort_values = ort_values or device != "cpu"  # device memory is only reachable so
        self._tensors: dict[str, Any] = {}
        self._length = 0
        self.reset()

    @property
    def length(self) -> int:
        """Tokens already in the cache = position of the next token."""
        return self._length

    def reset(self) -> None:
        """Empty cache: zero-length tensors in the dtype the graph declares for its past inputs."""
        self._length = 0
        for slot in self.slots:
            empty: np.ndarray = np.zeros((1, slot.heads, 0, slot.head_dim), dtype=slot.dtype)
            self._tensors[slot.input_name] = (
                ort.OrtValue.ortvalue_from_numpy(empty, self.device, self.device_id)
                if self.ort_values
                else empty
            )

    def feeds(self) -> Mapping[str, Any]:
        """Past tensors keyed by graph input name (numpy arrays, or OrtValues with IO binding)."""
        return self._tensors

    def append(self, presents: Mapping[str, Any], new_tokens: int) -> None:
        """Adopt the graph's ``present`` outputs (keyed by output name) as the next past."""
        for slot in self.slots:
            self._tensors[slot.input_name] = presents[slot.output_name]
        self._length += new_tokens

    def copy(self) -> KVCache:
        """A cache that starts where this one is; tensors are shared because none is mutated."""
        other = KVCache.__new__(KVCache)
        other.slots, other.device, other.device_id = self.slots, self.device, self.device_id
        other.ort_values = self.ort_values
        other._tensors = dict(self._tensors)
        other._length = self._length
        return other
