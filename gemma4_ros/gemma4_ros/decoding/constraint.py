"""The grammar seam between the generation loop and llguidance.

Three costs, three lifetimes: the llguidance tokenizer (seconds at Gemma 4's 262,144 tokens) is
built once per process per ``tokenizer.json`` (:func:`load_grammar_tokenizer`); a tool set's
grammar is compiled once (:func:`compile_grammar`); each request gets a cheap
:class:`ToolCallConstraint` copied from the compiled template.

How a generation loop drives it (the mask for step *n+1* is computed on a worker thread while the
model runs step *n*; llguidance releases the GIL, ONNX Runtime too)::

    constraint.reset()
    while True:
        forced = constraint.forced_tokens()     # grammar-determined tokens: no sampling needed
        ...                                     # commit them and feed them with the next step
        constraint.start_mask()                 # begin the next mask in the background
        logits = model.step(tokens)             # overlaps with the mask computation
        constraint.mask_logits(logits)          # waits for the mask, applies it in place
        token = sample(logits)
        constraint.commit(token)
        if constraint.is_finished() or constraint.is_error():
            break

With :mod:`gemma4_ros.runtime.generation`, whose loop calls its commit hook right before the next
forward pass, the three hooks are ``logits_processor=c.mask_logits``,
``on_commit=c.commit_and_prefetch`` (commit, then start the next mask) and
``forced_tokens=c.forced_tokens``.

Bad model output never raises: a rejected token puts the constraint into a sticky error state
(``is_error()``, ``error()``); only API misuse (a wrong logits shape) raises.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

import llguidance
import numpy as np
from llguidance.numpy import allocate_token_bitmask

from gemma4_ros.decoding import markup
from gemma4_ros.decoding.grammar import GrammarError
from gemma4_ros.decoding.mask import PreparedMask, allowed_ids, prepare_mask
from gemma4_ros.errors import Gemma4RosError

# A mask that took less than this last time is computed inline when it is needed, unless the
# model's last step was long enough to hide it (OFFLOAD_GAP_S): handing a mask to a thread costs
# a wake-up, which on a loaded machine can exceed a quick mask when the step is short (the demo
# model: ~0.6 ms steps, ~30 µs masks). Behind a long step (any real Gemma 4) even a quick mask
# goes to the thread, so the loop pays only for applying it. Masks are slow in runs (free text,
# strings), so the last one predicts the next well.
OFFLOAD_AFTER_S = 150e-6
OFFLOAD_GAP_S = 2e-3

_POOL_LOCK = threading.Lock()
_POOL: Optional[ThreadPoolExecutor] = None


def _pool() -> ThreadPoolExecutor:
    """One small shared worker pool for background masks (created on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="grammar-mask")
        return _POOL


class GrammarTokenizer:
    """llguidance's view of one ``tokenizer.json``; share it, it is expensive to build.

    Its token slices are the grammar's text character class instead of llguidance's JSON-string
    defaults, so string and free-text steps are masked by slice, not by walking 262k tokens.
    """

    def __init__(self, tokenizer_json: str, eos_token_id: int, vocab_size: Optional[int]) -> None:
        try:
            self.ll = llguidance.LLTokenizer(tokenizer_json, n_vocab=vocab_size, eos_token=eos_token_id,
                                             slices=list(markup.TEXT_SLICES))
        except (ValueError, RuntimeError) as error:
            raise Gemma4RosError(f"llguidance cannot read the tokenizer: {error}",
                                 "pass the model's tokenizer.json (Hugging Face tokenizers format)") from None
        self.eos_token_id = eos_token_id

    @property
    def vocab_size(self) -> int:
        return int(self.ll.vocab_size)

    def encode(self, text: str, special: bool = True) -> list[int]:
        """Token ids for ``text``. With ``special`` off, control-token strings are spelt out in
        ordinary tokens, as a model typing the characters would (for tests and probes)."""
        if special:
            return list(self.ll.tokenize_str(text, parse_special=True))
        return list(self.ll.greedy_tokenize(text))

    def decode(self, token_ids: list[int]) -> str:
        return str(self.ll.decode_str(list(token_ids)))


