"""Config files fail at start-up with the file, the key and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from gemma4_ros.config import StrictModel, load_config
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
