"""Pick the next token from logits: argmax at temperature 0, else temperature / top-k / top-p.

A seeded numpy ``Generator`` per request makes sampled runs reproducible. Masked logits (−inf,
set by a grammar hook) are never chosen; when nothing is left to choose the sampler returns
None and the loop stops with ``GRAMMAR_ERROR`` instead of emitting an arbitrary token.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gemma4_ros.runtime.config import SamplingConfig


@dataclass(frozen=True)
class SamplingParams:
    temperature: float = 0.0
    top_k: int = 0
    top_p: float = 1.0
    seed: int | None = None

    @classmethod
    def from_config(cls, config: SamplingConfig) -> SamplingParams:
        return cls(config.temperature, config.top_k, config.top_p, config.seed)


class Sampler:
    """Stateful only in its RNG, so one request's draws never depend on another's."""

    def __init__(self, params: SamplingParams) -> None:
        self.params = params
        self.rng = np.random.default_rng(params.seed)

    def sample(self, logits: np.ndarray) -> int | None:
        """Token id, or None when every token is masked (or logits are not finite numbers)."""
        allowed = np.isfinite(logits)
        if not allowed.any():
            return None
        if self.params.temperature == 0.0:
            return int(np.argmax(np.where(allowed, logits, -np.inf)))
        candidates = np.flatnonzero(allowed)
        scores = logits[candidates].astype(np.float64) / self.params.temperature
        if 0 < self.params.top_k < len(candidates):
            keep = np.argpartition(scores, -self.params.top_k)[-self.params.top_k :]
            candidates, scores = candidates[keep], scores[keep]
        order = np.argsort(-scores, kind="stable")
        candidates, scores = candidates[order], scores[order]
        probs = np.exp(scores - scores[0])
        probs /= probs.sum()
        if self.params.top_p < 1.0:
            cutoff = int(np.searchsorted(np.cumsum(probs), self.params.top_p)) + 1
            candidates, probs = candidates[:cutoff], probs[:cutoff] / probs[:cutoff].sum()
        return int(candidates[self.rng.choice(len(candidates), p=probs)])
