"""Check a fresh export against the torch model it came from, through the runtime's own loader.

A prefill longer than the sliding window plus a few decode steps; the export is rejected when the
last-position logits differ by more than the tolerance, so a broken graph never reaches a robot.
The encoders are checked the same way: the runtime's ``encode_image`` / ``encode_audio`` (numpy
preprocessing, padding, the graph) against transformers' ``get_image_features`` /
``get_audio_features`` on the same inputs.

The tolerance scales with what is compared: ``max(absolute, relative × max |reference|)``. Two
correct float32 implementations that sum in different orders drift apart in proportion to the
size of the values they sum, so one absolute limit is either loose for a tiny model (logits near
0.1) or spuriously tight at Gemma 4's widths (logits up to the 30 of its soft cap, where a valid
layout was seen 1.4e-3 off). A miswired graph is off by the order of the values themselves, far
beyond either bound. Every check says what it compared and what it allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.media.audio_features import extract_audio_features
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.media.image_preprocessing import (
    DEFAULT_BUDGET,
    SOFT_TOKEN_BUDGETS,
    preprocess_image,
)
from gemma4_ros.runtime.model import Gemma4OnnxModel

DECODE_STEPS = 3


@dataclass(frozen=True)
class Tolerance:
    """Allowed difference: ``max(absolute, relative × scale)``."""

    absolute: float
    relative: float

    def allowed(self, scale: float) -> float:
        return max(self.absolute, self.relative * scale)


# fp32: 1e-4 of the largest reference value (3e-3 at a soft cap of 30), never under 1e-3;
# fp16 graphs round every activation to 11 significant bits, so 2e-3 of it, never under 5e-2.
TOLERANCE = {"": Tolerance(1e-3, 1e-4), "_fp16": Tolerance(5e-2, 2e-3)}


@dataclass(frozen=True)
class ParityCheck:
    """What one check compared, how far apart the two were, and what was allowed."""

    what: str
    compared: str
    max_abs_diff: float
    scale: float  # max |reference| over everything compared
    allowed: float

    def __str__(self) -> str:
        return (f"{self.what}: max |difference| {self.max_abs_diff:.2e}, allowed "
                f"{self.allowed:.1e} (values up to {self.scale:.3g}); {self.compared}")


def _load(out_dir: Path, suffix: str) -> Gemma4OnnxModel:
    return Gemma4OnnxModel.load(
        RuntimeConfig(
            model_dir=out_dir,
            variant="fp16" if suffix == "_fp16" else "fp32",
            providers=["cpu"],
        )
    )


def verify_export(model: Any, out_dir: Path, suffix: str, torch: Any) -> ParityCheck:
    """The logits of ONNX Runtime against ``model``'s; raises above the tolerance."""
    onnx_model = _load(out_dir, suffix)
    text_config = model.config.get_text_config()
    window = getattr(text_config, "sliding_window", 8)
    prompt_len = min(window + 4, 64)
    rng = np.random.default_rng(0)
    ids = rng.integers(3, text_config.vocab_size, size=prompt_len).tolist()
    cache = onnx_model.new_cache()
    ours = onnx_model.forward(np.asarray(ids), cache)
    worst = scale = 0.0
    for _ in range(DECODE_STEPS + 1):
        with torch.no_grad():
            reference = model(torch.tensor([ids])).logits[0, -1].float().numpy()
        worst = max(worst, float(np.abs(ours - reference).max()))
        scale = max(scale, float(np.abs(reference).max()))
        ids.append(int(np.argmax(reference)))
        ours = onnx_model.forward(np.asarray(ids[-1:]), cache)
    past = "past" if prompt_len > window else "within"
    compared = (f"last-position logits after a {prompt_len}-token random prompt ({past} the "
                f"{window}-token window) and after each of {DECODE_STEPS} greedy steps")
    return _judge("logits", compared, worst, scale, suffix)


def verify_media(model: Any, out_dir: Path, suffix: str, torch: Any) -> ParityCheck | None:
    """The features of the exported encoders against transformers' (None when there are
    none); the vision graph at the smallest and the default budget, since one graph serves
    them all."""
    inner: Any = getattr(model, "model", None)
    has = {kind: getattr(inner, f"{kind}_tower", None) is not None for kind in ("vision", "audio")}
    if not any(has.values()):
        return None
    onnx_model = _load(out_dir, suffix)
    rng = np.random.default_rng(0)
    worst = scale = 0.0
    with torch.no_grad():
        for budget in (SOFT_TOKEN_BUDGETS[0], DEFAULT_BUDGET) if has["vision"] else ():
            frame = rng.integers(0, 256, (120, 200, 3), dtype=np.uint8)
            inputs = preprocess_image(frame, "rgb8", budget)
            dtype = next(inner.vision_tower.parameters()).dtype
            reference = inner.get_image_features(
                torch.from_numpy(inputs.pixel_values).to(dtype),
                torch.from_numpy(inputs.pixel_position_ids),
            ).pooler_output[0]
            worst, scale = _worst(worst, scale, onnx_model.encode_image(frame, budget=budget)
                                  .features, reference)
        if has["audio"]:
            clip = (rng.standard_normal(12_345) * 0.1).astype(np.float32)
            audio = extract_audio_features(clip)
            dtype = next(inner.audio_tower.parameters()).dtype
            out = inner.get_audio_features(
                torch.from_numpy(audio.input_features).to(dtype),
                torch.from_numpy(audio.input_features_mask),
            )
            reference = out.pooler_output[out.attention_mask]
            worst, scale = _worst(worst, scale, onnx_model.encode_audio(clip).features,
                                  reference)
    budgets = f"a 120×200 image at {SOFT_TOKEN_BUDGETS[0]} and {DEFAULT_BUDGET} soft tokens"
    compared = " and ".join(
        ([budgets] if has["vision"] else []) + (["a 0.77 s noise clip"] if has["audio"] else []))
    return _judge("encoder features", compared, worst, scale, suffix)


def _worst(worst: float, scale: float, ours: np.ndarray, reference: Any
           ) -> tuple[float, float]:
    theirs = reference.float().numpy()
    if ours.shape != theirs.shape:
        raise Gemma4RosError(
            f"an exported encoder returns {list(ours.shape)} features, transformers "
            f"{list(theirs.shape)}",
            "check the pinned toolchain (torch==2.13.0, transformers==5.24.0) and report the "
            "checkpoint",
        )
    return (max(worst, float(np.abs(ours - theirs).max())),
            max(scale, float(np.abs(theirs).max())))


def _judge(what: str, compared: str, worst: float, scale: float, suffix: str) -> ParityCheck:
    check = ParityCheck(what, compared, worst, scale, TOLERANCE[suffix].allowed(scale))
    if not worst <= check.allowed:  # also catches NaN
        raise Gemma4RosError(
            f"the exported graphs disagree with transformers: {check}",
            "check the pinned toolchain (torch==2.13.0, transformers==5.24.0, onnx==1.23.2, "
            "onnxscript==0.7.2) and report the checkpoint",
        )
    return check
