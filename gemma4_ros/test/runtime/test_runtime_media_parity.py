"""Proof for images and audio: the runtime's logits equal transformers' at every greedy step.

The tiny multimodal fixture (Gemma4ForConditionalGeneration with one-layer vision and audio
towers) is exported by ``gemma4-ros export`` — text graphs, ``vision_encoder`` for 70 soft tokens,
``audio_encoder`` — and cached. The reference is transformers' full forward pass with
``pixel_values`` / ``input_features`` at each step (no cache), so a wrong merge row, a wrong
padding or a prefix cache that covered a placeholder all show up as a logits difference.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.media.audio_features import extract_audio_features
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.generation import Engine, Generation, GenerationOptions
from gemma4_ros.media.image_preprocessing import SoftTokenBudget, preprocess_image
from gemma4_ros.runtime.loader import engine_from_config
from gemma4_ros.runtime.media_encoders import EncodedMedia, MediaEncoders
from gemma4_ros.runtime.model import Gemma4OnnxModel
from gemma4_ros.testing.fixture_models import (
    MULTIMODAL_FIXTURES,
    FixtureModel,
    FixtureUnavailable,
    fixture_model,
    load_reference,
)

torch = pytest.importorskip("torch")

TOLERANCE = 1e-3
STEPS = 20
SPEC = MULTIMODAL_FIXTURES["tiny_multimodal"]
IMAGE, AUDIO = SPEC["image_token_id"], SPEC["audio_token_id"]
BUDGET: SoftTokenBudget = 70  # the smallest: keeps the prompts short


@pytest.fixture(scope="module")
def fixture() -> FixtureModel:
    try:
        return fixture_model("tiny_multimodal")
    except FixtureUnavailable as error:
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def reference(fixture: FixtureModel) -> Any:
    return load_reference(fixture)


@pytest.fixture(scope="module")
def engine(fixture: FixtureModel) -> Engine:
    config = RuntimeConfig(model_dir=str(fixture.onnx_dir), providers=["cpu"], intra_op_threads=1,
                           max_new_tokens=STEPS, image_soft_tokens=BUDGET)
    return engine_from_config(config)


def onnx_model(engine: Engine) -> Gemma4OnnxModel:
    assert isinstance(engine.model, Gemma4OnnxModel)
    return engine.model


def frame() -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (150, 220, 3), dtype=np.uint8)


def clip() -> np.ndarray:
    return (np.random.default_rng(4).standard_normal(14_000) * 0.1).astype(np.float32)


def text(count: int, seed: int) -> list[int]:
    """Ordinary ids: above every control token of the fixture tokenizer (placeholders included)."""
    return np.random.default_rng(seed).integers(24, 512, size=count).tolist()


def prompt_with(placeholder: int, count: int) -> tuple[list[int], int]:
    """<bos>, text, the placeholders, text; and the index of the first placeholder."""
    head = [2, *text(6, 0)]
    return [*head, *[placeholder] * count, *text(5, 1)], len(head)


def reference_inputs(kind: str) -> dict[str, Any]:
    if kind == "image":
        pixels = preprocess_image(frame(), "rgb8", BUDGET)
        return {"pixel_values": torch.from_numpy(pixels.pixel_values),
                "image_position_ids": torch.from_numpy(pixels.pixel_position_ids)}
    audio = extract_audio_features(clip())
    return {"input_features": torch.from_numpy(audio.input_features),
            "input_features_mask": torch.from_numpy(audio.input_features_mask)}


def run_both(engine: Engine, reference: Any, ids: list[int], item: EncodedMedia,
             options: GenerationOptions | None = None) -> Generation:
    steps: list[np.ndarray] = []
    opts = options or GenerationOptions()
    opts.media, opts.logits_processor = (item,), lambda logits: steps.append(logits.copy())
    generation = engine.generate(ids, opts)
    tokens = generation.run()
    extra = reference_inputs(item.kind)
    sequence, ref_tokens, ref_logits = list(ids), [], []
    with torch.no_grad():
        for _ in tokens:
            logits = reference(input_ids=torch.tensor([sequence]), **extra).logits[0, -1].numpy()
            ref_logits.append(logits)
            ref_tokens.append(int(np.argmax(logits)))
            sequence.append(ref_tokens[-1])
    assert tokens == ref_tokens
    assert len(tokens) == STEPS
    worst = max(float(np.abs(a - b).max()) for a, b in zip(steps, ref_logits, strict=True))
    assert worst <= TOLERANCE, f"max |Δlogits| = {worst:.3g}"
    return generation


@pytest.mark.parametrize("kind", ["image", "audio"])
def test_media_prompt_generation_matches_transformers(
    engine: Engine, reference: Any, kind: str
) -> None:
    model = onnx_model(engine)
    item = model.encode_image(frame()) if kind == "image" else model.encode_audio(clip())
    assert item.features.shape == (item.soft_tokens, 64) and item.soft_tokens > 10
    ids, _ = prompt_with(IMAGE if kind == "image" else AUDIO, item.soft_tokens)
    run_both(engine, reference, ids, item, GenerationOptions(use_prefix_cache=False))


def test_prefix_reuse_stops_before_the_first_placeholder(engine: Engine, reference: Any) -> None:
    """A stored prefix covering placeholders (pad rows) must not serve a media prompt; the one
    ending before them is reused, and the logits still equal transformers'."""
    item = onnx_model(engine).encode_image(frame())
    ids, first = prompt_with(IMAGE, item.soft_tokens)
    engine.prefix_cache.add(ids[:first])
    engine.prefix_cache.add(ids[: first + 3])
    generation = run_both(engine, reference, ids, item)
    assert generation.reused_prefix_tokens == first


