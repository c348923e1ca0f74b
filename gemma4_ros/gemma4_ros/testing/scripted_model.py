"""Numpy stand-ins for a Gemma 4 decoder: one that writes scripted replies, one that is random.

They plug into the real :class:`gemma4_ros.runtime.generation.Engine` (``new_cache`` +
``forward``), so the planner, the grammar hooks, the prefix cache and the parser all run for
real while each request costs milliseconds. Use them in your own tests the same way::

    model = ScriptedModel(tokenizer, ['<|tool_call>call:stop{}<tool_call|><|tool_response>'])
    engine = Engine(model, eos_token_id=tokenizer.special_ids.eos, stop_token_ids=[])
    planner = Planner(engine, tokenizer, ToolRegistry.load())

A scripted reply is what the model "wants" to write: the next scripted token gets a large logit
margin over seeded noise, so unconstrained decoding reproduces the script exactly, while a grammar
mask can still overrule it (the argmax then falls on the best allowed token, as with a real model).
A reply starts where the prompt ends: after the last ``<|turn>model⏎`` or ``<tool_response|>``
(plus an opened ``<|channel>thought⏎`` there), which is where Gemma 4 prompts hand over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, Union

import numpy as np

from gemma4_ros.chat import special_tokens as tok
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer

Replies = Union[str, Sequence[str], Callable[[str], str]]


@dataclass
class ScriptedCache:
    """Tokens seen so far, and the reply chosen once the prompt was complete."""

    tokens: list[int] = field(default_factory=list)
    reply: Optional[list[int]] = None
    reply_start: int = 0

    @property
    def length(self) -> int:
        return len(self.tokens)

    def copy(self) -> "ScriptedCache":
        return ScriptedCache(list(self.tokens), None if self.reply is None else list(self.reply),
                             self.reply_start)


class RandomModel:
    """Seeded random logits that depend on the position and the last token: the worst case for a
    grammar (it never "wants" to close anything), like a random-weight checkpoint."""

    def __init__(self, vocab_size: int, seed: int = 0, scale: float = 1.0) -> None:
        self.vocab_size = vocab_size
        self.seed = seed
        self.scale = scale
        self.forward_calls = 0

    def new_cache(self) -> ScriptedCache:
        return ScriptedCache()

    def forward(self, token_ids: np.ndarray, cache: ScriptedCache) -> np.ndarray:
        cache.tokens.extend(int(t) for t in np.asarray(token_ids).reshape(-1))
        self.forward_calls += 1
        return self.noise(cache)

    def noise(self, cache: ScriptedCache) -> np.ndarray:
        last = cache.tokens[-1] if cache.tokens else 0
        rng = np.random.default_rng([self.seed, cache.length, last, sum(cache.tokens) % 1_000_003])
        return (self.scale * rng.standard_normal(self.vocab_size)).astype(np.float32)


class ScriptedModel(RandomModel):
    """Writes ``replies``: one string for every request, a list consumed one per request (the
    last one repeats), or a function of the prompt text. ``prompts`` records each prompt."""

    def __init__(self, tokenizer: Gemma4Tokenizer, replies: Replies, *, seed: int = 0,
                 margin: float = 20.0, vocab_size: Optional[int] = None) -> None:
        super().__init__(vocab_size or tokenizer.vocab_size, seed)
        self.tokenizer = tokenizer
        self.replies = replies
        self.margin = margin
        self.prompts: list[str] = []
        self._openers = [tokenizer.encode(tok.TURN_START + "model\n"),
                         [tokenizer.token_id(tok.TOOL_RESPONSE_END)]]
        self._thought = tokenizer.encode(tok.CHANNEL_START + "thought\n")
        self._end = tokenizer.token_id(tok.TURN_END)

    def forward(self, token_ids: np.ndarray, cache: ScriptedCache) -> np.ndarray:
        logits = super().forward(token_ids, cache)
        if cache.reply is None and self._prompt_complete(cache.tokens):
            prompt = self.tokenizer.decode(cache.tokens)
            self.prompts.append(prompt)
            cache.reply = self.tokenizer.encode(self._reply_for(prompt))
            cache.reply_start = cache.length
        if cache.reply is not None:
            written = cache.length - cache.reply_start
            wanted = cache.reply[written] if written < len(cache.reply) else self._end
            logits[wanted] += self.margin
        return logits

    def _prompt_complete(self, tokens: list[int]) -> bool:
        for opener in self._openers:
            for tail in (opener, opener + self._thought):
                if len(tokens) >= len(tail) and tokens[-len(tail):] == tail:
                    return True
        return False

    def _reply_for(self, prompt: str) -> str:
        if callable(self.replies):
            return self.replies(prompt)
        if isinstance(self.replies, str):
            return self.replies
        index = min(len(self.prompts) - 1, len(self.replies) - 1)
        return self.replies[index]
