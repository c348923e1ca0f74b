"""Weight-only int4 quantization of an exported model: the ``_q4`` variant beside the fp32 graphs.

The Jetson table's small boards need it: Gemma 4 E2B in fp32 or fp16 does not leave an 8 GB Orin
Nano room for anything else, in 4-bit weights it does. ONNX Runtime's own quantizer does the work
(``MatMulNBitsQuantizer``): every ``MatMul`` with a constant weight becomes ``MatMulNBits`` and the
token embedding tables' ``Gather`` becomes ``GatherBlockQuantized`` — 4-bit weights in blocks of
``block_size`` with one fp32 scale each, symmetric, activations unchanged. This module picks the
graphs, writes them under the public layout's ``_q4`` names (which the runtime prefers on CPU
with ``variant: auto``) with their weights in ``*_q4.onnx_data``, and checks the result against
the fp32 graphs through the runtime before moving anything into place: a graph that ONNX Runtime
cannot load, or whose logits drift beyond what 4-bit rounding explains, is never left behind.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gemma4_ros.errors import Gemma4RosError

GRAPHS = ("embed_tokens", "decoder_model_merged", "vision_encoder", "audio_encoder")
SUFFIX = "_q4"
BLOCK_SIZES = (16, 32, 64, 128)
# Lowest correlation allowed between the int4 and fp32 logits at any checked step: 4-bit rounding
# of a trained model keeps it near 1 (the demo model: 0.995), a miswired graph drops it to about
# 0. Untrained random weights (the test fixtures) fall to ~0.6 — quantizing those means nothing.
MIN_CORRELATION = 0.9
PROMPT_TOKENS = 24
DECODE_STEPS = 4


@dataclass
class QuantizeReport:
    """What was written, and how far the int4 logits are from fp32's."""

    model_dir: Path
    files: list[Path] = field(default_factory=list)
    max_abs_diff: float | None = None
    min_correlation: float | None = None  # of the int4 and fp32 logits, over the checked steps
    greedy_agreement: float | None = None  # fraction of checked steps with the same argmax


def quantize_model(model_dir: str | Path, block_size: int = 32, verify: bool = True
                   ) -> QuantizeReport:
    """Write ``onnx/<graph>_q4.onnx`` for every fp32 graph of ``model_dir``; returns the report."""
    if block_size not in BLOCK_SIZES:
        raise Gemma4RosError(f"block size {block_size} is not supported",
                             f"use one of {', '.join(map(str, BLOCK_SIZES))} (32 is the default)")
    root = Path(model_dir).expanduser()
    sources = [root / "onnx" / f"{graph}.onnx" for graph in GRAPHS
               if (root / "onnx" / f"{graph}.onnx").is_file()]
    if not {"embed_tokens", "decoder_model_merged"} <= {path.stem for path in sources}:
        raise Gemma4RosError(
            f"{root} has no fp32 graphs to quantize (onnx/embed_tokens.onnx and "
            "onnx/decoder_model_merged.onnx)",
            "export the checkpoint first: gemma4-ros export HF_DIR MODEL_DIR")
    quantizer = _import_quantizer()
    with tempfile.TemporaryDirectory(prefix=".quantize-", dir=root) as scratch:
        staging = Path(scratch)
        written = [_quantize_graph(source, staging, block_size, quantizer) for source in sources]
        report = QuantizeReport(root)
        if verify:
            _check_against_fp32(root, staging, report)
        for path in written:
            for part in (path, path.with_name(path.name + "_data")):
                target = root / "onnx" / part.name
                shutil.move(str(part), target)
                report.files.append(target)
    return report


def _import_quantizer() -> Any:
    try:
        from onnxruntime.quantization import matmul_nbits_quantizer
    except ImportError as error:
        raise Gemma4RosError(
            f"quantizing needs onnxruntime's quantization tools and onnx ({error})",
            'pip install -e "./gemma4_ros[cpu,export]"') from None
    return matmul_nbits_quantizer


