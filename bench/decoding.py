#!/usr/bin/env python3
"""Constrained-decoding cost: per-token mask time and end-to-end slowdown vs unconstrained.

For two tokenizers — the 2k fixture and a synthetic one with Gemma 4's 262,144-token vocabulary —
this builds the tool-call grammar for a ten-tool robot set and runs greedy decoding under seeded
random logits (the worst case: nothing ever "wants" to close a string):

* mask time: compute (llguidance) + apply (numpy, in place) per *sampled* token; forced tokens
  need no mask. p50/p99 in µs.
* end to end: a numpy fake decoder drives the same greedy loop with and without the constraint,
  for the same number of tokens; ratio = tokens/s constrained over unconstrained. ``matmul``
  decoder: one single-threaded BLAS matmul per step (CPU-bound: the mask thread competes for the
  other core); ``sleep``: the CPU idles during the step (accelerator-bound, as on a Jetson GPU).
  Constrained runs compute the next mask while the decoder runs. With fast-forward (the plain
  keys) forced tokens are fed in one forward pass, as the generation loop does; the
  ``_no_fast_forward`` keys feed every token separately and so isolate the masking overhead.
* mask_cpu_*: this thread's CPU time for the same steps — the figure to trust when the machine
  is shared (wall times there include waiting for a core; ``load_average`` is printed).
* mask_in_loop_*: what a sampled token's mask costs the decoding loop itself when, as in the
  generation loop, the mask is begun on a worker thread before the forward pass: the wait for it
  after the pass plus applying it (per decoder kind, with and without fast-forward).
* score: µs to give a sampled token its probability under the masked distribution
  (``Sampler.probability``, what the planner's per-call confidence is made of) beside
  ``sample`` (greedy choice) for the same steps; ``score_sparse_*`` where the mask handed back its
  few allowed ids, ``score_dense_*`` where it did not (free text and strings: the full-vocabulary
  softmax), ``sparse_share`` how many sampled steps were sparse.

Top-level keys (mask_p50_us, mask_p99_us — computed and applied synchronously, mask_cpu_p99_us,
mask_in_loop_p50_us, mask_in_loop_p99_us, score_p50_us, score_p99_us,
constrained_over_unconstrained) are the 262k figures; the in-loop figures and the ratio there are
the conservative ones: CPU-bound decoder, no fast-forward.
Usage: python bench/decoding.py [--json] [--runs 20] [--e2e-runs 5] [--step-ms 20]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable

# One BLAS thread for the fake decoder: the mask thread gets the other core, as it would beside
# a real runtime, and multi-threaded BLAS spin-waits make timings erratic on a shared machine.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np
from gemma4_ros.decoding.constraint import (
    CompiledGrammar,
    compile_grammar,
    load_grammar_tokenizer,
)
from gemma4_ros.decoding.grammar import GrammarOptions, build_grammar
from gemma4_ros.runtime.sampler import Sampler, SamplingParams
from gemma4_ros.testing.fixture_tokenizer import (
    build_fixture_tokenizer,
    build_full_vocab_tokenizer,
)

NUMBER = {"type": "number"}
TOOLS: list[tuple[str, dict[str, Any]]] = [
    (name, {"type": "object", "additionalProperties": False, "required": list(props)[:1],
            "properties": props})
    for name, props in [
        ("navigate_to", {"place": {"type": "string", "enum": ["dock", "kitchen", "lab", "door"]},
                         "speed": {**NUMBER, "minimum": 0.05, "maximum": 0.5}}),
        ("move", {"distance": {**NUMBER, "minimum": -5, "maximum": 5},
                  "speed": {**NUMBER, "minimum": 0.05, "maximum": 0.5}}),
        ("rotate", {"angle": {**NUMBER, "minimum": -180, "maximum": 180}}),
        ("stop", {}),
        ("dock", {}),
        ("capture_image", {"camera": {"type": "string", "enum": ["front", "rear"]}}),
        ("inspect", {"target": {"type": "string", "maxLength": 60},
                     "question": {"type": "string", "maxLength": 120}}),
        ("speak", {"text": {"type": "string", "maxLength": 200}}),
        ("wait", {"seconds": {"type": "integer", "minimum": 1, "maximum": 600}}),
        ("report", {"text": {"type": "string", "maxLength": 200}}),
    ]
]
OPTIONS = GrammarOptions(mode="required", max_calls=4)


class FakeDecoder:
    """A decoder step of fixed cost, then a fresh logits vector; the GIL is free meanwhile.

    ``matmul``: one BLAS matmul sized to ``step_ms`` (a CPU-bound decoder: the mask thread
    competes with it for cores). ``sleep``: the CPU idles for ``step_ms`` (an accelerator-bound
    decoder, as on a Jetson GPU). Either way a step costs the same for one token or a few fed
    together, as a memory-bound decode step does.
    """

    def __init__(self, vocab: int, step_ms: float, kind: str, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.bank = rng.standard_normal((16, vocab), dtype=np.float32)  # random "model outputs"
        self.calls = 0
        self.step_s = step_ms / 1000
        self.kind = kind
        self.size = 512
        for _ in range(4 if kind == "matmul" else 0):  # cost ∝ size³: rescale until it fits
            scale = (self.step_s / self._time_matmul()) ** (1 / 3)
            self.size = int(min(4096, max(64, self.size * scale)))

    def _time_matmul(self) -> float:
        self.weight = np.ones((self.size, self.size), dtype=np.float32)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            self.weight @ self.weight
            times.append(time.perf_counter() - start)
        return float(np.median(times))

    def forward(self, n_tokens: int) -> np.ndarray:
        if self.kind == "matmul":
            self.weight @ self.weight
        else:
            time.sleep(self.step_s)
        self.calls += 1
        return self.bank[self.calls % len(self.bank)].copy()

    def describe(self) -> str:
        what = f"one {self.size}x{self.size} matmul" if self.kind == "matmul" else "a sleep"
        return f"numpy fake decoder ({what}, ≈{self.step_s * 1000:g} ms/step)"


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timed_both(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall and this-thread CPU seconds: CPU time stays honest on a loaded, shared machine."""
    wall, cpu = time.perf_counter(), time.thread_time()
    fn()
    return time.perf_counter() - wall, time.thread_time() - cpu


