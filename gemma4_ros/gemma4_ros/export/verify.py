"""Check a fresh export against the torch model it came from, through the runtime's own loader.

A prefill longer than the sliding window plus a few decode steps; the export is rejected when the
last-position logits differ by more than ``TOLERANCE``, so a broken graph never reaches a robot.
The encoders are checked the same way: the runtime's ``encode_image`` / ``encode_audio`` (numpy
preprocessing, padding, the graph) against transformers' ``get_image_features`` /
``get_audio_features`` on the same inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime.audio_features import extract_audio_features
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.image_preprocessing import (
    DEFAULT_BUDGET,
    SOFT_TOKEN_BUDGETS,
    preprocess_image,
)
from gemma4_ros.runtime.model import Gemma4OnnxModel

TOLERANCE = {"": 1e-3, "_fp16": 5e-2}
DECODE_STEPS = 3


def _load(out_dir: Path, suffix: str) -> Gemma4OnnxModel:
    return Gemma4OnnxModel.load(
        RuntimeConfig(
            model_dir=str(out_dir),
            variant="fp16" if suffix == "_fp16" else "fp32",
            providers=["cpu"],
        )
    )


def verify_export(model: Any, out_dir: Path, suffix: str, torch: Any) -> float:
    """Max |logits difference| between ONNX Runtime and ``model``; raises above tolerance."""
    onnx_model = _load(out_dir, suffix)
    text_config = model.config.get_text_config()
    prompt_len = min(getattr(text_config, "sliding_window", 8) + 4, 64)
    rng = np.random.default_rng(0)
    ids = rng.integers(3, text_config.vocab_size, size=prompt_len).tolist()
    cache = onnx_model.new_cache()
    ours = onnx_model.forward(np.asarray(ids), cache)
    worst = 0.0
    for _ in range(DECODE_STEPS + 1):
        with torch.no_grad():
            reference = model(torch.tensor([ids])).logits[0, -1].float().numpy()
        worst = max(worst, float(np.abs(ours - reference).max()))
        ids.append(int(np.argmax(reference)))
        ours = onnx_model.forward(np.asarray(ids[-1:]), cache)
    _judge(worst, suffix, "logits")
    return worst


def verify_media(model: Any, out_dir: Path, suffix: str, torch: Any) -> float:
    """Max |feature difference| of the exported encoders (0.0 when there are none); the vision
    graph at the smallest and the default budget, since one graph serves them all."""
    inner: Any = getattr(model, "model", None)
    has = {kind: getattr(inner, f"{kind}_tower", None) is not None for kind in ("vision", "audio")}
    if not any(has.values()):
        return 0.0
    onnx_model = _load(out_dir, suffix)
    rng = np.random.default_rng(0)
    worst = 0.0
    with torch.no_grad():
        for budget in (SOFT_TOKEN_BUDGETS[0], DEFAULT_BUDGET) if has["vision"] else ():
            frame = rng.integers(0, 256, (120, 200, 3), dtype=np.uint8)
            inputs = preprocess_image(frame, "rgb8", budget)
            dtype = next(inner.vision_tower.parameters()).dtype
            reference = inner.get_image_features(
                torch.from_numpy(inputs.pixel_values).to(dtype),
                torch.from_numpy(inputs.pixel_position_ids),
            ).pooler_output[0]
            worst = _worst(worst, onnx_model.encode_image(frame, budget=budget).features, reference)
        if has["audio"]:
            clip = (rng.standard_normal(12_345) * 0.1).astype(np.float32)
            audio = extract_audio_features(clip)
            dtype = next(inner.audio_tower.parameters()).dtype
            out = inner.get_audio_features(
                torch.from_numpy(audio.input_features).to(dtype),
                torch.from_numpy(audio.input_features_mask),
            )
            reference = out.pooler_output[out.attention_mask]
            worst = _worst(worst, onnx_model.encode_audio(clip).features, reference)
    _judge(worst, suffix, "encoder features")
    return worst


def _worst(worst: float, ours: np.ndarray, reference: Any) -> float:
    theirs = reference.float().numpy()
    if ours.shape != theirs.shape:
        raise Gemma4RosError(
            f"an exported encoder returns {list(ours.shape)} features, transformers "
            f"{list(theirs.shape)}",
            "check the pinned toolchain (torch==2.13.0, transformers==5.24.0) and report the "
            "checkpoint",
        )
    return max(worst, float(np.abs(ours - theirs).max()))


def _judge(worst: float, suffix: str, what: str) -> None:
    if worst > TOLERANCE[suffix]:
        raise Gemma4RosError(
            f"the exported graphs disagree with transformers: max |Δ{what}| = {worst:.3g} "
            f"(allowed {TOLERANCE[suffix]})",
            "check the pinned toolchain (torch==2.13.0, transformers==5.24.0, onnx==1.23.2, "
            "onnxscript==0.7.2) and report the checkpoint",
        )
