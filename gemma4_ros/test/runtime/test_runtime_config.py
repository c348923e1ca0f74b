"""models.yaml, provider choice and session options."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from gemma4_ros.errors import ConfigError, Gemma4RosError
from gemma4_ros.runtime.config import RuntimeConfig, load_runtime_config
from gemma4_ros.runtime.loader import load_engine
from gemma4_ros.runtime import sessions
from gemma4_ros.runtime.sessions import resolve_providers, session_options


def test_packaged_models_yaml_is_valid_and_documented() -> None:
    config = load_runtime_config()
    assert config.providers == ["tensorrt", "cuda", "cpu"]
    assert config.sampling.temperature == 0.0 and config.variant == "auto"
    assert config.uses_demo_model and config.model_path.is_absolute()


def test_the_model_directory_is_one_path_chosen_in_one_place(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text("model_dir: ~/models/gemma\n")
    from_file = load_runtime_config(path)
    assert from_file.model_dir == Path.home() / "models" / "gemma"  # a Path, ~ expanded once
    assert not from_file.uses_demo_model and from_file.model_path == from_file.model_dir
    chosen = from_file.with_model(tmp_path / "other")  # --model or the ROS parameter
    assert chosen.model_path == tmp_path / "other" and isinstance(chosen.model_dir, Path)
    assert from_file.with_model(None) is from_file
    path.write_text('model_dir: ""\n')
    assert load_runtime_config(path).uses_demo_model


def test_misspelt_key_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text("model_dir: /m\nsampling:\n  temprature: 0.5\n")
    with pytest.raises(ConfigError, match=r"models\.yaml: sampling\.temprature"):
        load_runtime_config(path)


def test_unknown_provider_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text("model_dir: /m\nproviders: [rocm]\n")
    with pytest.raises(ConfigError, match="providers.0"):
        load_runtime_config(path)


def test_unavailable_providers_are_skipped_with_a_reason(caplog: pytest.LogCaptureFixture,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Said once per process: a model loaded by an earlier test must not have used it up.
    monkeypatch.setattr(sessions, "_REPORTED_MISSING", set())
    config = RuntimeConfig(model_dir="/m", providers=["tensorrt", "cuda", "cpu"])
    with caplog.at_level(logging.INFO, logger="gemma4_ros.runtime.sessions"):
        chosen = resolve_providers(config)
    assert [name for name, _ in chosen] == ["CPUExecutionProvider"]
    assert "skipping tensorrt: not in this onnxruntime build" in caplog.text
    assert "onnxruntime-gpu" in caplog.text


def test_no_usable_provider_is_an_error() -> None:
    with pytest.raises(Gemma4RosError, match=r"none of the configured providers \['cuda'\]"):
        resolve_providers(RuntimeConfig(model_dir="/m", providers=["cuda"]))


def test_session_options_follow_config() -> None:
    options = session_options(RuntimeConfig(model_dir="/m", intra_op_threads=3, inter_op_threads=2))
    assert options.intra_op_num_threads == 3 and options.inter_op_num_threads == 2


def test_overrides_are_validated_before_loading(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_new_tokens"):
        load_engine(None, model_dir=str(tmp_path), max_new_tokens=0)
    with pytest.raises(Gemma4RosError, match="config.json is missing"):
        load_engine(None, model_dir=str(tmp_path), providers=["cpu"])
