"""The generation loop: prefill, then one token at a time until a stop reason.

Shape after gpt-fast / nanochat: ``prefill`` and ``decode_one_token`` are short verbs, ``generate``
reads top to bottom and yields each token as it is chosen, marked sampled or forced. The loop
knows nothing about tools or prompts; constrained decoding plugs in through three hooks of
:class:`GenerationOptions` — ``logits_processor`` (mask logits in place), ``on_commit`` (told each
token; returning False means the grammar rejected it) and ``forced_tokens`` (tokens the grammar
already knows, fed through the model in one pass without sampling). A processor may return the
ids it left allowed (the grammar mask does when they are few), which makes scoring cheap: with
``score_tokens`` each sampled token carries its probability under the masked, tempered
distribution (:meth:`Sampler.probability`), what the planner's per-call confidence is made of.

Images and audio come as ``GenerationOptions.media`` (encoded by the model's ``encode_image`` /
``encode_audio``); their features replace the placeholder rows at prefill. A reused prefix never
covers a placeholder: the prefix lookup sees only the prompt before the first one, so a cached
cache never holds rows that should have been media.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol, cast
from collections.abc import Callable, Collection, Iterator, Sequence

import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime.prefix_cache import PrefixCache
from gemma4_ros.runtime.sampler import Sampler, SamplingParams


GREEDY = SamplingParams()


class StopReason(str, Enum):
    EOS = "eos"
    STOP_TOKEN = "stop_token"
    MAX_TOKENS = "max_tokens"
    DEADLINE = "deadline"
    CANCELLED = "cancelled"
    GRAMMAR_ERROR = "grammar_error"


class CausalModel(Protocol):
    """What the loop needs from a model: a fresh cache and logits after feeding tokens."""

    def new_cache(self) -> Any: ...

    def forward(self, token_ids: np.ndarray, cache: Any) -> np.ndarray: ...


class MediaModel(CausalModel, Protocol):
    """A model that also takes images/audio: placeholder ids, a count check, a merged prefill."""

    @property
    def placeholder_ids(self) -> frozenset[int]: ...

    def check_media(self, token_ids: Sequence[int], media: Sequence[Any]) -> None: ...

    def forward_media(self, token_ids: np.ndarray, cache: Any, media: Sequence[Any]) -> np.ndarray:
        ...


@dataclass(frozen=True)
class TokenEvent:
    token_id: int
    forced: bool  # True: came from ``forced_tokens``, not from sampling
    index: int  # 0-based position among generated tokens
    # Sampled tokens with ``score_tokens``: p(token) under the masked, tempered distribution.
    # None otherwise, and always for forced tokens (the grammar chose them, not the model).
    probability: float | None = None


Processor = Callable[[np.ndarray], np.ndarray | None]


@dataclass
class GenerationOptions:
    """Per-request settings; None means the engine's default."""

    max_new_tokens: int | None = None
    sampling: SamplingParams | None = None
    stop_token_ids: Collection[int] | None = None  # replaces generation_config's stop ids
    timeout_s: float | None = None  # deadline, measured from the start of the request
    cancel: threading.Event | None = None
    logits_processor: Processor | None = None  # masks in place; may return the allowed ids
    on_commit: Callable[[int], bool | None] | None = None
    forced_tokens: Callable[[], Sequence[int]] | None = None
    use_prefix_cache: bool = True
    media: Sequence[Any] = ()  # EncodedMedia in prompt order, one per image/audio in the prompt
    score_tokens: bool = False  # give each sampled token its probability (costs a softmax)


@dataclass
class Generation:
    """Iterate for :class:`TokenEvent`s; afterwards ``stop_reason`` and timings are set."""

    prompt_tokens: int
    token_ids: list[int] = field(default_factory=list)
    probabilities: list[float | None] = field(default_factory=list)  # per token, as TokenEvent
    stop_reason: StopReason | None = None
    reused_prefix_tokens: int = 0
    time_to_first_token_s: float | None = None
    _events: Iterator[TokenEvent] = field(default_factory=lambda: iter(()), repr=False)

    def __iter__(self) -> Iterator[TokenEvent]:
        for event in self._events:
            self.token_ids.append(event.token_id)
            self.probabilities.append(event.probability)
            yield event

    def run(self) -> list[int]:
        """Consume the whole generation; returns the generated ids."""
        for _ in self:
            pass
        return self.token_ids


