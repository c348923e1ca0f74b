"""perception.yaml: the packaged defaults load, and bad values name the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gemma4_ros.errors import ConfigError
from gemma4_ros.perception.config import PerceptionConfig, VadConfig
from gemma4_ros.paths import default_config


def test_packaged_file_equals_the_model_defaults() -> None:
    assert PerceptionConfig.load() == PerceptionConfig()


def test_every_key_in_the_packaged_file_is_commented() -> None:
    lines = default_config("perception.yaml").read_text(encoding="utf-8").splitlines()
    leaves = [n for n, line in enumerate(lines) if re.match(r"^\s+\w+: \S", line)]
    assert len(leaves) == 9  # every field of PerceptionConfig
    for number in leaves:
        assert lines[number - 1].lstrip().startswith("#"), f"{lines[number]!r} has no comment"


@pytest.mark.parametrize("text, key", [
    ("vad:\n  max_utterance_s: 31\n", "vad.max_utterance_s"),
    ("vad:\n  backend: whisper\n", "vad.backend"),
    ("vad:\n  aggressivness: 1\n", "vad.aggressivness"),
    ("vad:\n  min_speech_s: 1.0\n  padding_s: 1.0\n  max_utterance_s: 3.0\n", "vad"),
    ("camera:\n  max_frame_age_s: 0\n", "camera.max_frame_age_s"),
])
def test_bad_values_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "perception.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        PerceptionConfig.load(path)
    assert caught.value.key == key


def test_max_utterance_may_be_shorter_than_30_s() -> None:
    assert VadConfig(max_utterance_s=5.0).max_utterance_s == 5.0
