"""Weight-only int4 quantization of an exported model: the ``_q4`` variant beside the fp32 graphs.

The Jetson table's small boards need it: Gemma 4 E2B in fp32 or fp16 does not leave an 8 GB Orin
Nano room for anything else, in 4-bit weights it does. ONNX Runtime's own quantizer does the work
(``MatMulNBitsQuantizer``): every ``MatMul`` with a constant weight becomes ``MatMulNBits`` and the
token embedding tables' ``Gather`` becomes ``GatherBlockQuantized`` — 4-bit weights in blocks of
``block_size`` with one fp32 scale each, symmetric. On CPU, ``MatMulNBits`` multiplies with
int8-quantized activations (``accuracy_level`` 4): on a random-weight model of Gemma 4 E2B's
widths that made the int4 matmuls 4.7× faster than dequantizing to fp32 (level 0, the quantizer's
default), 72.7 → 15.4 ms a step on 2 cores, and it is judged by the same check; CUDA ignores the
attribute. This module picks the
graphs, writes them under the public layout's ``_q4`` names (which the runtime prefers on CPU
with ``variant: auto``) with their weights in ``*_q4.onnx_data``, and checks the result against
the fp32 graphs through the runtime before moving anything into place: a graph that ONNX Runtime
cannot load, or that picks other next tokens than fp32 from operator prompts, is never left
behind.
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
from gemma4_ros.export.tied_embedding import unshared

GRAPHS = ("embed_tokens", "decoder_model_merged", "vision_encoder", "audio_encoder")
SUFFIX = "_q4"
BLOCK_SIZES = (16, 32, 64, 128)
ACCURACY_LEVELS = (0, 1, 2, 3, 4)  # MatMulNBits' compute type: 0/1 fp32, 2 fp16, 3 bf16, 4 int8
# What a user needs of int4 is the same next tokens: the check follows fp32's greedy path from a
# few operator prompts, rendered with the model's own chat format and tokenizer, and counts the
# steps where int4 picks the same token, and how much of fp32's top 5 int4 keeps in its top 5.
# 4-bit rounding of a trained model keeps both near 1 (the demo model: 1.0 and ~0.95); a
# miswired graph drops them to chance. Logit correlation is printed, not judged: on untrained
# weights of a real width it is low (0.47 measured) while the graph is right, so it says nothing.
PROMPTS = ("go to the kitchen and wait 2 seconds", "what do you see on the shelf?",
           "turn left 90 degrees, then report that the hallway is clear")
DECODE_STEPS = 8
TOP_K = 5
MIN_GREEDY_AGREEMENT = 0.75
MIN_TOP_K_OVERLAP = 0.6


@dataclass
class QuantizeReport:
    """What was written, and how far the int4 logits are from fp32's."""

    model_dir: Path
    files: list[Path] = field(default_factory=list)
    max_abs_diff: float | None = None
    min_correlation: float | None = None  # of the int4 and fp32 logits, over the checked steps
    greedy_agreement: float | None = None  # fraction of checked steps with the same argmax
    top_k_overlap: float | None = None  # mean share of fp32's top TOP_K in int4's top TOP_K
    steps: int = 0  # positions compared
    compared: str = ""  # what the check ran on


def quantize_model(model_dir: str | Path, block_size: int = 32, verify: bool = True,
                   accuracy_level: int = 4) -> QuantizeReport:
    """Write ``onnx/<graph>_q4.onnx`` for every fp32 graph of ``model_dir``; returns the report."""
    if accuracy_level not in ACCURACY_LEVELS:
        raise Gemma4RosError(f"accuracy level {accuracy_level} is not one of ONNX Runtime's",
                             f"use one of {', '.join(map(str, ACCURACY_LEVELS))} (4, int8 "
                             "activations, is the default and ran fastest; 0 computes in fp32)")
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
        written = [_quantize_graph(source, staging, block_size, accuracy_level, quantizer)
                   for source in sources]
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


