"""``gemma4-ros plan``: registered, names every missing model file, prints one plan as JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from planning_fakes import RANDOM_SAFE

from gemma4_ros.cli import build_parser, main
from gemma4_ros.perception.frame import Frame, frame_to_compressed
from gemma4_ros.planning.loading import missing_model_files
from gemma4_ros.cli.plan import describe
from gemma4_ros.testing.fixture_models import FixtureUnavailable, fixture_model
from gemma4_ros.types import Plan, PlanStep, ToolCall

GRAPHS = ("onnx/embed_tokens.onnx", "onnx/decoder_model_merged.onnx")


def test_plan_is_a_registered_command() -> None:
    args = build_parser().parse_args(["plan", "go to the dock", "--json", "--max-steps", "2"])
    assert args.instruction == "go to the dock" and args.json and args.max_steps == 2


def test_an_empty_model_directory_names_every_missing_file(tmp_path, capsys) -> None:
    assert main(["plan", "go", "--model", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    for name in ("config.json", "tokenizer.json", *GRAPHS):
        assert name in error
    assert "hf download onnx-community/gemma-4-E2B-it-ONNX" in error
    assert "gemma4-ros export" in error


def test_a_missing_directory_says_so_and_what_it_must_hold(tmp_path, capsys) -> None:
    assert main(["plan", "go", "--model", str(tmp_path / "nowhere")]) == 2
    error = capsys.readouterr().err
    assert "does not exist" in error and "tokenizer.json" in error and "hf download" in error


def test_only_the_missing_files_are_listed(tmp_path) -> None:
    (tmp_path / "onnx").mkdir()
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "onnx" / "decoder_model_merged_q4.onnx").write_bytes(b"")
    missing = missing_model_files(tmp_path)
    assert missing[0] == "tokenizer.json" and len(missing) == 2 and "embed_tokens" in missing[1]


def test_a_graph_in_an_unknown_variant_counts_as_missing(tmp_path) -> None:
    """The pre-check accepts exactly the files the runtime can load: ``_int2`` is no variant."""
    (tmp_path / "onnx").mkdir()
    for name in ("config.json", "tokenizer.json"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "onnx" / "embed_tokens_int2.onnx").write_bytes(b"")
    (tmp_path / "onnx" / "decoder_model_merged_fp16.onnx").write_bytes(b"")
    missing = missing_model_files(tmp_path)
    assert len(missing) == 1 and missing[0].startswith("onnx/embed_tokens.onnx")
    assert "_q4f16" in missing[0]


def test_describe_lists_steps_confidence_and_costs() -> None:
    steps = (PlanStep(index=0, call=ToolCall(name="dock")),
             PlanStep(index=1, call=ToolCall(name="move", arguments={"distance": 1}),
                      confidence=0.4999))
    plan = Plan(steps=steps, instruction="dock", model="m", prompt_tokens=10, completion_tokens=4)
    lines = describe(plan).splitlines()
    assert lines[1] == "  1. dock {}"  # no model measured it: nothing to show
    assert lines[2] == '  2. move {"distance": 1}  (confidence 0.49)'  # rounded down
    assert "10 prompt + 4 generated tokens" in lines[-1]


def user_dir(onnx_dir: Path, tokenizer_path: Path, root: Path) -> Path:
    """An ONNX fixture as a user would have it: graphs, configs and tokenizer.json."""
    root.mkdir()
    for item in Path(onnx_dir).iterdir():
        (root / item.name).symlink_to(item)
    shutil.copy(tokenizer_path, root / "tokenizer.json")
    return root


@pytest.fixture
def model_dir(tiny_model, fixture_tokenizer, tmp_path) -> Path:
    return user_dir(tiny_model.onnx_dir, fixture_tokenizer.path, tmp_path / "model")


def configs(model_dir: Path, tmp_path: Path, **runtime: object) -> list[str]:
    """--runtime-config and --config files for a random-weight model on one CPU thread."""
    models = tmp_path / "models.yaml"
    models.write_text(yaml.safe_dump({"model_dir": str(model_dir), "providers": ["cpu"],
                                      "intra_op_threads": 1, **runtime}))
    planner = tmp_path / "planner.yaml"
    planner.write_text(yaml.safe_dump({**RANDOM_SAFE, "system_prompt": "You plan robot tasks."}))
    return ["--runtime-config", str(models), "--config", str(planner)]


def test_plan_prints_one_validated_plan_as_json(model_dir, tmp_path, capsys) -> None:
    code = main(["plan", "go to the dock", *configs(model_dir, tmp_path), "--json"])
    out = capsys.readouterr().out
    plan = Plan.model_validate_json(out)
    assert code == (0 if plan.steps else 1), out  # random weights may answer in text
    assert plan.instruction == "go to the dock" and plan.model == "model (fp32)"
    assert len(out.strip().splitlines()) == 1 and json.loads(out)["plan_id"] == plan.plan_id


def test_plan_with_an_image_on_a_model_that_can_see(fixture_tokenizer, tmp_path, capsys) -> None:
    """The image goes through the vision encoder: its soft tokens are in the prompt."""
    try:
        multimodal = fixture_model("tiny_multimodal")
    except FixtureUnavailable as error:
        pytest.skip(str(error))
    root = user_dir(multimodal.onnx_dir, fixture_tokenizer.path, tmp_path / "model")
    image = tmp_path / "scene.png"
    image.write_bytes(frame_to_compressed(Frame(np.full((40, 60, 3), 90, np.uint8), 0.0), "png"))
    argv = ["plan", "go to the dock", *configs(root, tmp_path, image_soft_tokens=70), "--json"]
    main(argv)
    blind = Plan.model_validate_json(capsys.readouterr().out)
    code = main([*argv, "--image", str(image)])
    seeing = Plan.model_validate_json(capsys.readouterr().out)
    assert code == (0 if seeing.steps else 1)
    assert seeing.prompt_tokens > blind.prompt_tokens + 30  # the image's soft tokens (62 here)
