"""``gemma4-ros quantize``: the int4 variant loads and plans nearly as well as fp32 (the trained
demo model), multimodal encoders come along, and a result that disagrees with fp32 is refused
without leaving a file behind (untrained fixture weights do not survive 4 bits)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime.quantization")

from gemma4_ros.cli import main
from gemma4_ros.demo.heldout import evaluate_heldout
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.export.quantize import quantize_model
from gemma4_ros.paths import demo_model_dir
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.model import Gemma4OnnxModel
from gemma4_ros.runtime.model_files import AUTO_CPU, discover
from gemma4_ros.testing.fixture_models import FixtureModel

Q4_FILES = {"embed_tokens_q4.onnx", "embed_tokens_q4.onnx_data", "decoder_model_merged_q4.onnx",
            "decoder_model_merged_q4.onnx_data"}


@pytest.fixture(scope="module")
def demo_q4(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    model_dir = tmp_path_factory.mktemp("q4") / "demo"
    shutil.copytree(demo_model_dir(), model_dir)
    return model_dir, quantize_model(model_dir)


def test_demo_model_in_int4_is_written_checked_and_preferred_on_cpu(demo_q4) -> None:
    model_dir, report = demo_q4
    assert {p.name for p in report.files} == Q4_FILES
    assert report.greedy_agreement == 1.0 and report.top_k_overlap >= 0.8
    assert report.steps == 27 and "3 operator prompts in the model's chat format" in report.compared
    fp32_bytes = (model_dir / "onnx" / "decoder_model_merged.onnx_data").stat().st_size
    q4_bytes = (model_dir / "onnx" / "decoder_model_merged_q4.onnx_data").stat().st_size
    assert q4_bytes < fp32_bytes / 4
    assert discover(model_dir, "auto", AUTO_CPU).variant == "q4"
    assert not [p for p in model_dir.iterdir() if p.name.startswith(".quantize-")]
    assert _accuracy_levels(model_dir / "onnx" / "decoder_model_merged_q4.onnx") == {4}


def _accuracy_levels(graph: Path) -> set[int]:
    """accuracy_level of every MatMulNBits node (int8 activations on CPU = 4; absent = 0)."""
    import onnx
    from onnx import helper

    model = onnx.load(str(graph), load_external_data=False)
    return {next((int(helper.get_attribute_value(a)) for a in node.attribute
                  if a.name == "accuracy_level"), 0)
            for node in model.graph.node if node.op_type == "MatMulNBits"}


def test_demo_model_in_int4_still_plans(demo_q4) -> None:
    model_dir, _ = demo_q4
    result = evaluate_heldout(model_dir, limit=60).as_json()
    assert result["failed_plans"] == 0
    assert result["heldout_exact_match"] >= 0.9, result


def test_cli_reports_the_check(demo_q4, capsys: pytest.CaptureFixture[str]) -> None:
    model_dir, _ = demo_q4
    assert main(["quantize", str(model_dir), "--block-size", "16", "--accuracy-level", "0"]) == 0
    out = capsys.readouterr().out
    assert "onnx/decoder_model_merged_q4.onnx_data" in out and "accuracy level 0" in out
    assert _accuracy_levels(model_dir / "onnx" / "decoder_model_merged_q4.onnx") == {0}
    assert "the same greedy token at 100% of 27 steps" in out and "top 5 kept" in out


def test_encoders_are_quantized_too(tiny_multimodal: FixtureModel, tmp_path: Path) -> None:
    model_dir = tmp_path / "mm"
    shutil.copytree(tiny_multimodal.onnx_dir, model_dir)
    report = quantize_model(model_dir, verify=False)  # random weights: only the shapes matter
    assert {"vision_encoder_q4.onnx", "audio_encoder_q4.onnx"} <= {p.name for p in report.files}
    models = [Gemma4OnnxModel.load(RuntimeConfig(model_dir=str(model_dir), variant=variant,
                                                 providers=["cpu"])) for variant in ("fp32", "q4")]
    frame = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    clip = np.random.default_rng(1).standard_normal(8000).astype(np.float32) * 0.1
    shapes = [(m.encode_image(frame).features.shape, m.encode_audio(clip).features.shape)
              for m in models]
    assert shapes[0] == shapes[1]


def test_a_disagreeing_result_is_refused_and_nothing_is_left(tiny_fixture: FixtureModel,
                                                             tmp_path: Path) -> None:
    model_dir = tmp_path / "tiny"
    shutil.copytree(tiny_fixture.onnx_dir, model_dir)
    before = sorted(p.name for p in (model_dir / "onnx").iterdir())
    with pytest.raises(Gemma4RosError, match="pick other tokens than fp32") as error:
        quantize_model(model_dir)
    assert "--block-size" in error.value.hint
    assert sorted(p.name for p in (model_dir / "onnx").iterdir()) == before
    assert not [p for p in model_dir.iterdir() if p.name.startswith(".quantize-")]


def test_a_directory_without_fp32_graphs_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(Gemma4RosError, match="gemma4-ros export HF_DIR MODEL_DIR"):
        quantize_model(tmp_path)
    with pytest.raises(Gemma4RosError, match="block size 48"):
        quantize_model(tmp_path, block_size=48)
    with pytest.raises(Gemma4RosError, match="accuracy level 7"):
        quantize_model(tmp_path, accuracy_level=7)
