"""Model directory discovery and the errors a user sees for incomplete or wrong downloads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.model import Gemma4OnnxModel
from gemma4_ros.runtime.model_files import AUTO_CPU, AUTO_GPU, discover
from gemma4_ros.testing.fixture_models import FixtureModel

CONFIG = {
    "model_type": "gemma4",
    "text_config": {
        "vocab_size": 512,
        "num_hidden_layers": 6,
        "num_kv_shared_layers": 2,
        "eos_token_id": 1,
        "bos_token_id": 2,
        "pad_token_id": 0,
    },
}


def write_model(root: Path, variants: tuple[str, ...] = ("",), config: dict | None = None) -> Path:
    (root / "onnx").mkdir(parents=True)
    (root / "config.json").write_text(json.dumps(config or CONFIG))
    (root / "generation_config.json").write_text(json.dumps({"eos_token_id": [1, 106, 50]}))
    for suffix in variants:
        for graph in ("embed_tokens", "decoder_model_merged"):
            (root / "onnx" / f"{graph}{suffix}.onnx").write_bytes(b"placeholder")
    return root


def copy_fixture(
    fixture: FixtureModel, target: Path, suffix: str = "", sidecars: bool = True
) -> Path:
    shutil.copytree(fixture.onnx_dir, target, ignore=shutil.ignore_patterns("*.onnx*"))
    (target / "onnx").mkdir(exist_ok=True)
    for graph in ("embed_tokens", "decoder_model_merged"):
        shutil.copy(
            fixture.onnx_dir / "onnx" / f"{graph}.onnx", target / "onnx" / f"{graph}{suffix}.onnx"
        )
        if sidecars:  # the sidecar name is recorded inside the graph, so it keeps its name
            shutil.copy(fixture.onnx_dir / "onnx" / f"{graph}.onnx_data", target / "onnx")
    return target


def load(model_dir: Path, variant: str = "auto") -> Gemma4OnnxModel:
    return Gemma4OnnxModel.load(
        RuntimeConfig(model_dir=str(model_dir), variant=variant, providers=["cpu"])
    )


def test_discovers_public_layout_and_stop_ids(tmp_path: Path) -> None:
    files = discover(write_model(tmp_path / "m"), "fp32")
    assert files.embed.name == "embed_tokens.onnx" and files.decoder.parent.name == "onnx"
    assert files.vision is None and files.audio is None
    assert files.stop_token_ids == (1, 106, 50)
    assert files.info.cache_owning_layers == 4 and files.info.eos_token_id == 1


def test_auto_variant_prefers_by_hardware(tmp_path: Path) -> None:
    root = write_model(tmp_path / "m", ("", "_q4", "_fp16", "_q4f16"))
    assert discover(root, "auto", AUTO_CPU).variant == "q4"
    assert discover(root, "auto", AUTO_GPU).variant == "q4f16"
    assert discover(root, "fp16").decoder.name == "decoder_model_merged_fp16.onnx"


def test_missing_directory_says_how_to_download(tmp_path: Path) -> None:
    with pytest.raises(Gemma4RosError, match="does not exist") as error:
        discover(tmp_path / "nowhere")
    assert "hf download onnx-community/gemma-4-E2B-it-ONNX" in str(error.value)


def test_missing_config_json_is_named(tmp_path: Path) -> None:
    root = write_model(tmp_path / "m")
    (root / "config.json").unlink()
    with pytest.raises(Gemma4RosError, match=r"config\.json is missing"):
        discover(root)


def test_config_of_another_architecture_is_rejected(tmp_path: Path) -> None:
    root = write_model(tmp_path / "m", config={"model_type": "llama", "vocab_size": 10})
    with pytest.raises(Gemma4RosError, match="model_type is 'llama'"):
        discover(root)


def test_unreadable_config_is_named(tmp_path: Path) -> None:
    root = write_model(tmp_path / "m")
    (root / "config.json").write_text("{not json")
    with pytest.raises(Gemma4RosError, match="not readable JSON"):
        discover(root)


def test_missing_decoder_names_the_file_and_lists_what_is_there(tmp_path: Path) -> None:
    root = write_model(tmp_path / "m", ("_q4",))
    with pytest.raises(Gemma4RosError) as error:
        discover(root, "fp16")
    message = str(error.value)
    assert (
        "onnx/embed_tokens_fp16.onnx" in message
        and "onnx/decoder_model_merged_fp16.onnx" in message
    )
    assert "onnx/decoder_model_merged_q4.onnx" in message  # what was found
    assert '--include "onnx/*_fp16.onnx*"' in message


def test_unknown_variant_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(Gemma4RosError, match="unknown model variant 'int3'.*q4f16"):
        discover(write_model(tmp_path / "m"), "int3")


def test_corrupt_graph_names_the_file(tmp_path: Path) -> None:
    root = write_model(tmp_path / "m")
    with pytest.raises(Gemma4RosError, match=r"cannot load .*embed_tokens\.onnx.*corrupt"):
        load(root, "fp32")


def test_missing_weights_sidecar_names_the_graph(
    tiny_fixture: FixtureModel, tmp_path: Path
) -> None:
    root = copy_fixture(tiny_fixture, tmp_path / "m", sidecars=False)
    with pytest.raises(Gemma4RosError, match=r"cannot load .*embed_tokens\.onnx.*onnx_data"):
        load(root, "fp32")


def test_graph_with_the_wrong_dtype_for_its_variant(
    tiny_fixture: FixtureModel, tmp_path: Path
) -> None:
    root = copy_fixture(tiny_fixture, tmp_path / "m", suffix="_fp16")
    with pytest.raises(Gemma4RosError, match=r"is float32, but variant 'fp16' expects float16"):
        load(root, "fp16")


def test_fixture_loads_with_contract_from_the_graph(tiny_fixture: FixtureModel) -> None:
    model = load(tiny_fixture.onnx_dir)
    io = model.decoder_io
    assert model.provider == "cpu" and model.files.variant == "fp32"
    assert [s.input_name for s in io.slots[:2]] == [
        "past_key_values.0.key",
        "past_key_values.0.value",
    ]
    assert len(io.slots) == 2 * model.files.info.cache_owning_layers
    assert io.positions_name == "position_ids" and io.per_layer_rank == 4
    assert {s.head_dim for s in io.slots} == {16, 32}  # sliding and full layers differ


def test_empty_cache_follows_graph_metadata(tiny_fixture: FixtureModel) -> None:
    model = load(tiny_fixture.onnx_dir)
    cache = model.new_cache()
    past = cache.feeds()["past_key_values.2.key"]
    assert past.shape == (1, 1, 0, 32) and past.dtype.name == "float32"
    model.forward([2, 5, 7], cache)
    assert cache.length == 3 and cache.feeds()["past_key_values.2.key"].shape == (1, 1, 3, 32)
    fork = cache.copy()
    model.forward([9], fork)
    assert cache.length == 3 and fork.length == 4
    cache.reset()
    assert cache.length == 0 and cache.feeds()["past_key_values.0.key"].shape[2] == 0


def test_io_binding_path_matches_the_numpy_path(tiny_fixture: FixtureModel) -> None:
    """The code path CUDA uses (OrtValues bound in and out), exercised here with CPU memory."""
    plain, bound = load(tiny_fixture.onnx_dir), load(tiny_fixture.onnx_dir)
    bound.use_io_binding = True
    plain_cache, bound_cache = plain.new_cache(), bound.new_cache()
    assert bound_cache.ort_values and not plain_cache.ort_values
    for ids in ([2, *range(30, 50)], [7], [8]):
        expected = plain.forward(ids, plain_cache)
        np.testing.assert_allclose(bound.forward(ids, bound_cache), expected, atol=1e-6)
    assert bound_cache.length == plain_cache.length == 23
    past = bound_cache.feeds()["past_key_values.0.key"]
    assert past.shape() == [1, 1, 23, 16] and past.device_name() == "cpu"


def test_kv_sizes_from_published_style_config(tmp_path: Path) -> None:
    text = {
        **CONFIG["text_config"],
        "head_dim": 256,
        "global_head_dim": 512,
        "num_key_value_heads": 1,
        "layer_types": ["sliding_attention"] * 4 + ["full_attention"] * 2,
    }
    text["layer_types"][2] = "full_attention"
    files = discover(
        write_model(tmp_path / "m", config={"model_type": "gemma4", "text_config": text})
    )
    assert files.info.kv_dims == ((1, 256), (1, 256), (1, 512), (1, 256))


def test_bidirectional_vision_checkpoint_is_flagged(tmp_path: Path) -> None:
    """Large checkpoints may let image tokens attend both ways; E2B/E4B leave it unset."""
    text = {**CONFIG["text_config"], "use_bidirectional_attention": "vision"}
    config = {"model_type": "gemma4", "text_config": text}
    flagged = discover(write_model(tmp_path / "v", config=config))
    assert flagged.info.bidirectional_vision
    assert not discover(write_model(tmp_path / "plain")).info.bidirectional_vision


def test_causal_graph_for_a_bidirectional_vision_checkpoint_warns_on_load(
        tiny_multimodal: FixtureModel, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    target = tmp_path / "mm"
    shutil.copytree(tiny_multimodal.onnx_dir, target)
    config = json.loads((target / "config.json").read_text())
    config["text_config"]["use_bidirectional_attention"] = "vision"
    (target / "config.json").write_text(json.dumps(config))
    with caplog.at_level("WARNING", logger="gemma4_ros.runtime.model"):
        load(target)
    assert "use_bidirectional_attention: vision" in caplog.text and "causal" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="gemma4_ros.runtime.model"):
        load(tiny_multimodal.onnx_dir)
    assert "bidirectional" not in caplog.text
