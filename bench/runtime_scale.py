#!/usr/bin/env python3
"""The runtime at Gemma 4 scale: a random-weight Gemma 4 with the real E2B text widths.

Vocabulary 262,144, hidden 1536, FFN 6144 (twice that in KV-shared layers), 8 query heads and one
KV head of 256 (512 in full-attention layers), per-layer inputs of 256, E2B's four sliding-window
layers (window 512) to one full-attention layer, the last layers sharing KV — only ``--layers``
of them, as many as export in a few minutes on 2 cores. Built with transformers, exported with
the project's own ``export_model`` (which checks it against transformers and says by how much)
and quantized with ``quantize_model``; both cached under ``--cache`` (exported again when the
exporter's sources change).

Each measurement runs in a subprocess of its own so peak RSS is its own:

* ``decode_tok_s`` at each ``--contexts`` length (greedy decoding after a prompt of that many
  tokens) and ``ctx_ratio_last_first`` (tok/s at the longest ÷ at the shortest; the issue's goal
  is ≥ 0.7 from 128 to 8192);
* ``roofline_fraction`` per context: (bytes one step must read: the decoder's weights as stored
  plus the live KV cache) ÷ (step time × this machine's bandwidth, a large numpy copy);
* ``speedup_vs_transformers`` at the first context ≥ 1024 (or the longest): the same weights in
  transformers eager with its KV cache, timed per token in a hand loop, same threads;
* ``q4_speedup`` (int4 ÷ fp32 decode tok/s at that context), ``q4_decode_tok_s`` there and at
  the shortest context (where the issue's llama.cpp Q4_0 figure was taken), and
  ``q4_logit_corr`` (correlation of int4's and fp32's last logits after the same prompt);
* ``ttft_1k_ms`` and ``prefill_peak_rss_mb`` (peak RSS over the loaded model while a 1,024-token
  prompt prefills), ``prefix_reuse_ttft_ratio`` (1,000-token prefix + 17 tokens, cold ÷ reused);
* ``constrained_ratio`` (decode tok/s under the planner's tool-call grammar, compiled for a
  synthetic 262,144-token tokenizer, ÷ unconstrained, at the shortest context);
* ``speedup_vs_ortgenai`` is printed with the reason it is not measured yet.

Not part of any test run: about 15 minutes of a 2-core CPU the first time (build, export,
quantize), 5 after, ~12 GB of disk and 11 GB of memory at 6 layers; Linux (reads /proc).

    python bench/runtime_scale.py [--layers 6] [--contexts 128 1024 4096 8192] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from hardware_tiers import CONFIGS, measure_bandwidth  # noqa: E402  (a sibling bench script)
from runtime import peak_rss_mb, prompt_ids  # noqa: E402

E2B = CONFIGS[0]
DEFAULT_CACHE = Path.home() / ".cache" / "gemma4_ros" / "scale"


def layer_plan(layers: int) -> tuple[list[str], int]:
    """E2B's layer types for the first ``layers`` layers, and how many trailing layers share KV:
    E2B's share (20 of 35) where every shared layer still has an owner of its type before it."""
    kinds = ["full_attention" if (i + 1) % E2B.full_every == 0 else "sliding_attention"
             for i in range(layers)]
    kinds[-1] = "full_attention"  # transformers forces it (and logs that it did)
    shared = layers * E2B.kv_shared_layers // E2B.layers
    while shared and not set(kinds[layers - shared:]) <= set(kinds[:layers - shared]):
        shared -= 1
    return kinds, shared


