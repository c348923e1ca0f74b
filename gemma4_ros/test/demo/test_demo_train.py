"""A few training steps of a tiny config end in a checkpoint the runtime can load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from gemma4_ros.demo.train import TrainOptions, learning_rate, main


def test_schedule_warms_up_stays_flat_and_decays() -> None:
    options = TrainOptions(out="", lr=1e-3, warmup_steps=10, decay=0.1)
    assert learning_rate(options, 0, 0.0) == pytest.approx(1e-4)
    assert learning_rate(options, 50, 0.5) == pytest.approx(1e-3)
    assert learning_rate(options, 50, 0.95) == pytest.approx(5e-4)
    assert learning_rate(options, 50, 1.0) == pytest.approx(2e-5)


@pytest.mark.slow
def test_smoke_training_writes_a_loadable_checkpoint(tmp_path: Path) -> None:
    from gemma4_ros.chat.chat_template import ChatFormat
    from transformers.models.gemma4 import Gemma4ForCausalLM

    out = tmp_path / "demo"
    main(["--out", str(out), "--minutes", "1", "--max-steps", "3", "--n-train", "300",
          "--n-heldout", "8", "--hidden", "32", "--intermediate", "64", "--layers", "2",
          "--vocab-size", "300", "--evals", "0", "--batch-size", "8"])
    for name in ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                 "chat_template.jinja", "demo.json"):
        assert (out / name).is_file(), name
    meta = json.loads((out / "demo.json").read_text())
    assert meta["heldout"]["n"] == 8 and 0.0 <= meta["heldout"]["exact_match"] <= 1.0
    assert meta["steps"] == 3 and meta["wall_minutes"] >= 0.0
    model = Gemma4ForCausalLM.from_pretrained(str(out))
    assert model.config.layer_types == ["sliding_attention", "full_attention"]
    assert ChatFormat.from_model_dir(out).uses_template
