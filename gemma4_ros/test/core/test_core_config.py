"""Config files fail at start-up with the file, the key and what is wrong."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from pydantic import Field, StrictBool

from gemma4_ros.config import StrictModel, load_config, read_yaml, validate_config
from gemma4_ros.errors import ConfigError
from gemma4_ros.paths import default_config, share_dir


class Limits(StrictModel):
    max_speed: float = Field(default=0.5, gt=0)


class Example(StrictModel):
    name: str = "robot"
    limits: Limits = Limits()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads(tmp_path: Path) -> None:
    config = load_config(Example, write(tmp_path, "limits:\n  max_speed: 0.3\n"), "x.yaml")
    assert config.limits.max_speed == 0.3
    assert config.name == "robot"


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(Example, write(tmp_path, ""), "x.yaml") == Example()


def test_bad_value_names_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "limits:\n  max_speed: -1\n")
    with pytest.raises(ConfigError) as caught:
        load_config(Example, path, "x.yaml")
    message = str(caught.value)
    assert str(path) in message and "limits.max_speed" in message and "greater than 0" in message


def test_misspelt_key_lists_allowed_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(Example, write(tmp_path, "nmae: x\n"), "x.yaml")
    assert "nmae" in str(caught.value) and "limits, name" in str(caught.value)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(Example, write(tmp_path, "limits: [1,\n"), "x.yaml")
    assert "not valid YAML" in str(caught.value) and "line" in str(caught.value)


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(Example, write(tmp_path, "- 1\n- 2\n"), "x.yaml")


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(Example, tmp_path / "absent.yaml", "x.yaml")


def test_packaged_defaults_are_found() -> None:
    assert (share_dir() / "config").is_dir()
    assert default_config("tools.yaml").parent == share_dir() / "config"


@pytest.mark.parametrize("text, key, lines", [
    ("name: a\nname: b\n", "name", "lines 1 and 2"),
    ("limits:\n  max_speed: 0.3\n  max_speed: 0.9\n", "limits.max_speed", "lines 2 and 3"),
    ("name: a\nlimits:\n  max_speed: 1\nlimits: {}\n", "limits", "lines 2 and 4"),
    ("name: [{a: 1, a: 2}]\n", "name.0.a", "lines 1 and 1"),
])
def test_key_written_twice_is_an_error(tmp_path: Path, text: str, key: str, lines: str) -> None:
    # YAML keeps the last value silently: the setting someone reads is not the one that applies.
    with pytest.raises(ConfigError) as caught:
        load_config(Example, write(tmp_path, text), "x.yaml")
    assert caught.value.key == key and "appears twice" in str(caught.value)
    assert lines in str(caught.value) and "keep one of the two" in str(caught.value)


def test_same_key_in_different_mappings_and_merge_overrides_load(tmp_path: Path) -> None:
    text = "base: &base {max_speed: 0.2}\nlimits:\n  <<: *base\n  max_speed: 0.4\n"
    data = read_yaml(write(tmp_path, text))
    assert data["limits"] == {"max_speed": 0.4} and data["base"] == {"max_speed": 0.2}
    assert read_yaml(write(tmp_path, "1: a\n'1': b\n")) == {1: "a", "1": "b"}  # int and str keys


def test_recursive_alias_loads_without_looping(tmp_path: Path) -> None:
    data = read_yaml(write(tmp_path, "a: &r [*r]\n"))
    assert data["a"][0] is data["a"]


@pytest.mark.parametrize("loader, name", [
    ("gemma4_ros.safety.config:SafetyConfig.load", "safety.yaml"),
    ("gemma4_ros.tools.registry:ToolRegistry.load", "tools.yaml"),
    ("gemma4_ros.tools.registry:ToolRegistry.load", "tools_nav2.yaml"),
    ("gemma4_ros.runtime.config:load_runtime_config", "models.yaml"),
    ("gemma4_ros.planning.config:load_planner_config", "planner.yaml"),
    ("gemma4_ros.perception.config:PerceptionConfig.load", "perception.yaml"),
    ("gemma4_ros.execution.config:ExecutorConfig.load", "executor.yaml"),
    ("gemma4_ros.execution.sim_config:SimConfig.load", "sim.yaml"),
])
def test_every_packaged_file_loads_and_refuses_a_repeated_key(tmp_path: Path, loader: str,
                                                              name: str) -> None:
    module, _, attribute = loader.partition(":")
    load = importlib.import_module(module)
    for part in attribute.split("."):
        load = getattr(load, part)
    text = default_config(name).read_text(encoding="utf-8")
    load(default_config(name))  # the packaged file itself is valid
    first = next(line for line in text.splitlines() if line and line[0].isalpha())
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, text + first + "\n"))
    assert caught.value.key == first.split(":")[0] and "appears twice" in str(caught.value)


def test_file_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_config(Example, path, "x.yaml")
    assert str(path) in str(caught.value) and "not UTF-8" in str(caught.value)
    assert "0xe9" in str(caught.value) and "save the file as UTF-8" in str(caught.value)


def test_nesting_too_deep_to_read_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nested too deeply to read"):
        load_config(Example, write(tmp_path, "name: " + "[" * 5000 + "]" * 5000 + "\n"), "x.yaml")


def test_hint_gives_the_limit_a_number_must_respect(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(Example, write(tmp_path, "limits:\n  max_speed: -1\n"), "x.yaml")
    assert caught.value.hint == "set a number greater than 0"


class Flags(StrictModel):
    enabled: StrictBool = True


@pytest.mark.parametrize("value", ['"yes"', '"true"', "1", '"on"'])
def test_quoted_or_numeric_boolean_is_an_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(Flags, write(tmp_path, f"enabled: {value}\n"), "x.yaml")
    assert caught.value.key == "enabled" and "valid boolean" in str(caught.value)
    assert caught.value.hint == "write true or false, without quotes"


@pytest.mark.parametrize("model, key", [
    ("gemma4_ros.runtime.config:TensorRTConfig", "fp16"),
    ("gemma4_ros.runtime.config:RuntimeConfig", "io_binding"),
    ("gemma4_ros.planning.config:PlannerConfig", "constrained"),
    ("gemma4_ros.planning.config:PlannerConfig", "thinking"),
    ("gemma4_ros.safety.config:ModeConfig", "motion"),
])
def test_packaged_config_booleans_are_strict(model: str, key: str) -> None:
    module, _, name = model.partition(":")
    with pytest.raises(ConfigError, match="valid boolean"):
        validate_config({key: "yes"}, getattr(importlib.import_module(module), name), "x.yaml")
