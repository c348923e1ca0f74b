"""The executor's config file: packaged defaults load, mistakes name the key."""

import pytest

from gemma4_ros.errors import ConfigError
from gemma4_ros.execution.config import ExecutorConfig


def test_packaged_executor_config_loads():
    config = ExecutorConfig.load()
    assert config.preemption in ("reject_new", "preempt")
    assert config.max_retries >= 0


@pytest.mark.parametrize("text, key", [
    ("preemption: queue\n", "preemption"),
    ("max_retries: -1\n", "max_retries"),
    ("confirmation_timeout_s: 5\n", "confirmation_timeout_s"),  # lives in safety.yaml
])
def test_bad_executor_config_names_the_key(tmp_path, text, key):
    path = tmp_path / "executor.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=key):
        ExecutorConfig.load(path)
