"""The ``quantize`` subcommand: int4 weights for an exported model, and a report of the check."""

from __future__ import annotations

import argparse
from typing import Any

from gemma4_ros.export.quantize import ACCURACY_LEVELS, BLOCK_SIZES


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "quantize",
        help="add the int4 (_q4) weight variant to an exported ONNX model directory",
        description="Write onnx/<graph>_q4.onnx (+ _q4.onnx_data) beside every fp32 graph of "
        "MODEL_DIR: MatMul weights as MatMulNBits, the embedding tables as "
        "GatherBlockQuantized (4-bit, symmetric blocks), then check the int4 logits against "
        "fp32 before moving the files into place. The runtime picks q4 first on CPU "
        "(variant auto) or with `variant: q4` in models.yaml. Needs the [export] extra.",
    )
    parser.add_argument("model_dir", metavar="MODEL_DIR",
                        help="model directory with onnx/embed_tokens.onnx and "
                        "onnx/decoder_model_merged.onnx (what `gemma4-ros export` writes)")
    parser.add_argument("--block-size", type=int, choices=BLOCK_SIZES, default=32,
                        help="weights per quantization block (default 32; smaller is more "
                        "accurate and larger on disk)")
    parser.add_argument("--accuracy-level", type=int, choices=ACCURACY_LEVELS, default=4,
                        help="how MatMulNBits computes on CPU: 4 = int8 activations (default; "
                        "4.7x faster than 0 on E2B-width matmuls here), 0 = dequantize to fp32")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip the logits check against the fp32 graphs")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from gemma4_ros.export.quantize import quantize_model

    report = quantize_model(args.model_dir, args.block_size, verify=not args.no_verify,
                            accuracy_level=args.accuracy_level)
    print(f"quantized {report.model_dir} (int4, blocks of {args.block_size}, accuracy level "
          f"{args.accuracy_level})")
    for path in report.files:
        print(f"  {path.relative_to(report.model_dir)}  {path.stat().st_size / 1e6:.1f} MB")
    if report.greedy_agreement is not None and report.top_k_overlap is not None:
        print(f"checked against fp32 ({report.compared}): the same greedy token at "
              f"{report.greedy_agreement:.0%} of {report.steps} steps, {report.top_k_overlap:.0%} "
              f"of fp32's top 5 kept; logits correlation >= {report.min_correlation:.4f}, max "
              f"|difference| {report.max_abs_diff:.3g}")
    return 0
