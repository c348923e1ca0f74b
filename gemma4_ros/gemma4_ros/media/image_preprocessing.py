"""Camera frames → the vision encoder's ``pixel_values`` / ``pixel_position_ids``, as Gemma 4 wants.

Equal to transformers' ``Gemma4ImageProcessorPil`` (5.24): keep the aspect ratio, shrink or grow
the frame to the largest size whose sides are multiples of 48 px (patch 16 × pooling 3) and whose
16-px patches fit the soft-token budget × 9, bicubic resample with Pillow, scale to [0, 1] (no mean
or std), cut row-major 16×16×3 patches and pad them to the full budget with zeros and position −1.

Why Pillow and not OpenCV: ``cv2.resize`` has no antialiased bicubic (INTER_CUBIC uses a = −0.75 and
ignores the scale on downsizing; INTER_AREA is a box filter): on a 1080p checkerboard with noise
they land 50–164 grey levels (mean 3–18) from the processor, measured. Pillow
*is* the resampler of the processor's PIL backend, so the result is bit-identical. transformers'
default torchvision backend resizes uint8 frames on the CPU with torch's own antialiased bicubic
kernel, measured at most 2/255 from Pillow in under 1% of the pixels (a test holds that
bound); on a GPU it resamples in float without clipping between passes, up to 24/255 from Pillow
on noise. So the torchvision backend is not one reference either; Pillow is the stable one.
Measured in ``test/media/test_media_image.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Sequence
from typing import Literal, get_args

import cv2
import numpy as np
from PIL import Image

from gemma4_ros.errors import Gemma4RosError

SoftTokenBudget = Literal[70, 140, 280, 560, 1120]
#: Visual soft-token budgets Gemma 4's vision encoder was trained with; ``models.yaml`` picks one.
SOFT_TOKEN_BUDGETS: tuple[int, ...] = get_args(SoftTokenBudget)
DEFAULT_BUDGET = 280
PATCH_SIZE = 16
POOLING = 3
#: Channels in one patch row of ``pixel_values``: 16 × 16 × RGB.
PATCH_DIM = PATCH_SIZE * PATCH_SIZE * 3
_SIDE_MULTIPLE = PATCH_SIZE * POOLING

#: ROS ``sensor_msgs/Image`` encodings a frame may arrive in.
ImageEncoding = Literal["rgb8", "bgr8", "rgba8", "bgra8", "mono8"]
_CHANNELS: dict[str, int] = {"rgb8": 3, "bgr8": 3, "rgba8": 4, "bgra8": 4, "mono8": 1}
_CONVERSIONS: dict[str, int] = {"bgr8": cv2.COLOR_BGR2RGB, "mono8": cv2.COLOR_GRAY2RGB}

# The processor rescales with float32(float64(x) × (1/255)); for all 256 uint8 levels that equals
# the correctly rounded float32 division x / 255 (checked exhaustively in the tests), which numpy
# does 3× faster than a lookup table.
_LEVELS = np.float32(255)


@dataclass(frozen=True)
class ImageInputs:
    """What ``vision_encoder.onnx`` takes, and the ``<|image|>`` placeholders each image needs."""

    pixel_values: np.ndarray  # float32 [N, budget × 9, 768]
    pixel_position_ids: np.ndarray  # int64 [N, budget × 9, 2]: (column, row), −1 for padding
    num_soft_tokens: tuple[int, ...]  # per image; ≤ budget


def check_budget(budget: int) -> int:
    """Return ``budget`` if Gemma 4 supports it; the vision encoder knows no other sizes."""
    if budget not in SOFT_TOKEN_BUDGETS:
        raise Gemma4RosError(
            f"image soft-token budget {budget!r} is not supported",
            f"use one of {', '.join(map(str, SOFT_TOKEN_BUDGETS))} (default {DEFAULT_BUDGET})",
        )
    return budget


def target_size(height: int, width: int, budget: int = DEFAULT_BUDGET) -> tuple[int, int]:
    """The (height, width) the processor resizes an image to for ``budget`` soft tokens.

    Scale the area to ``budget × 9`` patches, then round each side *down* to a multiple of 48 px;
    a side that rounds to zero becomes 48 and the other side takes the whole aspect ratio (capped
    at ``budget`` × 48 px). Both sides cannot round to zero: the scaled area is ≥ 70 × 9 × 256 px².
    """
    check_budget(budget)
    max_patches = budget * POOLING**2
    factor = math.sqrt(max_patches * PATCH_SIZE**2 / (height * width))
    target_h = int(math.floor(factor * height / _SIDE_MULTIPLE)) * _SIDE_MULTIPLE
    target_w = int(math.floor(factor * width / _SIDE_MULTIPLE)) * _SIDE_MULTIPLE
    max_side = (max_patches // POOLING**2) * _SIDE_MULTIPLE
    if target_h == 0:
        return _SIDE_MULTIPLE, min(int(math.floor(width / height)) * _SIDE_MULTIPLE, max_side)
    if target_w == 0:
        return min(int(math.floor(height / width)) * _SIDE_MULTIPLE, max_side), _SIDE_MULTIPLE
    return target_h, target_w


def image_soft_tokens(height: int, width: int, budget: int = DEFAULT_BUDGET) -> int:
    """How many ``<|image|>`` placeholders an image of this size takes, without preprocessing it."""
    target_h, target_w = target_size(height, width, budget)
    return (target_h // PATCH_SIZE) * (target_w // PATCH_SIZE) // POOLING**2


def to_rgb(frame: np.ndarray, encoding: ImageEncoding = "rgb8") -> np.ndarray:
    """An H×W×3 uint8 RGB copy of ``frame``, converted the way the processor converts arrays.

    Grey frames are repeated to three channels; frames with alpha are blended onto white
    (``round(a·c + (1 − a)·255)``, a = alpha/255), so a transparent pixel reads as white, not black.
    """
    frame = _check_frame(frame, encoding)
    if encoding in _CONVERSIONS:  # OpenCV swaps or repeats channels ~20× faster than numpy
        return np.asarray(cv2.cvtColor(frame, _CONVERSIONS[encoding]), dtype=np.uint8)
    if encoding == "rgb8":
        return np.ascontiguousarray(frame, dtype=np.uint8)
    rgba = frame[..., [2, 1, 0, 3]] if encoding == "bgra8" else frame
    alpha = rgba[..., 3:4] / 255
    blended: np.ndarray = alpha * rgba[..., :3] + (1 - alpha) * 255
    return np.round(blended).astype(np.uint8)


def preprocess_image(
    frame: np.ndarray, encoding: ImageEncoding = "rgb8", budget: int = DEFAULT_BUDGET
) -> ImageInputs:
    """One frame → vision-encoder inputs with a batch of one."""
    return preprocess_images([frame], encoding, budget)


def preprocess_images(
    frames: Sequence[np.ndarray], encoding: ImageEncoding = "rgb8", budget: int = DEFAULT_BUDGET
) -> ImageInputs:
    """Frames of one encoding → one batch, each padded to the same ``budget × 9`` patches."""
    check_budget(budget)
    if not frames:
        raise Gemma4RosError("no image frames were given", "pass at least one H×W×C uint8 frame")
    max_patches = budget * POOLING**2
    pixels = np.zeros((len(frames), max_patches, PATCH_DIM), dtype=np.float32)
    positions = np.full((len(frames), max_patches, 2), -1, dtype=np.int64)
    counts = []
    for index, frame in enumerate(frames):
        resized = _resize(to_rgb(frame, encoding), budget)
        counts.append(_patchify_into(resized, pixels[index], positions[index]))
    return ImageInputs(pixels, positions, tuple(counts))


def _resize(rgb: np.ndarray, budget: int) -> np.ndarray:
    height, width = rgb.shape[:2]
    target_h, target_w = target_size(height, width, budget)
    if (target_h, target_w) == (height, width):
        return rgb
    resized = Image.fromarray(rgb).resize((target_w, target_h), Image.Resampling.BICUBIC)
    return np.asarray(resized, dtype=np.uint8)


def _patchify_into(rgb: np.ndarray, pixels: np.ndarray, positions: np.ndarray) -> int:
    """Write the row-major patches of ``rgb`` into ``pixels`` / ``positions``; count tokens."""
    rows, cols = rgb.shape[0] // PATCH_SIZE, rgb.shape[1] // PATCH_SIZE
    count = rows * cols
    patches = rgb.reshape(rows, PATCH_SIZE, cols, PATCH_SIZE, 3).transpose(0, 2, 1, 3, 4)
    np.divide(patches.reshape(count, PATCH_DIM), _LEVELS, out=pixels[:count], dtype=np.float32)
    positions[:count, 0] = np.tile(np.arange(cols), rows)
    positions[:count, 1] = np.repeat(np.arange(rows), cols)
    return int(count // POOLING**2)


def _check_frame(frame: np.ndarray, encoding: str) -> np.ndarray:
    if encoding not in _CHANNELS:
        raise Gemma4RosError(f"image encoding {encoding!r} is not supported",
                             f"use one of {', '.join(_CHANNELS)} (convert other encodings first)")
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
        kind = frame.dtype if isinstance(frame, np.ndarray) else type(frame).__name__
        raise Gemma4RosError(f"image frame must be a uint8 numpy array, got {kind}",
                             "convert 16-bit or float images to 8 bits (e.g. cv2.convertScaleAbs)")
    channels = _CHANNELS[encoding]
    shape_ok = frame.ndim == 3 and frame.shape[2] == channels
    if channels == 1:
        shape_ok = frame.ndim == 2 or shape_ok
    if not shape_ok or frame.shape[0] == 0 or frame.shape[1] == 0:
        want = "H×W (or H×W×1)" if channels == 1 else f"H×W×{channels}"
        raise Gemma4RosError(f"{encoding} frame has shape {frame.shape}, expected non-empty {want}",
                             "pass the encoding that matches the frame's channels")
    return frame
