"""Pick the next token from logits: argmax at temperature 0, else temperature / top-k / top-p.

A seeded numpy ``Generator`` per request makes sampled runs reproducible. Masked logits (−inf,
set by a grammar hook) are never chosen; when nothing is left to choose the sampler returns
None and the loop stops with ``GRAMMAR_ERROR`` instead of emitting an arbitrary token.

:meth:`Sampler.probability` says how sure the model was of a chosen token: its share of the
masked, tempered distribution. The planner turns these into a confidence per tool call.
"""

from __future__ import annotations

import math
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

    def probability(self, logits: np.ndarray, token: int,
                    allowed: np.ndarray | None = None) -> float:
        """The chosen ``token``'s probability under softmax(allowed logits / temperature).

        That is the distribution the token was drawn from before top-k / top-p trimmed it (the
        trimming is a sampling device, not the model's belief). Temperature 0 (argmax) has no
        spread of its own, so the model's own distribution (temperature 1) is used. ``allowed``:
        the allowed ids when the grammar mask knows them — a handful of logits then instead of the
        whole vocabulary (at 262,144 entries the full pass is what costs; bench/decoding.py).
        Logits that are not finite count as masked, as in :meth:`sample`; a probability that
        cannot be computed is 0.0, never a guess upwards.
        """
        scale = 1.0 / self.params.temperature if self.params.temperature > 0.0 else 1.0
        scores = logits if allowed is None else logits[allowed]
        with np.errstate(invalid="ignore", over="ignore"):
            chance = _share(scores, float(logits[token]), scale)
            if not 0.0 <= chance <= 1.0:  # NaN or +inf among the logits: drop them, as sample does
                chance = _share(scores[np.isfinite(scores)], float(logits[token]), scale)
        return chance if 0.0 <= chance <= 1.0 else 0.0


def _share(scores: np.ndarray, chosen: float, scale: float) -> float:
    """exp(chosen) / sum(exp(scores)) at ``scale``, shifted by the maximum so nothing overflows."""
    if scores.size == 0 or not math.isfinite(chosen):
        return math.nan
    top = float(scores.max())
    shifted = scores - top  # a new array: the caller's logits stay as they are
    if scale != 1.0:
        shifted *= scale
    np.exp(shifted, out=shifted)  # in place: at 262k entries every pass over memory counts
    return math.exp((chosen - top) * scale) / float(shifted.sum(dtype=np.float64))