@lru_cache(maxsize=4)
def _tokenizer_cached(digest: str, text: str, eos_token_id: int,
                      vocab_size: Optional[int]) -> GrammarTokenizer:
    return GrammarTokenizer(text, eos_token_id, vocab_size)


def load_grammar_tokenizer(tokenizer_json: Union[str, Path], eos_token_id: int,
                           vocab_size: Optional[int] = None) -> GrammarTokenizer:
    """The process-wide :class:`GrammarTokenizer` for a tokenizer.json path or its JSON text.

    ``vocab_size`` is the model's logits width when it differs from the tokenizer's.
    """
    if isinstance(tokenizer_json, Path) or not tokenizer_json.lstrip().startswith("{"):
        path = Path(tokenizer_json)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise Gemma4RosError(f"cannot read tokenizer file {path}: {error.strerror}",
                                 "check the model directory holds tokenizer.json") from None
    else:
        text = tokenizer_json
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _tokenizer_cached(digest, text, eos_token_id, vocab_size)


class CompiledGrammar:
    """A grammar compiled for one tokenizer; hands out per-request constraints."""

    def __init__(self, tokenizer: GrammarTokenizer, grammar: str) -> None:
        self.tokenizer = tokenizer
        self.grammar = grammar
        self._template = llguidance.LLMatcher(tokenizer.ll, grammar, log_level=0)
        if self._template.is_error():
            raise GrammarError(f"llguidance rejected the grammar: {self._template.get_error()}",
                               "this is a bug in the grammar builder; report the tool schemas")

    def new_constraint(self) -> "ToolCallConstraint":
        return ToolCallConstraint(self)

    def fresh_matcher(self) -> llguidance.LLMatcher:
        # A copy of the never-used template, so a request's sticky error cannot leak to the next.
        return self._template.deep_copy()


@lru_cache(maxsize=32)
def compile_grammar(tokenizer: GrammarTokenizer, grammar: str) -> CompiledGrammar:
    """The process-wide compiled form of ``grammar`` (compiling costs milliseconds)."""
    return CompiledGrammar(tokenizer, grammar)