def build(args: argparse.Namespace) -> tuple[Path, Path, dict[str, Any]]:
    """The checkpoint and its ONNX export (fp32 and int4), built once per layer count."""
    root = Path(args.cache).expanduser() / f"e2b_width_{args.layers}_layers"
    hf_dir, onnx_dir = root / "hf", root / "onnx_model"
    built: dict[str, Any] = {}
    if not (hf_dir / "config.json").is_file():
        import torch
        from transformers import Gemma4ForCausalLM, Gemma4TextConfig

        torch.manual_seed(0)
        kinds, shared = layer_plan(args.layers)
        settings: dict[str, Any] = dict(
            vocab_size=E2B.vocab, vocab_size_per_layer_input=E2B.vocab, hidden_size=E2B.hidden,
            intermediate_size=E2B.intermediate, num_hidden_layers=args.layers,
            num_attention_heads=E2B.heads, num_key_value_heads=E2B.kv_heads,
            head_dim=E2B.head_dim, global_head_dim=E2B.global_head_dim, layer_types=kinds,
            sliding_window=E2B.window, num_kv_shared_layers=shared,
            use_double_wide_mlp=E2B.double_wide_shared_mlp,
            hidden_size_per_layer_input=E2B.per_layer_width, final_logit_softcapping=30.0,
            max_position_embeddings=32768, tie_word_embeddings=True, initializer_range=0.02,
            pad_token_id=0, eos_token_id=1, bos_token_id=2, attn_implementation="eager")
        config = Gemma4TextConfig(**settings)
        began = time.perf_counter()
        Gemma4ForCausalLM(config).eval().save_pretrained(hf_dir)
        built["build_s"] = round(time.perf_counter() - began, 1)
    key = exporter_key()
    stamp = onnx_dir / "exporter.key"
    if onnx_dir.is_dir() and (not stamp.is_file() or stamp.read_text() != key):
        shutil.rmtree(onnx_dir)  # exported by another exporter: its figures would not be ours
    if not (onnx_dir / "onnx" / "decoder_model_merged.onnx").is_file():
        from gemma4_ros.export.onnx_export import export_model

        began = time.perf_counter()
        report = export_model(hf_dir, onnx_dir, dtype="fp32", verify=True)
        built["export_s"] = round(time.perf_counter() - began, 1)
        built["export_check"] = [str(check) for check in getattr(report, "checks", [])]
    if not (onnx_dir / "onnx" / "decoder_model_merged_q4.onnx").is_file():
        from gemma4_ros.errors import Gemma4RosError
        from gemma4_ros.export.quantize import quantize_model

        began = time.perf_counter()
        try:
            quantize_model(onnx_dir, verify=True)
            built["quantize_check"] = "passed"
        except Gemma4RosError as error:  # random weights: see the module docstring of quantize
            built["quantize_check"] = f"refused: {error.problem}"
            quantize_model(onnx_dir, verify=False)
        built["quantize_s"] = round(time.perf_counter() - began, 1)
    stamp.write_text(key)
    return hf_dir, onnx_dir, built


def exporter_key() -> str:
    """Hash of the exporter's sources (as the test fixtures key theirs): a changed exporter
    re-exports the cached model."""
    from gemma4_ros.testing.fixture_models import exporter_sources

    return hashlib.sha256("\n".join(exporter_sources()).encode()).hexdigest()[:16]


def _engine(args: argparse.Namespace, variant: str, longest: int) -> Any:
    from gemma4_ros.runtime.config import RuntimeConfig
    from gemma4_ros.runtime.loader import engine_from_config

    return engine_from_config(RuntimeConfig(
        model_dir=Path(args.model), variant=variant, providers=["cpu"],
        intra_op_threads=args.threads, max_context_tokens=longest + args.tokens + 8,
        max_new_tokens=args.tokens, prefix_cache_entries=2))


def _no_eos(eos: int) -> Any:
    def mask(logits: np.ndarray) -> None:  # random weights must not stop early
        logits[eos] = -np.inf
    return mask


def rss_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak since start or the last reset) of this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"/proc/self/status has no {field}")


