"""One call from a config file to a ready :class:`Engine`: load the model, wire its stop ids."""

from __future__ import annotations

from pathlib import Path

from gemma4_ros.config import validate_config
from gemma4_ros.runtime.config import RuntimeConfig, load_runtime_config
from gemma4_ros.runtime.generation import Engine
from gemma4_ros.runtime.model import Gemma4OnnxModel
from gemma4_ros.runtime.sampler import SamplingParams


def engine_from_config(config: RuntimeConfig) -> Engine:
    """Load the model named by ``config`` and build an engine with its defaults."""
    model = Gemma4OnnxModel.load(config)
    info = model.files.info
    return Engine(
        model,
        eos_token_id=info.eos_token_id,
        stop_token_ids=model.files.stop_token_ids,
        sampling=SamplingParams.from_config(config.sampling),
        max_new_tokens=config.max_new_tokens,
        max_context_tokens=min(config.max_context_tokens, info.max_position_embeddings),
        prefix_cache_entries=config.prefix_cache_entries,
    )


def load_engine(path: str | Path | None = None, **overrides: object) -> Engine:
    """Engine from a YAML file (default: the packaged models.yaml) with keys overridden."""
    config = load_runtime_config(path)
    if overrides:
        source = f"{path or 'models.yaml'} with overrides {sorted(overrides)}"
        config = validate_config({**config.model_dump(), **overrides}, RuntimeConfig, source)
    return engine_from_config(config)