def _quantize_graph(source: Path, staging: Path, block_size: int, quantizer: Any) -> Path:
    """The int4 copy of ``source`` in ``staging``; returns the new graph's path."""
    import onnx

    # Only the embedding tables are gathered from; a Gather inside the other graphs may read a
    # constant such as a rotary table, which 4 bits would ruin.
    ops = ("Gather",) if source.stem == "embed_tokens" else ("MatMul",)
    axes = (("MatMul", 0), ("Gather", 1))  # blocks along each weight's hidden axis
    config = quantizer.DefaultWeightOnlyQuantConfig(
        block_size=block_size, is_symmetric=True, op_types_to_quantize=ops, quant_axes=axes)
    worker = quantizer.MatMulNBitsQuantizer(
        onnx.load(str(source)), algo_config=config, op_types_to_quantize=ops, quant_axes=axes)
    # It logs every node at INFO, warns that it raises the opset to 21 for int4 (the result is
    # checked below), and divides by all-zero blocks' zero scale before masking them.
    quiet = logging.getLogger(quantizer.__name__)
    level, quiet.level = quiet.level, logging.ERROR
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            worker.process()
    finally:
        quiet.setLevel(level)
    target = staging / f"{source.stem}{SUFFIX}.onnx"
    onnx.save_model(worker.model.model, str(target), save_as_external_data=True,
                    all_tensors_to_one_file=True, location=f"{target.name}_data",
                    size_threshold=1024)
    return target


def _check_against_fp32(root: Path, staging: Path, report: QuantizeReport) -> None:
    """Prompt + greedy steps through both variants (the staged q4 graphs beside the fp32 files);
    raises when the int4 logits correlate with fp32's less than MIN_CORRELATION."""
    from gemma4_ros.runtime.config import RuntimeConfig
    from gemma4_ros.runtime.model import Gemma4OnnxModel

    trial = staging / "trial"
    (trial / "onnx").mkdir(parents=True)
    for item in root.iterdir():
        if item.is_file():
            (trial / item.name).symlink_to(item.resolve())
    for item in list(staging.glob("*.onnx*")) + list((root / "onnx").iterdir()):  # new q4 first
        if item.is_file() and not (trial / "onnx" / item.name).exists():
            (trial / "onnx" / item.name).symlink_to(item.resolve())
    models = [Gemma4OnnxModel.load(RuntimeConfig(model_dir=str(trial), variant=variant,
                                                 providers=["cpu"], intra_op_threads=1))
              for variant in ("fp32", "q4")]
    vocab = models[0].vocab_size
    ids = np.random.default_rng(0).integers(3, vocab, size=PROMPT_TOKENS).astype(np.int64)
    caches = [model.new_cache() for model in models]
    logits = [model.forward(ids, cache) for model, cache in zip(models, caches)]
    worst, correlation, agree = 0.0, 1.0, 0
    for step in range(DECODE_STEPS + 1):
        reference, ours = logits
        worst = max(worst, float(np.abs(ours - reference).max()))
        correlation = min(correlation, float(np.corrcoef(reference, ours)[0, 1]))
        agree += int(np.argmax(ours) == np.argmax(reference))
        if step < DECODE_STEPS:
            token = np.asarray([int(np.argmax(reference))], dtype=np.int64)
            logits = [model.forward(token, cache) for model, cache in zip(models, caches)]
    report.max_abs_diff, report.min_correlation = worst, correlation
    report.greedy_agreement = agree / (DECODE_STEPS + 1)
    if not correlation >= MIN_CORRELATION:  # also catches NaN
        raise Gemma4RosError(
            f"the int4 graphs disagree with fp32: their logits correlate {correlation:.3f} "
            f"(at least {MIN_CORRELATION} expected; max |Δlogits| {worst:.3g})",
            "try a smaller --block-size (16), or keep the fp32/fp16 variant for this model")