def decode_worker(args: argparse.Namespace) -> dict[str, Any]:
    """Decode tok/s and prefill time at each context, for one weights variant."""
    from gemma4_ros.runtime.generation import GenerationOptions

    engine = _engine(args, args.variant, max(args.contexts))
    vocab = engine.model.vocab_size
    options = GenerationOptions(max_new_tokens=args.tokens, logits_processor=_no_eos(
        engine.eos_token_id), use_prefix_cache=False)
    engine.generate(prompt_ids(16, vocab, 9), options).run()  # warm-up
    result: dict[str, Any] = {}
    for context in args.contexts:
        generation = engine.generate(prompt_ids(context, vocab, context), options)
        stamps = [time.perf_counter() for _ in generation]
        result[str(context)] = {
            "decode_tok_s": (len(stamps) - 1) / (stamps[-1] - stamps[0]),
            "prefill_s": float(generation.time_to_first_token_s or 0.0)}
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def constrained_worker(args: argparse.Namespace) -> dict[str, Any]:
    """Decode tok/s under the planner's grammar against unconstrained, at the shortest context,
    in alternating rounds of one process: the packaged tools' tool-call grammar (up to three
    calls) compiled for a synthetic tokenizer of the model's 262,144 tokens and hooked into the
    loop as the planner hooks it (mask on a worker thread while the model runs, forced tokens
    fed without sampling). Random weights pick any path the grammar allows, so each round
    counts the tokens it produced, forced ones included."""
    import tempfile

    from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
    from gemma4_ros.planning.config import GrammarLimits
    from gemma4_ros.planning.constraints import ConstraintFactory, hook
    from gemma4_ros.runtime.generation import GenerationOptions
    from gemma4_ros.testing.fixture_tokenizer import build_full_vocab_tokenizer
    from gemma4_ros.tools import ToolRegistry

    context = args.contexts[0]
    engine = _engine(args, "fp32", context)
    vocab = engine.model.vocab_size
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer = Gemma4Tokenizer.from_file(build_full_vocab_tokenizer(tmp, vocab).path)
    factory = ConstraintFactory(tokenizer, ToolRegistry.load(), vocab, GrammarLimits())
    factory.new("required", "off", 3)  # tokenizer view and grammar compiled before timing
    prompt = prompt_ids(context, vocab, context)

    def rate(constrained: bool) -> float:
        options = GenerationOptions(max_new_tokens=args.tokens, use_prefix_cache=False)
        if constrained:
            options = hook(options, factory.new("required", "off", 3))
        else:
            options.logits_processor = _no_eos(engine.eos_token_id)
        generation = engine.generate(prompt, options)
        stamps = [time.perf_counter() for _ in generation]
        return (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 2 else float("nan")

    rate(True), rate(False)  # warm-up
    rounds = [(rate(True), rate(False)) for _ in range(args.repeats)]
    constrained = statistics.median(r[0] for r in rounds)
    free = statistics.median(r[1] for r in rounds)
    return {"constrained_decode_tok_s": round(constrained, 2),
            "unconstrained_decode_tok_s": round(free, 2),
            "constrained_ratio": round(constrained / free, 3), "constrained_context": context}


def prefill_worker(args: argparse.Namespace) -> dict[str, Any]:
    """TTFT of a 1,024-token prompt and the RSS it adds; prefix reuse cold ÷ warm."""
    from gemma4_ros.runtime.generation import GenerationOptions

    engine = _engine(args, "fp32", 1100)
    vocab = engine.model.vocab_size
    one = GenerationOptions(max_new_tokens=1, use_prefix_cache=False)
    engine.generate(prompt_ids(16, vocab, 9), one).run()  # warm-up
    loaded = rss_mb("VmRSS")
    # Loading maps and prepacks the weights with a transient peak above the prefill's; start
    # the peak afresh (Linux: 5 > clear_refs) so the figure is the prefill's own.
    Path("/proc/self/clear_refs").write_text("5")
    generation = engine.generate(prompt_ids(1024, vocab, 1), one)
    generation.run()
    ttft = float(generation.time_to_first_token_s or 0.0)
    grown = rss_mb("VmHWM") - loaded
    system, user = prompt_ids(1000, vocab, 2), prompt_ids(18, vocab, 3)[1:]
    timings = []
    for reuse in (False, True):
        if reuse:
            engine.prefix_cache.add(system)
        runs = []
        for _ in range(args.repeats):
            g = engine.generate(system + user, GenerationOptions(max_new_tokens=1,
                                                                 use_prefix_cache=reuse))
            g.run()
            runs.append(float(g.time_to_first_token_s or 0.0))
        timings.append(statistics.median(runs))
    return {"ttft_1k_ms": round(1000 * ttft, 1), "prefill_peak_rss_mb": round(grown, 1),
            "loaded_rss_mb": round(loaded, 1),
            "prefix_reuse_ttft_ratio": round(timings[0] / timings[1], 2),
            "ttft_1017_cold_ms": round(1000 * timings[0], 1),
            "ttft_1017_reused_ms": round(1000 * timings[1], 1)}


def logits_worker(args: argparse.Namespace) -> dict[str, Any]:
    """Correlation of int4's and fp32's last-position logits after the same 64-token prompt."""
    from gemma4_ros.runtime.config import RuntimeConfig
    from gemma4_ros.runtime.model import Gemma4OnnxModel

    logits = []
    for variant in ("fp32", "q4"):
        model = Gemma4OnnxModel.load(RuntimeConfig(model_dir=Path(args.model), variant=variant,
                                                   providers=["cpu"],
                                                   intra_op_threads=args.threads))
        ids = np.asarray(prompt_ids(64, model.vocab_size, 5), dtype=np.int64)
        logits.append(np.array(model.forward(ids, model.new_cache()), dtype=np.float64))
        del model
    return {"q4_logit_corr": float(np.corrcoef(logits[0], logits[1])[0, 1])}


def hf_worker(args: argparse.Namespace) -> dict[str, Any]:
    """transformers eager with its own KV cache, one token per call in a hand loop."""
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(args.threads)
    model = AutoModelForCausalLM.from_pretrained(args.hf, attn_implementation="eager").eval()
    context = args.contexts[0]
    ids = torch.tensor([prompt_ids(context, model.config.vocab_size, context)])
    with torch.no_grad():
        out = model(input_ids=ids, use_cache=True)
        past, token = out.past_key_values, out.logits[:, -1].argmax(-1, keepdim=True)
        stamps = []
        for _ in range(args.tokens):
            out = model(input_ids=token, past_key_values=past, use_cache=True)
            past, token = out.past_key_values, out.logits[:, -1].argmax(-1, keepdim=True)
            stamps.append(time.perf_counter())
    return {"hf_decode_tok_s": (len(stamps) - 1) / (stamps[-1] - stamps[0]),
            "hf_context": context, "hf_peak_rss_mb": peak_rss_mb()}


WORKERS = {"decode": decode_worker, "prefill": prefill_worker, "logits": logits_worker,
           "hf": hf_worker, "constrained": constrained_worker}


def spawn(worker: str, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", worker, "--model", str(args.model),
               "--hf", str(args.hf), "--threads", str(args.threads), "--tokens",
               str(args.tokens), "--repeats", str(args.repeats), "--contexts",
               *map(str, extra.get("contexts", args.contexts)),
               "--variant", extra.get("variant", "fp32")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{worker} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def kv_bytes(context: int, layers: int) -> int:
    """Bytes of K and V one step reads at ``context`` (fp32; window-capped in sliding layers,
    only cache-owning layers)."""
    kinds, shared = layer_plan(layers)
    total = 0
    for kind in kinds[:layers - shared]:
        full = kind == "full_attention"
        length = context if full else min(context, E2B.window)
        total += 2 * E2B.kv_heads * (E2B.global_head_dim if full else E2B.head_dim) * length * 4
    return total


def measure(args: argparse.Namespace) -> dict[str, Any]:
    hf_dir, onnx_dir, built = build(args)
    args.model, args.hf = onnx_dir, hf_dir
    bandwidth = measure_bandwidth(512)
    weights = (onnx_dir / "onnx" / "decoder_model_merged.onnx_data").stat().st_size
    fp32 = spawn("decode", args, variant="fp32")
    at = next((c for c in args.contexts if c >= 1024), args.contexts[-1])
    q4 = spawn("decode", args, variant="q4", contexts=sorted({args.contexts[0], at}))
    per_context = {}
    for context in args.contexts:
        tok_s = fp32[str(context)]["decode_tok_s"]
        step_bytes = weights + kv_bytes(context, args.layers)
        per_context[str(context)] = {
            **fp32[str(context)],
            "roofline_fraction": round(step_bytes * tok_s / (bandwidth * 1e9), 3)}
    first, last = args.contexts[0], args.contexts[-1]
    result: dict[str, Any] = {
        "layers": args.layers, "vocab": E2B.vocab, "hidden": E2B.hidden,
        "threads": args.threads, "decode_tokens": args.tokens,
        "bandwidth_gbs": round(bandwidth, 1), "decoder_weight_bytes": weights,
        "contexts": per_context,
        "ctx_ratio_last_first": round(fp32[str(last)]["decode_tok_s"]
                                      / fp32[str(first)]["decode_tok_s"], 3),
        "fp32_peak_rss_mb": round(fp32["peak_rss_mb"], 1),
        "q4_decode_tok_s": {context: q4[context]["decode_tok_s"] for context in q4
                            if context != "peak_rss_mb"},
        "q4_speedup": round(q4[str(at)]["decode_tok_s"] / fp32[str(at)]["decode_tok_s"], 2),
        "q4_context": at, "q4_peak_rss_mb": round(q4["peak_rss_mb"], 1),
        **spawn("logits", args),
        **spawn("prefill", args),
        **spawn("constrained", args),
        "speedup_vs_ortgenai": None,
        "speedup_vs_ortgenai_why": "the export writes no genai_config.json yet (#19 item 1)",
        **built,
    }
    if not args.skip_hf:
        hf = spawn("hf", args, contexts=[at])
        result.update(hf)
        result["speedup_vs_transformers"] = round(
            fp32[str(at)]["decode_tok_s"] / hf["hf_decode_tok_s"], 2)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--layers", type=int, default=6, help="decoder layers (E2B has 35)")
    parser.add_argument("--contexts", type=int, nargs="+", default=[128, 1024, 4096, 8192])
    parser.add_argument("--tokens", type=int, default=32, help="tokens decoded per context")
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads (and torch's)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="where the model is kept")
    parser.add_argument("--skip-hf", action="store_true", help="do not time transformers")
    parser.add_argument("--worker", choices=tuple(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--hf", help=argparse.SUPPRESS)
    parser.add_argument("--variant", default="fp32", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.contexts = sorted(args.contexts)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return
    result = measure(args)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return
    for key, value in result.items():
        print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