def _quantize_graph(source: Path, staging: Path, block_size: int, accuracy_level: int,
                    quantizer: Any) -> Path:
    """The int4 copy of ``source`` in ``staging``; returns the new graph's path."""
    import onnx

    # Only the embedding tables are gathered from; a Gather inside the other graphs may read a
    # constant such as a rotary table, which 4 bits would ruin.
    ops = ("Gather",) if source.stem == "embed_tokens" else ("MatMul",)
    axes = (("MatMul", 0), ("Gather", 1))  # blocks along each weight's hidden axis
    config = quantizer.DefaultWeightOnlyQuantConfig(
        block_size=block_size, is_symmetric=True, accuracy_level=accuracy_level,
        op_types_to_quantize=ops, quant_axes=axes)
    model = onnx.load(str(source), load_external_data=False)
    if source.stem == "embed_tokens":
        model = unshared(model, source.parent)  # int4 blocks run along a [vocab, hidden] table
    onnx.external_data_helper.load_external_data_for_model(model, str(source.parent))
    worker = quantizer.MatMulNBitsQuantizer(
        model, algo_config=config, op_types_to_quantize=ops, quant_axes=axes)
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
    """Both variants (the staged q4 graphs beside the fp32 files) along fp32's greedy path from
    each prompt; raises when int4 picks other tokens than a user of fp32 would get."""
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
    models = [Gemma4OnnxModel.load(RuntimeConfig(model_dir=trial, variant=variant,
                                                 providers=["cpu"], intra_op_threads=1))
              for variant in ("fp32", "q4")]
    prompts, report.compared = _prompts(root, models[0].vocab_size)
    worst, correlation, agree, overlap = 0.0, 1.0, 0, 0.0
    for ids in prompts:
        caches = [model.new_cache() for model in models]
        logits = [model.forward(ids, cache) for model, cache in zip(models, caches)]
        for step in range(DECODE_STEPS + 1):
            reference, ours = logits
            worst = max(worst, float(np.abs(ours - reference).max()))
            correlation = min(correlation, float(np.corrcoef(reference, ours)[0, 1]))
            agree += int(np.argmax(ours) == np.argmax(reference))
            overlap += len(set(_top(reference)) & set(_top(ours))) / TOP_K
            report.steps += 1
            if step < DECODE_STEPS:
                token = np.asarray([int(np.argmax(reference))], dtype=np.int64)
                logits = [model.forward(token, cache) for model, cache in zip(models, caches)]
    report.max_abs_diff, report.min_correlation = worst, correlation
    report.greedy_agreement = agree / report.steps
    report.top_k_overlap = overlap / report.steps
    if not (report.greedy_agreement >= MIN_GREEDY_AGREEMENT
            and report.top_k_overlap >= MIN_TOP_K_OVERLAP):  # also catches NaN
        raise Gemma4RosError(
            f"the int4 graphs pick other tokens than fp32: the same greedy token at "
            f"{report.greedy_agreement:.0%} of {report.steps} steps (at least "
            f"{MIN_GREEDY_AGREEMENT:.0%} needed), {report.top_k_overlap:.0%} of fp32's top "
            f"{TOP_K} kept (at least {MIN_TOP_K_OVERLAP:.0%}); {report.compared}",
            "try a smaller --block-size (16), or keep the fp32/fp16 variant for this model")


def _prompts(root: Path, vocab: int) -> tuple[list[np.ndarray], str]:
    """The operator prompts as the model reads them, or random ids when the directory has no
    tokenizer to render them with (and the description of what was compared)."""
    from gemma4_ros.chat import chat_format
    from gemma4_ros.chat.chat_template import ChatFormat
    from gemma4_ros.chat.tokenizer import Gemma4Tokenizer

    steps = f"{DECODE_STEPS} greedy steps of fp32 after each"
    try:
        tokenizer = Gemma4Tokenizer.from_model_dir(root)
        chat = ChatFormat.from_model_dir(root)
        prompts = [np.asarray(tokenizer.encode(chat.render([chat_format.user(text)])),
                           dtype=np.int64) for text in PROMPTS]
    except Gemma4RosError:
        ids = np.random.default_rng(0).integers(3, vocab, size=24).astype(np.int64)
        return [ids], f"a 24-token random prompt (no tokenizer in the directory), {steps}"
    return prompts, f"{len(prompts)} operator prompts in the model's chat format, {steps}"


def _top(logits: np.ndarray) -> np.ndarray:
    return np.argpartition(logits, -TOP_K)[-TOP_K:]
