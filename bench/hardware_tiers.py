#!/usr/bin/env python3
"""What Gemma 4 E2B / E4B need and can reach on a CPU and on Jetson Orin, by roofline arithmetic.

Decoding one token reads every weight the step multiplies by (all decoder layers and the tied
vocabulary projection), one row of each embedding table, and the live KV cache; at batch 1 that
traffic, not arithmetic, sets the speed. So the ceiling is ``memory bandwidth ÷ bytes per token``,
and no engine beats it. The figures come from the published configs (``CONFIGS``; sources in
each entry) and ONNX Runtime's int4 layout as ``gemma4-ros quantize`` writes it (MatMulNBits and
GatherBlockQuantized: 4 bits per weight plus one fp32 scale per block of 32, i.e. 5 bits).

Rows for this machine use the bandwidth this script measures (a large numpy copy, best of
several); Jetson rows use the module's published DRAM bandwidth. Every row is *computed*: a
ceiling, which a real engine reaches a fraction of (the measured fraction is ``roofline_fraction``
in ``bench/runtime_scale.py``). Memory is what the weights as exported take plus the KV cache at
``--context`` tokens: in fp32 and fp16 the tied embedding is stored once (the embedding graph
gathers from the decoder's output projection), in int4 twice (the quantizer writes a blocked
table for the Gather and another for the projection's MatMulNBits).

Usage: python bench/hardware_tiers.py [--json] [--context 4096] [--copy-mb 512]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

GB = 1e9


@dataclass(frozen=True)
class TextConfig:
    """The widths of a Gemma 4 text decoder that decide its bytes (transformers'
    ``Gemma4TextConfig`` names)."""

    name: str
    layers: int
    hidden: int
    intermediate: int
    heads: int
    kv_heads: int
    head_dim: int  # sliding-window layers
    global_head_dim: int  # full-attention layers
    full_every: int  # one full-attention layer after every full_every - 1 sliding ones
    kv_shared_layers: int  # the last layers reuse an earlier layer's K/V and own no projections
    double_wide_shared_mlp: bool  # KV-shared layers have twice the FFN width
    per_layer_width: int
    vocab: int
    window: int
    source: str


CONFIGS = (
    TextConfig("gemma-4-E2B", layers=35, hidden=1536, intermediate=6144, heads=8, kv_heads=1,
               head_dim=256, global_head_dim=512, full_every=5, kv_shared_layers=20,
               double_wide_shared_mlp=True, per_layer_width=256, vocab=262144, window=512,
               source="google/gemma-4-E2B-it config.json as copied in ollama "
                      "x/models/gemma4/gemma4_test.go; transformers configuration_gemma4.py"),
    TextConfig("gemma-4-E4B", layers=42, hidden=2560, intermediate=10240, heads=8, kv_heads=2,
               head_dim=256, global_head_dim=512, full_every=6, kv_shared_layers=18,
               double_wide_shared_mlp=False, per_layer_width=256, vocab=262144, window=512,
               source="google/gemma-4-E4B-it config.json as copied in ollama "
                      "x/models/gemma4/gemma4_test.go; gemma.cpp PR 919"),
)


@dataclass(frozen=True)
class Device:
    name: str
    bandwidth_gbs: float
    memory_gb: float
    source: str


JETSONS = (
    Device("Jetson Orin Nano 8 GB", 68.0, 8.0, "NVIDIA Jetson Orin Nano module data sheet"),
    Device("Jetson Orin Nano 8 GB (Super)", 102.0, 8.0, "NVIDIA JetPack 6.1 'Super' mode"),
    Device("Jetson AGX Orin 64 GB", 204.8, 64.0, "NVIDIA Jetson AGX Orin data sheet"),
)

PRECISIONS = {"fp32": 4.0, "fp16": 2.0, "int4": (4 + 32 / 32) / 8}  # bytes per weight
KV_BYTES = {"fp32": 4, "fp16": 2, "int4": 4}  # the cache keeps the activations' type


@dataclass(frozen=True)
class Weights:
    """Parameter counts by how a decode step touches them."""

    streamed: int  # read whole every token: decoder layers and the vocabulary projection
    gathered: int  # tables of which one row per token is read: token and per-layer embeddings
    per_token_rows: int  # the values one token's rows add up to


def weights(c: TextConfig) -> Weights:
    owners = c.layers - c.kv_shared_layers
    streamed = c.vocab * c.hidden  # the tied output projection
    for layer in range(c.layers):
        full = (layer + 1) % c.full_every == 0
        head_dim = c.global_head_dim if full else c.head_dim
        streamed += 2 * c.hidden * c.heads * head_dim  # q and o projections
        if layer < owners:
            streamed += 2 * c.hidden * c.kv_heads * head_dim  # k and v projections
        wide = 2 if c.double_wide_shared_mlp and layer >= owners else 1
        streamed += 3 * c.hidden * c.intermediate * wide  # gate, up, down
        streamed += 2 * c.hidden * c.per_layer_width  # per-layer input gate and projection
    per_layer_all = c.layers * c.per_layer_width
    streamed += c.hidden * per_layer_all  # the model-level per-layer projection
    gathered = c.vocab * (c.hidden + per_layer_all)
    return Weights(streamed, gathered, c.hidden + per_layer_all)


def kv_values_per_token(c: TextConfig, context: int) -> int:
    """K and V values the step reads at ``context`` tokens: only cache-owning layers keep any,
    and sliding-window layers no more than the window."""
    total = 0
    for layer in range(c.layers - c.kv_shared_layers):
        full = (layer + 1) % c.full_every == 0
        head_dim = c.global_head_dim if full else c.head_dim
        length = context if full else min(context, c.window)
        total += 2 * c.kv_heads * head_dim * length
    return total


def measure_bandwidth(copy_mb: int, repeats: int = 5) -> float:
    """GB/s of a large numpy copy (read + write), best of ``repeats``: what one decode step's
    weight streaming can hope for on this machine."""
    source = np.ones(copy_mb * 1024 * 1024 // 8, dtype=np.float64)
    target = np.empty_like(source)
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        np.copyto(target, source)
        best = min(best, time.perf_counter() - began)
    return 2 * source.nbytes / best / GB


def tiers(context: int, bandwidth_gbs: float) -> list[dict[str, Any]]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GB
    here = Device("this machine", round(bandwidth_gbs, 1), round(memory, 1),
                  "measured: numpy copy; memory: physical pages")
    rows = []
    for config in CONFIGS:
        w = weights(config)
        for precision, per_weight in PRECISIONS.items():
            kv = kv_values_per_token(config, context) * KV_BYTES[precision]
            per_token = w.streamed * per_weight + w.per_token_rows * per_weight + kv
            # Stored as exported: the tied vocabulary table once in fp32/fp16, twice in int4.
            once = config.vocab * config.hidden if precision != "int4" else 0
            stored = (w.streamed + w.gathered - once) * per_weight
            need = stored + kv  # the cache holds what the step reads
            for device in (here, *JETSONS):
                fits = need / GB < device.memory_gb * 0.85
                rows.append({
                    "model": config.name, "precision": precision, "device": device.name,
                    "kind": "computed",
                    "streamed_params_b": round(w.streamed / 1e9, 3),
                    "gathered_params_b": round(w.gathered / 1e9, 3),
                    "bytes_per_token_gb": round(per_token / GB, 3),
                    "bandwidth_gbs": device.bandwidth_gbs,
                    "ceiling_tok_s": round(device.bandwidth_gbs * GB / per_token, 1),
                    "memory_gb": round(need / GB, 2),
                    "fits": fits,
                })
    return rows


def table(rows: list[dict[str, Any]], context: int) -> str:
    lines = [f"computed ceilings at context {context} (bandwidth ÷ bytes per token; memory: "
             "weights as exported + KV cache; 'fits' leaves 15 % of a Jetson's shared memory "
             "to the OS and the other nodes)",
             "| model | precision | device | GB read per token | ceiling tok/s | memory GB | fits |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['precision']} | {r['device']} "
                     f"({r['bandwidth_gbs']} GB/s) | {r['bytes_per_token_gb']:.2f} | "
                     f"{r['ceiling_tok_s']:.1f} | {r['memory_gb']:.1f} | "
                     f"{'yes' if r['fits'] else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--context", type=int, default=4096, help="tokens in the KV cache")
    parser.add_argument("--copy-mb", type=int, default=512,
                        help="size of the copy that measures this machine's bandwidth")
    args = parser.parse_args()
    bandwidth = measure_bandwidth(args.copy_mb)
    rows = tiers(args.context, bandwidth)
    result = {"context": args.context, "bandwidth_gbs_here": round(bandwidth, 2),
              "configs": [asdict(c) for c in CONFIGS], "devices": [asdict(d) for d in JETSONS],
              "rows": rows}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"this machine: {bandwidth:.1f} GB/s (numpy copy, best of 5)")
        for c in CONFIGS:
            w = weights(c)
            print(f"{c.name}: {w.streamed / 1e9:.2f} B weights streamed per token, "
                  f"{w.gathered / 1e9:.2f} B in embedding tables (one row per token)")
        print(table(rows, args.context))


if __name__ == "__main__":
    main()
