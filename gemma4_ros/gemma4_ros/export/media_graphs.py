"""The encoder graphs as export specs, and how their shapes were chosen (measured, torch 2.13).

* Vision: **one graph serves every soft-token budget** (70 … 1120) and any number of images.
  The patch axis is declared as 9·k (pooling 3×3), and the pooling is written without
  ``one_hot`` (see :class:`~gemma4_ros.export.media_wrappers.VisionEncoder`); with
  transformers' own tower the graph silently kept the example's budget. Graphs from other
  exporters may be fixed to one budget: the runtime reads the patch count from the graph and
  refuses an ``image_soft_tokens`` setting it cannot serve.
* Audio: a plain dynamic frame axis fails in ``torch.export``'s constraint solver, but one
  declared as 4·k (the tower's two stride-2 convolutions) exports, and the graph then takes any
  frame count: measured equal to transformers (≤ 3e-7) for 6 … 2,999 frames, multiples of 4 or
  not. The onnxscript optimiser must stay off for this graph (it wrote an invalid one). Graphs
  from other exporters may fix the frame count; the runtime pads clips to it with
  ``input_features_mask`` False, which leaves the valid rows unchanged.

The example inputs are real preprocessed inputs (a random frame, a noise clip) from the runtime's
own numpy preprocessing, so the traced path is the one the runtime drives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gemma4_ros.export.graphs import GraphSpec
from gemma4_ros.export.media_wrappers import AudioEncoder, VisionEncoder, multimodal_model
from gemma4_ros.media.audio_features import extract_audio_features
from gemma4_ros.media.image_preprocessing import POOLING, preprocess_images
from gemma4_ros.runtime.media_encoders import pad_frames

VISION = "vision_encoder"
AUDIO = "audio_encoder"
#: The audio frame axis is exported as FRAME_STEP·k: the step torch.export can solve for.
FRAME_STEP = 4


def build_media_specs(model: Any, torch: Any) -> list[GraphSpec]:
    """Specs for the towers ``model`` has (none for a text-only checkpoint)."""
    inner = multimodal_model(model)
    if inner is None:
        return []
    dtype = next(inner.language_model.parameters()).dtype
    specs = []
    if getattr(inner, "vision_tower", None) is not None:
        specs.append(_vision_spec(inner, torch, dtype))
    if getattr(inner, "audio_tower", None) is not None:
        specs.append(_audio_spec(inner, torch, dtype))
    return specs


def _vision_spec(inner: Any, torch: Any, dtype: Any) -> GraphSpec:
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (96 * k, 144, 3), dtype=np.uint8) for k in (1, 2)]
    inputs = preprocess_images(frames, "rgb8", 70)
    args = (torch.from_numpy(inputs.pixel_values).to(dtype),
            torch.from_numpy(inputs.pixel_position_ids))
    axes = {0: "num_images", 1: "num_patches"}
    return GraphSpec(VISION, VisionEncoder(inner).eval(), args,
                     ["pixel_values", "pixel_position_ids"], ["image_features"],
                     {"pixel_values": axes, "pixel_position_ids": axes},
                     multiples={"num_patches": POOLING**2})


def _audio_spec(inner: Any, torch: Any, dtype: Any) -> GraphSpec:
    clip = np.random.default_rng(0).standard_normal(16_000).astype(np.float32) * 0.1
    features = extract_audio_features(clip)
    frames = features.input_features.shape[1]
    padded, mask = pad_frames(features.input_features, features.input_features_mask,
                              -(-frames // FRAME_STEP) * FRAME_STEP)
    args = (torch.from_numpy(padded).to(dtype), torch.from_numpy(mask))
    axis = {1: "audio_frames"}
    return GraphSpec(AUDIO, AudioEncoder(inner).eval(), args,
                     ["input_features", "input_features_mask"], ["audio_features"],
                     {"input_features": axis, "input_features_mask": axis}, optimize=False,
                     multiples={"audio_frames": FRAME_STEP})
