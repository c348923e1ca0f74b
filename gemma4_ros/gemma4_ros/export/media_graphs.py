"""The encoder graphs as export specs, and how their shapes were chosen (measured, torch 2.13).

* Vision: the patch axis cannot stay dynamic (``torch.export`` specialises it through the
  pooler's ``patches // 9``), so **one graph serves one soft-token budget**: ``vision_encoder``
  takes exactly ``budget × 9`` patches and any number of images. The runtime reads the patch
  count from the graph and refuses a ``image_soft_tokens`` setting it cannot serve.
* Audio: a dynamic frame axis fails in ``torch.export`` and the optimised static graph is
  invalid, so the graph is static (unoptimised) at the frame count of 30 s, the longest clip
  Gemma 4 takes. Shorter clips are zero-padded with ``input_features_mask`` False: the valid
  output rows are unchanged (the tower masks padding), checked by the export's verification.

The example inputs are real preprocessed inputs (a random frame, a noise clip) from the runtime's
own numpy preprocessing, so the traced path is the one the runtime drives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gemma4_ros.export.graphs import GraphSpec
from gemma4_ros.export.media_wrappers import AudioEncoder, VisionEncoder, multimodal_model
from gemma4_ros.runtime.audio_features import MAX_SAMPLES, extract_audio_features, log_mel
from gemma4_ros.runtime.image_preprocessing import preprocess_images
from gemma4_ros.runtime.media_encoders import pad_frames

VISION = "vision_encoder"
AUDIO = "audio_encoder"


def audio_frames() -> int:
    """Feature frames of the longest clip (30 s): the audio graph's fixed length."""
    return int(log_mel(np.zeros(MAX_SAMPLES, dtype=np.float32))[1].size)


def build_media_specs(model: Any, torch: Any, budget: int) -> list[GraphSpec]:
    """Specs for the towers ``model`` has (none for a text-only checkpoint)."""
    inner = multimodal_model(model)
    if inner is None:
        return []
    dtype = next(inner.language_model.parameters()).dtype
    specs = []
    if getattr(inner, "vision_tower", None) is not None:
        specs.append(_vision_spec(inner, torch, budget, dtype))
    if getattr(inner, "audio_tower", None) is not None:
        specs.append(_audio_spec(inner, torch, dtype))
    return specs


def _vision_spec(inner: Any, torch: Any, budget: int, dtype: Any) -> GraphSpec:
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (96 * k, 144, 3), dtype=np.uint8) for k in (1, 2)]
    inputs = preprocess_images(frames, "rgb8", budget)
    args = (torch.from_numpy(inputs.pixel_values).to(dtype),
            torch.from_numpy(inputs.pixel_position_ids))
    images = {0: "num_images"}
    return GraphSpec(VISION, VisionEncoder(inner).eval(), args,
                     ["pixel_values", "pixel_position_ids"], ["image_features"],
                     {"pixel_values": images, "pixel_position_ids": images})


def _audio_spec(inner: Any, torch: Any, dtype: Any) -> GraphSpec:
    clip = np.random.default_rng(0).standard_normal(16_000).astype(np.float32) * 0.1
    features = extract_audio_features(clip)
    padded, mask = pad_frames(features.input_features, features.input_features_mask,
                             audio_frames())
    args = (torch.from_numpy(padded).to(dtype), torch.from_numpy(mask))
    return GraphSpec(AUDIO, AudioEncoder(inner).eval(), args,
                     ["input_features", "input_features_mask"], ["audio_features"], {},
                     optimize=False)
