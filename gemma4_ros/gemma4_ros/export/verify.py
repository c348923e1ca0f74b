"""Check a fresh export against the torch model it came from, through the runtime's own loader.

A prefill longer than the sliding window plus a few decode steps; the export is rejected when the
last-position logits differ by more than ``TOLERANCE``, so a broken graph never reaches a robot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.model import Gemma4OnnxModel

TOLERANCE = {"": 1e-3, "_fp16": 5e-2}
DECODE_STEPS = 3


def verify_export(model: Any, out_dir: Path, suffix: str, torch: Any) -> float:
    """Max |logits difference| between ONNX Runtime and ``model``; raises above tolerance."""
    onnx_model = Gemma4OnnxModel.load(
        RuntimeConfig(
            model_dir=str(out_dir),
            variant="fp16" if suffix == "_fp16" else "fp32",
            providers=["cpu"],
        )
    )
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
    if worst > TOLERANCE[suffix]:
        raise Gemma4RosError(
            f"the exported graphs disagree with transformers: max |Δlogits| = {worst:.3g} "
            f"(allowed {TOLERANCE[suffix]})",
            "check the pinned toolchain (torch==2.13.0, transformers==5.24.0, onnx==1.23.2, "
            "onnxscript==0.7.2) and report the checkpoint",
        )
    return worst