class Engine:
    """Generates from one model; holds the defaults and the prefix cache, not per-request state.

    One request at a time per engine (run it on the inference worker thread); only ``cancel`` is
    meant to be touched from other threads. Cancellation and the deadline are checked between
    steps, so a long prefill finishes before either takes effect.
    """

    def __init__(
        self,
        model: CausalModel,
        *,
        eos_token_id: int,
        stop_token_ids: Collection[int],
        sampling: SamplingParams = GREEDY,
        max_new_tokens: int = 256,
        max_context_tokens: int = 8192,
        prefix_cache_entries: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.model = model
        self.eos_token_id = eos_token_id
        self.stop_token_ids = frozenset(stop_token_ids) | {eos_token_id}
        self.sampling = sampling
        self.max_new_tokens = max_new_tokens
        self.max_context_tokens = max_context_tokens
        self.prefix_cache = PrefixCache(model, prefix_cache_entries)
        self.clock = clock

    def generate(
        self, prompt_ids: Sequence[int], options: GenerationOptions | None = None
    ) -> Generation:
        """Start a request; nothing runs until the returned :class:`Generation` is iterated."""
        opts = options or GenerationOptions()
        if len(prompt_ids) == 0:
            raise Gemma4RosError("the prompt is empty", "pass at least one token (e.g. <bos>)")
        budget = self.max_context_tokens - len(prompt_ids)
        if budget <= 0:
            raise Gemma4RosError(
                f"the prompt has {len(prompt_ids)} tokens; the context allows "
                f"{self.max_context_tokens}",
                "shorten the prompt or raise max_context_tokens",
            )
        requested = self.max_new_tokens if opts.max_new_tokens is None else opts.max_new_tokens
        if requested < 1:
            raise Gemma4RosError(f"max_new_tokens is {requested}", "ask for at least one token")
        limit = min(requested, budget)
        self._check_media(prompt_ids, opts.media)
        generation = Generation(prompt_tokens=len(prompt_ids))
        generation._events = self._run(list(prompt_ids), opts, limit, generation)
        return generation

    def prefill(
        self, prompt: list[int], use_prefix: bool, media: Sequence[Any] = ()
    ) -> tuple[Any, np.ndarray, int]:
        """Cache and next-token logits after the prompt; reuses a stored prefix when one fits
        before the first image/audio placeholder."""
        first_media = self._first_placeholder(prompt)
        hit = self.prefix_cache.lookup(prompt[:first_media]) if use_prefix else None
        if hit is not None and hit.length == len(prompt):
            return hit.cache, hit.logits, hit.length
        cache, done = (hit.cache, hit.length) if hit is not None else (self.model.new_cache(), 0)
        rest = np.asarray(prompt[done:], dtype=np.int64)
        if first_media < len(prompt):
            return cache, cast(MediaModel, self.model).forward_media(rest, cache, media), done
        return cache, self.model.forward(rest, cache), done

    def _first_placeholder(self, prompt: Sequence[int]) -> int:
        """Index of the first image/audio placeholder in ``prompt``, or its length."""
        placeholders: frozenset[int] = getattr(self.model, "placeholder_ids", frozenset())
        return next((i for i, t in enumerate(prompt) if t in placeholders), len(prompt))

    def _check_media(self, prompt: Sequence[int], media: Sequence[Any]) -> None:
        """Media and placeholders must agree before anything runs."""
        if not media and self._first_placeholder(prompt) == len(prompt):
            return
        check = getattr(self.model, "check_media", None)
        if check is None:
            raise Gemma4RosError(
                f"{type(self.model).__name__} cannot take images or audio",
                "load a Gemma 4 ONNX model (Gemma4OnnxModel) or send text only",
            )
        check(prompt, media)

    def decode_one_token(
        self, logits: np.ndarray, sampler: Sampler, processor: Processor | None,
        score: bool = False,
    ) -> tuple[int, float | None] | None:
        """Mask (in place) then sample; None when the mask left nothing. With ``score`` the
        token comes with its probability under the masked distribution, else with None."""
        allowed = processor(logits) if processor is not None else None
        token = sampler.sample(logits)
        if token is None:
            return None
        return token, sampler.probability(logits, token, allowed) if score else None

    def _run(
        self, prompt: list[int], opts: GenerationOptions, limit: int, generation: Generation
    ) -> Iterator[TokenEvent]:
        start = self.clock()
        deadline = start + opts.timeout_s if opts.timeout_s is not None else None
        stops = (
            frozenset(opts.stop_token_ids) | {self.eos_token_id}
            if opts.stop_token_ids is not None
            else self.stop_token_ids
        )
        sampler = Sampler(opts.sampling or self.sampling)
        cache, logits, generation.reused_prefix_tokens = self.prefill(
            prompt, opts.use_prefix_cache, opts.media
        )
        produced = 0
        while True:
            reason = self._interrupted(opts, deadline)
            if reason is not None:
                generation.stop_reason = reason
                return
            step = self._next_tokens(logits, sampler, opts, limit - produced)
            if step is None:
                generation.stop_reason = StopReason.GRAMMAR_ERROR
                return
            tokens, forced, probability = step
            for token in tokens:
                if generation.time_to_first_token_s is None:
                    generation.time_to_first_token_s = self.clock() - start
                yield TokenEvent(token, forced, produced, probability)
                produced += 1
                reason = self._after_token(token, stops, opts)
                if reason is not None:
                    generation.stop_reason = reason
                    return
            if produced >= limit:
                generation.stop_reason = StopReason.MAX_TOKENS
                return
            logits = self.model.forward(np.asarray(tokens, dtype=np.int64), cache)

    def _next_tokens(
        self, logits: np.ndarray, sampler: Sampler, opts: GenerationOptions, room: int
    ) -> tuple[list[int], bool, float | None] | None:
        """Forced tokens (at most ``room``) if the hook has any, else one sampled token (with
        its probability when scoring)."""
        forced = list(opts.forced_tokens()) if opts.forced_tokens is not None else []
        if forced:
            return forced[:room], True, None
        chosen = self.decode_one_token(logits, sampler, opts.logits_processor, opts.score_tokens)
        return None if chosen is None else ([chosen[0]], False, chosen[1])

    def _after_token(
        self, token: int, stops: frozenset[int], opts: GenerationOptions
    ) -> StopReason | None:
        if opts.on_commit is not None and opts.on_commit(token) is False:
            return StopReason.GRAMMAR_ERROR
        if token == self.eos_token_id:
            return StopReason.EOS
        if token in stops:
            return StopReason.STOP_TOKEN
        return None

    def _interrupted(self, opts: GenerationOptions, deadline: float | None) -> StopReason | None:
        if opts.cancel is not None and opts.cancel.is_set():
            return StopReason.CANCELLED
        if deadline is not None and self.clock() >= deadline:
            return StopReason.DEADLINE
        return None