class ToolCallConstraint:
    """Per-request grammar state: masks logits, takes committed tokens, reports the end."""

    def __init__(self, compiled: CompiledGrammar,
                 matcher: Optional[llguidance.LLMatcher] = None) -> None:
        self._compiled = compiled
        self._matcher = matcher or compiled.fresh_matcher()
        self._bitmask = allocate_token_bitmask(1, compiled.tokenizer.vocab_size)[0]
        self._pending: Optional[Future[None]] = None
        self._mask_ready = False
        self._prepared: Optional[PreparedMask] = None
        self._last_compute_s = 1.0  # unknown: assume slow, so the first mask goes to the thread
        self._last_gap_s = 0.0  # from start_mask to the mask being needed: the model's step
        self._started_at: Optional[float] = None
        self._forced: Optional[list[int]] = None  # forced tokens of the current state, once asked

    # --- lifecycle -----------------------------------------------------------------------
    def reset(self) -> None:
        """Start a new request (also clears a previous error)."""
        self._settle()
        self._mask_ready = False
        self._forced = None
        self._matcher = self._compiled.fresh_matcher()

    def clone(self) -> "ToolCallConstraint":
        """An independent copy in the same state (for beam or speculative branches)."""
        self._settle()
        return ToolCallConstraint(self._compiled, self._matcher.deep_copy())

    # --- per step ------------------------------------------------------------------------
    def start_mask(self) -> None:
        """Begin computing the next token's mask on a worker thread (returns at once).

        Skipped when the last mask was quick and the last step short (see ``OFFLOAD_AFTER_S``);
        it is then computed in :meth:`mask_logits`.
        """
        self._settle()
        self._mask_ready = False
        self._started_at = time.perf_counter()
        if self._last_compute_s >= OFFLOAD_AFTER_S or self._last_gap_s >= OFFLOAD_GAP_S:
            self._pending = _pool().submit(self._compute_mask)

    def wait_mask(self) -> None:
        """Block until the mask started by :meth:`start_mask` (if any) is ready."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def mask_logits(self, logits: np.ndarray) -> Optional[np.ndarray]:
        """Set every token the grammar forbids next to ``-inf``, in place (1-D float logits).

        Returns the allowed ids when only a few are allowed (a sampler can draw from that short
        list instead of scanning all logits), else None. After a grammar error only the
        end-of-sequence token is left, so the loop stops and can report :meth:`error`.
        """
        if logits.ndim != 1:
            raise ValueError(f"mask_logits takes 1-D logits, got shape {logits.shape}")
        if self._started_at is not None:
            self._last_gap_s, self._started_at = time.perf_counter() - self._started_at, None
        self.compute_mask()
        self._mask_ready = False
        if self._matcher.is_error() or self._prepared is None:
            eos = self._compiled.tokenizer.eos_token_id
            kept = logits[eos]
            logits.fill(-np.inf)
            logits[eos] = kept
            return np.array([eos])
        return self._prepared.apply(logits)

    def compute_mask(self) -> None:
        """Make the next mask ready now (a no-op when a background one already is)."""
        self.wait_mask()
        if not self._mask_ready:
            self._compute_mask()

    def allowed_tokens(self) -> np.ndarray:
        """Ids the grammar allows next (for samplers that draw from a short list directly)."""
        self.compute_mask()
        if self._prepared is not None and self._prepared.ids is not None:
            return self._prepared.ids
        return allowed_ids(self._bitmask.view(np.uint32))

    def commit(self, token_id: int) -> bool:
        """Advance by one token; False (and a sticky error) if the grammar rejects it."""
        self._settle()
        self._mask_ready = False
        self._forced = None
        return bool(self._matcher.consume_token(int(token_id)))

    def commit_and_prefetch(self, token_id: int) -> bool:
        """:meth:`commit`, then start the next mask in the background unless the grammar forces
        the next token (a loop that commits forced tokens one by one would otherwise wait for
        masks nobody uses). Fits a loop's per-token commit hook."""
        accepted = self.commit(token_id)
        if accepted and not self._matcher.is_stopped() and not self._forced_now():
            self.start_mask()
        return accepted

    def forced_tokens(self) -> list[int]:
        """Tokens the grammar forces next, in order (commit them before feeding the model)."""
        self._settle()
        if self._matcher.is_error():
            return []
        return list(self._forced_now())

    # --- state ---------------------------------------------------------------------------
    # Each query first waits for a background mask: the matcher is busy until it is done.
    def is_finished(self) -> bool:
        """The grammar is complete (the end-of-turn token was committed)."""
        self._settle()
        return self._matcher.is_stopped() and not self._matcher.is_error()

    def is_accepting(self) -> bool:
        """Stopping here would leave a complete answer."""
        self._settle()
        return self._matcher.is_accepting() and not self._matcher.is_error()

    def is_error(self) -> bool:
        self._settle()
        return self._matcher.is_error()

    def error(self) -> str:
        """Why the grammar rejected the output (empty when it did not)."""
        self._settle()
        return self._matcher.get_error()

    # --- internals -----------------------------------------------------------------------
    def _forced_now(self) -> list[int]:
        """The matcher's forced tokens, asked once per state (the commit hook and the loop's
        forced-token hook both want them for the same state)."""
        if self._forced is None:
            self._forced = list(self._matcher.compute_ff_tokens())
        return self._forced

    def _compute_mask(self) -> None:
        row = self._bitmask
        start = time.perf_counter()
        self._matcher.unsafe_compute_mask_ptr(row.ctypes.data, row.nbytes)
        self._prepared = None if self._matcher.is_error() else prepare_mask(row)
        self._last_compute_s = time.perf_counter() - start
        self._mask_ready = True

    def _settle(self) -> None:
        """Finish a background mask before touching the matcher (it is not thread-safe)."""
        self.wait_mask()
