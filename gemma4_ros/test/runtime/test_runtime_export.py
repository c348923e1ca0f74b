"""``gemma4-ros export``: arguments, input errors, and the layout it writes."""

from __future__ import annotations

import argparse
from pathlib import Path

import onnxruntime as ort
import pytest

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.cli.export import add_parser
from gemma4_ros.export.onnx_export import export_model
from gemma4_ros.export.verify import TOLERANCE, _judge
from gemma4_ros.testing.fixture_models import FIXTURES, MULTIMODAL_FIXTURES, FixtureModel


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_arguments() -> None:
    args = parse(["export", "hf", "out", "--dtype", "fp16"])
    assert (args.hf_dir, args.out_dir, args.dtype, args.no_verify) == ("hf", "out", "fp16", False)
    assert args.exporter == "auto"
    with pytest.raises(SystemExit):
        parse(["export", "hf", "out", "--dtype", "int3"])


def test_missing_checkpoint_directory(tmp_path: Path) -> None:
    args = parse(["export", str(tmp_path / "none"), str(tmp_path / "out")])
    with pytest.raises(Gemma4RosError, match="does not exist"):
        args.handler(args)
    assert not (tmp_path / "out").exists()


def test_directory_without_config_is_not_a_checkpoint(tmp_path: Path) -> None:
    (tmp_path / "hf").mkdir()
    with pytest.raises(Gemma4RosError, match=r"config\.json is missing"):
        export_model(tmp_path / "hf", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_writes_the_public_layout(tiny_fixture: FixtureModel) -> None:
    root = tiny_fixture.onnx_dir
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert names == [
        "config.json",
        "generation_config.json",
        "onnx/decoder_model_merged.onnx",
        "onnx/decoder_model_merged.onnx_data",
        "onnx/embed_tokens.onnx",
        "onnx/embed_tokens.onnx_data",
    ]


def test_embed_graph_contract(tiny_fixture: FixtureModel) -> None:
    session = ort.InferenceSession(
        str(tiny_fixture.onnx_dir / "onnx" / "embed_tokens.onnx"),
        providers=["CPUExecutionProvider"],
    )
    config = FIXTURES["tiny"]
    outputs = {o.name: o.shape for o in session.get_outputs()}
    assert [i.name for i in session.get_inputs()] == ["input_ids"]
    assert outputs["inputs_embeds"][2] == config["hidden_size"]
    assert outputs["per_layer_inputs"][2:] == [
        config["num_hidden_layers"],
        config["hidden_size_per_layer_input"],
    ]


def test_decoder_graph_contract(tiny_fixture: FixtureModel) -> None:
    session = ort.InferenceSession(
        str(tiny_fixture.onnx_dir / "onnx" / "decoder_model_merged.onnx"),
        providers=["CPUExecutionProvider"],
    )
    config = FIXTURES["tiny"]
    owning = config["num_hidden_layers"] - config["num_kv_shared_layers"]
    inputs = [i.name for i in session.get_inputs()]
    assert inputs[:5] == [
        "inputs_embeds", "per_layer_inputs", "attention_mask", "position_ids", "num_logits_to_keep"
    ]
    assert inputs[5:] == [
        f"past_key_values.{i}.{kv}" for i in range(owning) for kv in ("key", "value")
    ]
    assert session.get_inputs()[4].shape == [] and session.get_inputs()[4].type == "tensor(int64)"
    assert [o.name for o in session.get_outputs()] == ["logits"] + [
        f"present.{i}.{kv}" for i in range(owning) for kv in ("key", "value")
    ]


@pytest.mark.parametrize(("keep", "rows"), [(1, 1), (3, 3), (0, 5), (9, 5)])
def test_decoder_projects_only_the_positions_asked_for(
    tiny_fixture: FixtureModel, keep: int, rows: int
) -> None:
    """num_logits_to_keep: the last N positions, 0 (or more than the prompt) all of them, and
    those rows equal the ones an all-positions run gives."""
    import numpy as np

    session = ort.InferenceSession(
        str(tiny_fixture.onnx_dir / "onnx" / "decoder_model_merged.onnx"),
        providers=["CPUExecutionProvider"],
    )
    config = FIXTURES["tiny"]
    rng = np.random.default_rng(0)
    feeds = {
        "inputs_embeds": rng.standard_normal((1, 5, config["hidden_size"]), dtype=np.float32),
        "per_layer_inputs": rng.standard_normal(
            (1, 5, config["num_hidden_layers"], config["hidden_size_per_layer_input"]),
            dtype=np.float32,
        ),
        "attention_mask": np.ones((1, 5), dtype=np.int64),
        "position_ids": np.arange(5, dtype=np.int64)[None],
    }
    for meta in session.get_inputs()[5:]:
        heads, head_dim = meta.shape[1], meta.shape[3]
        feeds[meta.name] = np.zeros((1, heads, 0, head_dim), dtype=np.float32)
    every = session.run(["logits"], {**feeds, "num_logits_to_keep": np.array(0)})[0]
    kept = session.run(["logits"], {**feeds, "num_logits_to_keep": np.array(keep)})[0]
    assert kept.shape == (1, rows, config["vocab_size"])
    np.testing.assert_allclose(kept[0], every[0, 5 - rows :], rtol=0, atol=1e-5)


def test_cli_reports_errors_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gemma4_ros.cli import main

    assert main(["export", str(tmp_path / "none"), str(tmp_path / "out")]) == 2
    assert "gemma4-ros export: error: checkpoint directory" in capsys.readouterr().err


def test_legacy_exporter_writes_the_same_contract_and_matches(
    tiny_fixture: FixtureModel, tmp_path: Path
) -> None:
    report = export_model(tiny_fixture.hf_dir, tmp_path / "legacy", exporter="legacy")
    assert report.exporter == "legacy"
    assert report.max_abs_diff is not None and report.max_abs_diff < 1e-4
    ours = ort.InferenceSession(
        str(tmp_path / "legacy" / "onnx" / "decoder_model_merged.onnx"),
        providers=["CPUExecutionProvider"],
    )
    reference = ort.InferenceSession(
        str(tiny_fixture.onnx_dir / "onnx" / "decoder_model_merged.onnx"),
        providers=["CPUExecutionProvider"],
    )
    assert [i.name for i in ours.get_inputs()] == [i.name for i in reference.get_inputs()]
    assert [o.name for o in ours.get_outputs()] == [o.name for o in reference.get_outputs()]


@pytest.mark.slow
def test_fp16_export_loads_as_the_fp16_variant(tiny_fixture: FixtureModel, tmp_path: Path) -> None:
    import numpy as np
    import torch

    from gemma4_ros.runtime.config import RuntimeConfig
    from gemma4_ros.runtime.model import Gemma4OnnxModel
    from gemma4_ros.testing.fixture_models import load_reference

    report = export_model(tiny_fixture.hf_dir, tmp_path / "fp16", dtype="fp16")
    assert report.max_abs_diff is not None and report.max_abs_diff < 5e-2
    model = Gemma4OnnxModel.load(RuntimeConfig(model_dir=str(tmp_path / "fp16"), providers=["cpu"]))
    assert (
        model.files.variant == "fp16"
        and model.files.decoder.name == "decoder_model_merged_fp16.onnx"
    )
    cache = model.new_cache()
    assert cache.feeds()["past_key_values.0.key"].dtype == np.float16
    ids = [2, *range(100, 124)]
    with torch.no_grad():
        expected = load_reference(tiny_fixture)(torch.tensor([ids])).logits[0, -1].numpy()
    assert float(np.abs(model.forward(ids, cache) - expected).max()) < 0.1


def test_multimodal_checkpoint_exports_its_text_graphs(tmp_path: Path) -> None:
    """Gemma4ForConditionalGeneration: text graphs from its language model; placeholders → pad."""
    import numpy as np

    torch = pytest.importorskip("torch", reason="the export toolchain: pip install "
                                "'./gemma4_ros[export]'")
    transformers = pytest.importorskip("transformers")
    Gemma4Config = transformers.Gemma4Config
    Gemma4ForConditionalGeneration = transformers.Gemma4ForConditionalGeneration
    Gemma4TextConfig = transformers.Gemma4TextConfig

    torch.manual_seed(0)
    text = Gemma4TextConfig(pad_token_id=0, eos_token_id=1, bos_token_id=2, **FIXTURES["tiny"])
    config = Gemma4Config(
        text_config=text.to_dict(),
        vision_config=MULTIMODAL_FIXTURES["tiny_multimodal"]["vision_config"],
        audio_config=MULTIMODAL_FIXTURES["tiny_multimodal"]["audio_config"],
        image_token_id=500,
        audio_token_id=501,
        video_token_id=502,
    )
    Gemma4ForConditionalGeneration(config).save_pretrained(tmp_path / "hf")
    report = export_model(tmp_path / "hf", tmp_path / "out", exporter="legacy")
    assert report.max_abs_diff is not None and report.max_abs_diff < 1e-4
    embed = ort.InferenceSession(
        str(tmp_path / "out" / "onnx" / "embed_tokens.onnx"), providers=["CPUExecutionProvider"]
    )
    placeholders, pads = (
        embed.run(None, {"input_ids": np.array([ids])}) for ids in ([500, 501, 502], [0, 0, 0])
    )
    for got, expected in zip(placeholders, pads, strict=True):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(("suffix", "scale", "allowed"), [
    ("", 0.1, 1e-3),  # a tiny model's small logits: the absolute floor
    ("", 30.0, 3e-3),  # Gemma 4's soft cap: a relative bound
    ("_fp16", 1.0, 5e-2),
    ("_fp16", 100.0, 0.2),
])
def test_the_tolerance_scales_with_the_values_compared(suffix: str, scale: float,
                                                       allowed: float) -> None:
    assert TOLERANCE[suffix].allowed(scale) == pytest.approx(allowed)


def test_a_check_says_what_it_compared_and_refuses_beyond_the_bound() -> None:
    check = _judge("logits", "last-position logits after a 12-token prompt", 2e-3, 30.0, "")
    assert check.allowed == pytest.approx(3e-3)
    assert str(check) == ("logits: max |difference| 2.00e-03, allowed 3.0e-03 (values up to "
                          "30); last-position logits after a 12-token prompt")
    with pytest.raises(Gemma4RosError, match=r"logits: max \|difference\| 1.41e-03, allowed "
                                             r"1.0e-03 \(values up to 2\)"):
        _judge("logits", "x", 1.41e-3, 2.0, "")
    with pytest.raises(Gemma4RosError):
        _judge("logits", "x", float("nan"), 2.0, "")