def timed_call(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """The result, wall and this-thread CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.thread_time()
    result = fn()
    return result, time.perf_counter() - wall, time.thread_time() - cpu


def mask_times(compiled: CompiledGrammar, runs: int) -> dict[str, Any]:
    """Per sampled token: µs to compute the mask and to apply it (synchronously), to choose the
    token and to score it."""
    vocab = compiled.tokenizer.vocab_size
    sampler = Sampler(SamplingParams())
    compute, apply, sample, score, sparse, forced_count = [], [], [], [], [], 0
    for seed in range(runs):
        rng = np.random.default_rng(seed)
        constraint = compiled.new_constraint()
        while not (constraint.is_finished() or constraint.is_error()):
            forced = constraint.forced_tokens()
            for token in forced:
                constraint.commit(token)
            forced_count += len(forced)
            if forced:
                continue
            logits = rng.standard_normal(vocab, dtype=np.float32)
            compute.append(timed_both(constraint.compute_mask))
            allowed, *times = timed_call(partial(constraint.mask_logits, logits))  # apply only
            apply.append(times)
            token, *times = timed_call(partial(sampler.sample, logits))
            sample.append(times)
            score.append(timed_both(partial(sampler.probability, logits, token, allowed)))
            sparse.append(allowed is not None)
            constraint.commit(token)
        assert constraint.is_finished(), constraint.error()
    compute_s, apply_s = np.array(compute), np.array(apply)  # columns: wall, cpu
    sample_s, score_s, is_sparse = np.array(sample), np.array(score), np.array(sparse)
    total = compute_s + apply_s
    def us(values: np.ndarray, q: float) -> float:
        return round(float(np.percentile(values, q)) * 1e6, 1) if values.size else 0.0

    return {"mask_p50_us": us(total[:, 0], 50), "mask_p99_us": us(total[:, 0], 99),
            "mask_mean_us": round(float(total[:, 0].mean()) * 1e6, 1),
            "mask_cpu_p50_us": us(total[:, 1], 50), "mask_cpu_p99_us": us(total[:, 1], 99),
            "compute_p50_us": us(compute_s[:, 0], 50), "compute_p99_us": us(compute_s[:, 0], 99),
            "apply_p50_us": us(apply_s[:, 0], 50), "apply_p99_us": us(apply_s[:, 0], 99),
            "sample_p50_us": us(sample_s[:, 0], 50), "score_p50_us": us(score_s[:, 0], 50),
            "score_p99_us": us(score_s[:, 0], 99), "score_cpu_p50_us": us(score_s[:, 1], 50),
            "score_sparse_p50_us": us(score_s[is_sparse, 0], 50),
            "score_dense_p50_us": us(score_s[~is_sparse, 0], 50),
            "sparse_share": round(float(is_sparse.mean()), 3),
            "sampled_tokens": len(compute), "forced_tokens": forced_count}


def constrained_run(compiled: CompiledGrammar, model: FakeDecoder, fast_forward: bool,
                    in_loop: list[float]) -> int:
    """Greedy decoding under the grammar; appends to ``in_loop`` what each sampled token's mask
    cost the loop after the forward pass: waiting for the mask begun before it, plus applying."""
    constraint = compiled.new_constraint()
    tokens, logits = 0, model.forward(1)
    stepped = time.perf_counter()
    while not (constraint.is_finished() or constraint.is_error()):
        forced = constraint.forced_tokens() if fast_forward else []
        if forced:
            for token in forced:
                constraint.commit(token)
            fed = len(forced)
        else:
            constraint.mask_logits(logits)
            in_loop.append(time.perf_counter() - stepped)
            constraint.commit(int(np.argmax(logits)))
            fed = 1
        tokens += fed
        if constraint.is_finished():
            break
        constraint.start_mask()  # overlaps with the forward pass below
        logits = model.forward(fed)
        stepped = time.perf_counter()
    return tokens


def unconstrained_run(model: FakeDecoder, n_tokens: int) -> None:
    logits = model.forward(1)
    for _ in range(n_tokens):
        int(np.argmax(logits))
        logits = model.forward(1)


def end_to_end(compiled: CompiledGrammar, step_ms: float, runs: int, kind: str) -> dict[str, Any]:
    """Tokens/s ratios with and without feeding forced tokens in one pass (key suffixes)."""
    model = FakeDecoder(compiled.tokenizer.vocab_size, step_ms, kind)
    suffix = "" if kind == "matmul" else f"_{kind}"
    out: dict[str, Any] = {f"decoder{suffix}": model.describe()}
    for label, fast_forward in ((suffix, True), (f"{suffix}_no_fast_forward", False)):
        c_time = u_time = 0.0
        c_tokens = 0
        in_loop: list[float] = []
        for _ in range(runs):
            start = time.perf_counter()
            n = constrained_run(compiled, model, fast_forward, in_loop)
            c_time += time.perf_counter() - start
            c_tokens += n
            u_time += timed(partial(unconstrained_run, model, n))
        out[f"constrained_tokens_per_s{label}"] = round(c_tokens / c_time, 1)
        out[f"unconstrained_tokens_per_s{label}"] = round(c_tokens / u_time, 1)
        out[f"constrained_over_unconstrained{label}"] = round(u_time / c_time, 3)
        waits = np.array(in_loop) * 1e6
        out[f"mask_in_loop_p50_us{label}"] = round(float(np.percentile(waits, 50)), 1)
        out[f"mask_in_loop_p99_us{label}"] = round(float(np.percentile(waits, 99)), 1)
    return out


def bench_case(path: Path, eos: int, args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    tokenizer = load_grammar_tokenizer(path, eos)
    setup_s = time.perf_counter() - start
    start = time.perf_counter()
    compiled = compile_grammar(tokenizer, build_grammar(TOOLS, OPTIONS))
    compile_ms = (time.perf_counter() - start) * 1e3
    result = {"vocab_size": tokenizer.vocab_size, "tokenizer_setup_s": round(setup_s, 2),
              "grammar_compile_ms": round(compile_ms, 1)}
    result.update(mask_times(compiled, args.runs))
    for kind in ("matmul", "sleep"):
        result.update(end_to_end(compiled, args.step_ms, args.e2e_runs, kind))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=20, help="greedy runs for mask timing")
    parser.add_argument("--e2e-runs", type=int, default=5, help="runs for the end-to-end ratio")
    parser.add_argument("--step-ms", type=float, default=20.0, help="fake decoder ms per step")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        small = build_fixture_tokenizer(Path(tmp) / "small", vocab_size=2048)
        results["fixture_2k"] = bench_case(small.path, small.special_ids["eos"], args)
        full = build_full_vocab_tokenizer(Path(tmp) / "full")
        results["synthetic_262k"] = bench_case(full.path, full.special_ids["eos"], args)
    target = results["synthetic_262k"]
    summary = {"mask_p50_us": target["mask_p50_us"], "mask_p99_us": target["mask_p99_us"],
               "mask_cpu_p99_us": target["mask_cpu_p99_us"],
               "mask_in_loop_p50_us": target["mask_in_loop_p50_us_no_fast_forward"],
               "mask_in_loop_p99_us": target["mask_in_loop_p99_us_no_fast_forward"],
               "score_p50_us": target["score_p50_us"], "score_p99_us": target["score_p99_us"],
               "constrained_over_unconstrained": target["constrained_over_unconstrained_no_fast_forward"],
               "load_average": [round(x, 2) for x in os.getloadavg()]}
    if args.json:
        print(json.dumps({**summary, **results}, indent=2))
    else:
        for case, figures in results.items():
            print(f"[{case}]")
            for key, value in figures.items():
                print(f"  {key:42s} {value}")
        print("targets at 262k: mask p50 ≤ 100 µs and p99 ≤ 1 ms, constrained ≥ 0.9× "
              "unconstrained:", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
