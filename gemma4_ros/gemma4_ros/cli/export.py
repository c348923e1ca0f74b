"""The ``export`` subcommand: argument parsing and a one-screen report of what was written."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "export",
        help="export a transformers Gemma 4 checkpoint to ONNX (public layout)",
        description="Write onnx/embed_tokens*.onnx and onnx/decoder_model_merged*.onnx, plus "
        "onnx/vision_encoder*.onnx and onnx/audio_encoder*.onnx when the checkpoint has those "
        "towers (+ .onnx_data weights), config.json, generation_config.json and tokenizer "
        "files into OUT_DIR, then check the graphs against transformers. Needs the "
        "[export] extra (torch, transformers, onnx, onnxscript).",
    )
    parser.add_argument("hf_dir", metavar="HF_DIR", help="transformers checkpoint directory")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="directory to write the model into")
    parser.add_argument(
        "--dtype",
        choices=("fp32", "fp16"),
        default="fp32",
        help="weights and activations precision (default fp32)",
    )
    parser.add_argument(
        "--exporter",
        choices=("auto", "dynamo", "legacy"),
        default="auto",
        help="torch.onnx exporter: dynamo (robust, ~30 s), legacy TorchScript "
        "(seconds, fragile on control flow); auto = dynamo, else legacy",
    )
    parser.add_argument(
        "--no-verify", action="store_true", help="skip the logits check against transformers"
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from gemma4_ros.export.onnx_export import export_model

    report = export_model(
        args.hf_dir,
        args.out_dir,
        dtype=args.dtype,
        verify=not args.no_verify,
        exporter=args.exporter,
    )
    print(f"exported {args.hf_dir} -> {report.out_dir} ({report.exporter} exporter)")
    for path in report.files:
        print(f"  {path.relative_to(report.out_dir)}  {path.stat().st_size / 1e6:.1f} MB")
    for check in report.checks:
        print(f"checked against transformers: {check}")
    return 0
