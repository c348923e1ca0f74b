"""Image preprocessing equals transformers' Gemma4ImageProcessorPil bit for bit, for every budget,
aspect ratio and pixel encoding; the bound to the torchvision backend's resampler is measured."""

from __future__ import annotations

import numpy as np
import pytest

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.media import image_preprocessing as ip

transformers = pytest.importorskip("transformers")
pytest.importorskip("PIL")
from transformers.models.gemma4.image_processing_pil_gemma4 import (  # noqa: E402
    Gemma4ImageProcessorPil,
    get_aspect_ratio_preserving_size,
)

SHAPES = [(480, 640), (720, 1280), (333, 97), (40, 900), (2, 3)]


def _random(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _structured(height: int, width: int) -> np.ndarray:
    """Sharp edges, a checkerboard and ramps: where resampling filters disagree most."""
    rows, cols = np.mgrid[0:height, 0:width]
    red = (cols * 255 // max(width - 1, 1)).astype(np.uint8)
    green = (((rows // 7) + (cols // 5)) % 2 * 255).astype(np.uint8)
    inside = (rows - height / 2) ** 2 + (cols - width / 2) ** 2 < (min(height, width) / 3) ** 2
    blue = np.where(inside, 255, 0).astype(np.uint8)
    return np.stack([red, green, blue], axis=-1)


def _reference(frames: list[np.ndarray], budget: int) -> dict[str, np.ndarray]:
    processor = Gemma4ImageProcessorPil(max_soft_tokens=budget)
    return processor(images=frames, return_tensors="np", input_data_format="channels_last")


def _assert_equal(ours: ip.ImageInputs, ref: dict[str, np.ndarray]) -> None:
    assert ours.pixel_values.dtype == np.float32 and ours.pixel_position_ids.dtype == np.int64
    assert ours.pixel_values.shape == ref["pixel_values"].shape
    np.testing.assert_array_equal(ours.pixel_values, ref["pixel_values"])
    np.testing.assert_array_equal(ours.pixel_position_ids, ref["image_position_ids"])
    assert ours.num_soft_tokens == tuple(int(n) for n in ref["num_soft_tokens_per_image"])


@pytest.mark.parametrize("budget", ip.SOFT_TOKEN_BUDGETS)
def test_random_and_structured_frames_equal_processor(budget: int) -> None:
    for index, (height, width) in enumerate(SHAPES):
        for rgb in (_random((height, width, 3), index), _structured(height, width)):
            ours = ip.preprocess_image(rgb, "rgb8", budget)
            _assert_equal(ours, _reference([rgb], budget))
            assert ours.pixel_values.shape == (1, budget * 9, 768)
            assert ours.num_soft_tokens[0] <= budget


def test_batch_of_different_aspect_ratios_equals_processor() -> None:
    frames = [_random((240, 320, 3), 1), _structured(500, 120), _random((64, 64, 3), 2)]
    _assert_equal(ip.preprocess_images(frames, "rgb8", 140), _reference(frames, 140))


def test_frame_already_at_target_size_is_not_resampled() -> None:
    rgb = _random((768, 768, 3), 3)
    assert ip.target_size(768, 768, 280) == (768, 768)
    _assert_equal(ip.preprocess_image(rgb, "rgb8", 280), _reference([rgb], 280))


@pytest.mark.parametrize("encoding", ["bgr8", "rgba8", "bgra8", "mono8"])
def test_encodings_convert_like_processor(encoding: str) -> None:
    """BGR is flipped, RGBA/BGRA blend onto white, mono repeats (reference: RGB[A] or H×W×1)."""
    if encoding == "mono8":
        frame = _structured(90, 160)[..., 1]
        ref = _reference([frame[..., None]], 70)
    else:
        rgba = np.concatenate([_structured(90, 160), _random((90, 160, 1), 4)], axis=-1)
        rgba[:10, :, 3] = 0
        rgba[10:20, :, 3] = 255
        rgb_or_rgba = rgba if "a" in encoding else rgba[..., :3]
        ref = _reference([rgb_or_rgba], 70)
        order = [2, 1, 0, 3][: rgb_or_rgba.shape[2]]
        frame = rgb_or_rgba[..., order] if encoding.startswith("b") else rgba
    _assert_equal(ip.preprocess_image(np.ascontiguousarray(frame), encoding, 70), ref)


def test_every_grey_level_rescales_like_the_processor() -> None:
    levels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert ip.target_size(384, 384, 70) == (384, 384)  # so nothing is resampled
    out = ip.preprocess_image(np.tile(levels, (24, 24)), "mono8", 70)
    expected = (np.arange(256, dtype=np.float64) * (1 / 255)).astype(np.float32)
    first_patch = out.pixel_values[0, 0].reshape(16, 16, 3)
    np.testing.assert_array_equal(first_patch, np.repeat(expected.reshape(16, 16, 1), 3, axis=2))


def test_mono_frame_with_channel_axis_is_accepted() -> None:
    frame = _random((50, 70), 5)
    two_d = ip.preprocess_image(frame, "mono8", 70)
    np.testing.assert_array_equal(two_d.pixel_values,
                                  ip.preprocess_image(frame[..., None], "mono8", 70).pixel_values)


def test_target_size_and_soft_tokens_equal_transformers_over_many_sizes() -> None:
    sizes = [(1, 1), (1, 10_000), (10_000, 1), (3, 4000), (47, 47), (48, 48), (1080, 1920),
             (1920, 1080), (4000, 3000), (123, 4567), (99, 100)]
    sizes += [tuple(s) for s in np.random.default_rng(6).integers(1, 3000, (200, 2))]
    for budget in ip.SOFT_TOKEN_BUDGETS:
        for height, width in sizes:
            expected = get_aspect_ratio_preserving_size(int(height), int(width), 16, budget * 9, 3)
            assert ip.target_size(int(height), int(width), budget) == expected
            tokens = ip.image_soft_tokens(int(height), int(width), budget)
            assert tokens == (expected[0] // 16) * (expected[1] // 16) // 9 and 0 < tokens <= budget


def test_positions_are_column_row_in_row_major_order_then_minus_one() -> None:
    out = ip.preprocess_image(_random((96, 144, 3), 7), "rgb8", 70)
    rows, cols = ip.target_size(96, 144, 70)[0] // 16, ip.target_size(96, 144, 70)[1] // 16
    ids = out.pixel_position_ids[0]
    assert ids[1].tolist() == [1, 0] and ids[cols].tolist() == [0, 1]
    assert (ids[rows * cols:] == -1).all() and not out.pixel_values[0, rows * cols:].any()


def test_bound_to_torchvision_backend_resampler() -> None:
    """transformers' default backend resizes uint8 with torch's own antialiased bicubic kernel
    (torchvision 0.28 ``resize_image`` → ``interpolate(uint8, antialias=True)`` on AVX2 CPUs).
    It is not Pillow: measured here, at most 2/255 apart in under 1% of the pixels."""
    torch = pytest.importorskip("torch")
    for height, width in [(480, 640), (1080, 1920), (100, 50)]:
        rgb = _random((height, width, 3), height)
        target = ip.target_size(height, width, 280)
        ours = ip._resize(rgb, 280).astype(np.int16)
        tensor = torch.from_numpy(rgb).permute(2, 0, 1)[None].contiguous()
        theirs = torch.nn.functional.interpolate(tensor, size=list(target), mode="bicubic",
                                                 antialias=True, align_corners=False)
        diff = np.abs(ours - theirs[0].permute(1, 2, 0).numpy().astype(np.int16))
        assert diff.max() <= 2 and (diff > 0).mean() < 0.01


def test_soft_token_counts_equal_the_vision_towers_outputs() -> None:
    """The placeholders must match the rows the encoder returns, or merging fails: a tiny random
    Gemma4VisionModel strips the padding and returns one row per soft token of every image."""
    torch = pytest.importorskip("torch")
    from transformers.models.gemma4 import Gemma4VisionConfig, Gemma4VisionModel

    config = Gemma4VisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                num_attention_heads=2, num_key_value_heads=2, head_dim=16)
    torch.manual_seed(0)
    tower = Gemma4VisionModel(config).eval()
    frames = [_random((480, 640, 3), 8), _random((40, 900, 3), 9), _structured(333, 97)]
    inputs = ip.preprocess_images(frames, "rgb8", 70)
    with torch.no_grad():
        out = tower(torch.from_numpy(inputs.pixel_values),
                    torch.from_numpy(inputs.pixel_position_ids)).last_hidden_state
    assert out.shape[0] == sum(inputs.num_soft_tokens) and len(set(inputs.num_soft_tokens)) == 3


@pytest.mark.parametrize("budget", [0, 256, 281, -70])
def test_unsupported_budget_is_rejected(budget: int) -> None:
    with pytest.raises(Gemma4RosError, match="70, 140, 280, 560, 1120"):
        ip.preprocess_image(_random((10, 10, 3), 0), "rgb8", budget)


@pytest.mark.parametrize(("frame", "encoding", "message"), [
    (np.zeros((10, 10, 3), np.float32), "rgb8", "uint8"),
    (np.zeros((10, 10, 3), np.uint16), "rgb8", "uint8"),
    ([[0, 0], [0, 0]], "mono8", "uint8"),
    (np.zeros((10, 10, 4), np.uint8), "rgb8", "H×W×3"),
    (np.zeros((10, 10, 3), np.uint8), "rgba8", "H×W×4"),
    (np.zeros((10, 10, 3), np.uint8), "mono8", "H×W"),
    (np.zeros((0, 10, 3), np.uint8), "rgb8", "non-empty"),
    (np.zeros((10, 10, 3), np.uint8), "yuv422", "not supported"),
])
def test_bad_frames_are_rejected_with_a_fix(frame: object, encoding: str, message: str) -> None:
    with pytest.raises(Gemma4RosError, match=message) as error:
        ip.preprocess_image(frame, encoding, 70)  # type: ignore[arg-type]
    assert error.value.hint


def test_empty_batch_is_rejected() -> None:
    with pytest.raises(Gemma4RosError, match="no image frames"):
        ip.preprocess_images([], "rgb8", 70)