@pytest.mark.parametrize("samples", [1_000, 14_000, 160_000])
def test_clips_of_any_length_equal_transformers(
    engine: Engine, reference: Any, samples: int
) -> None:
    pcm = (np.random.default_rng(samples).standard_normal(samples) * 0.1).astype(np.float32)
    ours = onnx_model(engine).encode_audio(pcm)
    audio = extract_audio_features(pcm)
    with torch.no_grad():
        out = reference.model.get_audio_features(torch.from_numpy(audio.input_features),
                                                 torch.from_numpy(audio.input_features_mask))
    theirs = out.pooler_output[out.attention_mask].numpy()
    assert ours.soft_tokens == audio.num_soft_tokens == theirs.shape[0]
    assert float(np.abs(ours.features - theirs).max()) <= TOLERANCE


class FixedLength:
    """An exported encoder presented with a fixed axis 1 (frames or patches), as other
    exporters write them; it checks that it is fed that length."""

    def __init__(self, inner: Any, length: int) -> None:
        self.inner, self.length = inner, length

    def get_inputs(self) -> list[Any]:
        return [SimpleNamespace(name=i.name, type=i.type, shape=[1, self.length, *i.shape[2:]])
                for i in self.inner.get_inputs()]

    def get_outputs(self) -> list[Any]:
        return self.inner.get_outputs()

    def run(self, names: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        assert all(value.shape[1] == self.length for value in feeds.values())
        return self.inner.run(names, feeds)


def test_a_fixed_frame_graph_gets_padded_clips_and_the_same_rows(engine: Engine) -> None:
    model = onnx_model(engine)
    real = model.media.sessions["audio"]
    assert real is not None
    fixed = replace(real, inner=FixedLength(real.inner, 3000))
    encoders = MediaEncoders(model.media.root, {"audio": fixed}, {"audio": AUDIO}, BUDGET)
    padded, direct = encoders.encode_audio(clip()), model.encode_audio(clip())
    assert padded.soft_tokens == direct.soft_tokens
    np.testing.assert_allclose(padded.features, direct.features, atol=1e-5)


def test_count_mismatch_fails_before_anything_runs(engine: Engine) -> None:
    item = onnx_model(engine).encode_image(frame())
    ids, _ = prompt_with(IMAGE, item.soft_tokens - 1)
    with pytest.raises(Gemma4RosError, match="image placeholders"):
        engine.generate(ids, GenerationOptions(media=(item,)))
    with pytest.raises(Gemma4RosError, match="0 feature rows"):
        engine.generate(prompt_with(AUDIO, 3)[0])
    with pytest.raises(Gemma4RosError, match="EncodedMedia"):
        engine.generate(ids, GenerationOptions(media=(frame(),)))


@pytest.mark.parametrize("budget", [140, 280, 1120])
def test_one_vision_graph_serves_every_budget(engine: Engine, reference: Any, budget: int) -> None:
    ours = onnx_model(engine).encode_image(frame(), budget=budget)
    pixels = preprocess_image(frame(), "rgb8", budget)
    with torch.no_grad():
        theirs = reference.model.get_image_features(
            torch.from_numpy(pixels.pixel_values), torch.from_numpy(pixels.pixel_position_ids)
        ).pooler_output[0].numpy()
    assert ours.soft_tokens == pixels.num_soft_tokens[0] == theirs.shape[0]
    assert float(np.abs(ours.features - theirs).max()) <= TOLERANCE


def test_a_vision_graph_fixed_to_one_budget_refuses_others(engine: Engine) -> None:
    real = onnx_model(engine).media.sessions["image"]
    assert real is not None
    fixed = replace(real, inner=FixedLength(real.inner, 70 * 9))
    with pytest.raises(Gemma4RosError, match="630 patches") as error:
        MediaEncoders(real.path.parent.parent, {"image": fixed}, {"image": IMAGE}, 280)
    assert "image_soft_tokens: 70" in error.value.hint
    encoders = MediaEncoders(real.path.parent.parent, {"image": fixed}, {"image": IMAGE}, 70)
    assert encoders.encode_image(frame()).soft_tokens == preprocess_image(
        frame(), "rgb8", 70).num_soft_tokens[0]
    with pytest.raises(Gemma4RosError, match="140 soft tokens per image"):
        encoders.encode_image(frame(), budget=140)


def test_missing_encoder_names_the_file_and_how_to_get_it(tmp_path: Path) -> None:
    encoders = MediaEncoders(tmp_path, {"image": None, "audio": None}, {"image": IMAGE}, 70)
    with pytest.raises(Gemma4RosError, match="onnx/vision_encoder.onnx") as error:
        encoders.encode_image(frame())
    assert "hf download" in error.value.hint and "gemma4-ros export" in error.value.hint
    with pytest.raises(Gemma4RosError, match="audio_encoder"):
        encoders.encode_audio(clip())


def test_planner_plans_from_an_image_and_a_clip(engine: Engine, tmp_path: Path) -> None:
    """End to end through the planner's media step: the fixture tokenizer's placeholders line up
    with config.json's ids, and the encoded inputs reach the prefill through GenerationOptions."""
    from gemma4_ros.planning import Planner, PlannerConfig
    from gemma4_ros.planning.config import GrammarLimits
    from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
    from gemma4_ros.testing.fixture_tokenizer import build_fixture_tokenizer
    from gemma4_ros.tools.registry import ToolRegistry

    tokenizer = Gemma4Tokenizer.from_file(build_fixture_tokenizer(tmp_path, vocab_size=512).path)
    grammar = GrammarLimits(max_text_chars=40, max_thought_chars=40, string_chars_cap=12)
    config = PlannerConfig(system_prompt="You plan robot tasks.", max_steps=3, max_tokens=200,
                           grammar=grammar)
    planner = Planner(engine, tokenizer, ToolRegistry.load(), config)
    text_only = planner.plan("go to the dock")
    plan = planner.plan("go to the dock", image=frame(), audio=clip())
    media_rows = onnx_model(engine).encode_image(frame()).soft_tokens + onnx_model(
        engine).encode_audio(clip()).soft_tokens
    assert plan.prompt_tokens >= text_only.prompt_tokens + media_rows
    assert plan.steps or plan.summary


def test_encoder_contract_is_read_from_the_graph_and_a_stranger_is_refused(
    fixture: FixtureModel,
) -> None:
    import onnxruntime as ort
    from gemma4_ros.runtime.media_encoders import encoder_contract

    path = fixture.onnx_dir / "onnx" / "vision_encoder.onnx"
    vision = encoder_contract(ort.InferenceSession(str(path)), path, "image")
    assert (vision.values_name, vision.aux_name, vision.output_name) == (
        "pixel_values", "pixel_position_ids", "image_features")
    assert vision.length is None and vision.aux_dtype is np.int64  # patches: dynamic
    path = fixture.onnx_dir / "onnx" / "audio_encoder.onnx"
    audio = encoder_contract(ort.InferenceSession(str(path)), path, "audio")
    assert audio.aux_dtype is np.bool_ and audio.length is None  # frames: dynamic
    with pytest.raises(Gemma4RosError, match="expected inputs pixel_values") as error:
        encoder_contract(ort.InferenceSession(str(path)), path, "image")
    assert "input_features_mask" in error.value.problem
