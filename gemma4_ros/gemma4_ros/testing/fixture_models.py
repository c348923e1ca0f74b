"""Tiny, randomly initialised Gemma 4 text models, built offline and exported once per cache.

Real Gemma 4 weights cannot be downloaded in CI, so the runtime is proven on checkpoints built
here with ``transformers`` (fixed seed) and exported with ``gemma4-ros export``'s own code into
the public ONNX layout. They exercise what real models need: sliding and full attention with a
prompt longer than the window, KV sharing across the last layers, per-layer embeddings, logit
soft-capping, and the real special ids (pad 0, eos 1, bos 2; stop on 1, 106, 50).

Builds are cached under ``$GEMMA4_ROS_CACHE`` (default ``~/.cache/gemma4_ros/fixtures``), keyed
by the config, the seed, the toolchain versions and the exporter's source, so a changed exporter
rebuilds and an unchanged one never does. A build is written to a scratch directory and renamed
into place, so concurrent test runs never see half a model.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

SEED = 1234
STOP_IDS = [1, 106, 50]  # <eos>, <turn|>, <|tool_response> as in the real generation_config
TOOLCHAIN = ("torch", "transformers", "onnx", "onnxscript", "onnxruntime")
ALTERNATING = ["sliding_attention", "sliding_attention", "full_attention"]

#: ``tiny`` is the parity fixture (window 8, so a 20-token prompt crosses it); ``small`` (~48 M
#: parameters) makes bench numbers mean something.
FIXTURES: dict[str, dict[str, Any]] = {
    "tiny": dict(
        vocab_size=512,
        vocab_size_per_layer_input=512,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=6,
        num_attention_heads=4,
        num_key_value_heads=1,
        head_dim=16,
        global_head_dim=32,
        layer_types=ALTERNATING * 2,
        sliding_window=8,
        num_kv_shared_layers=2,
        hidden_size_per_layer_input=16,
        final_logit_softcapping=30.0,
        max_position_embeddings=2048,
        initializer_range=0.1,
    ),
    "small": dict(
        vocab_size=16384,
        vocab_size_per_layer_input=16384,
        hidden_size=512,
        intermediate_size=2048,
        num_hidden_layers=8,
        num_attention_heads=8,
        num_key_value_heads=2,
        head_dim=64,
        global_head_dim=128,
        layer_types=(["sliding_attention"] * 3 + ["full_attention"]) * 2,
        sliding_window=128,
        num_kv_shared_layers=2,
        hidden_size_per_layer_input=64,
        final_logit_softcapping=30.0,
        max_position_embeddings=4096,
        initializer_range=0.02,
    ),
}


#: Multimodal fixtures: a text fixture plus tiny vision and audio towers
#: (Gemma4ForConditionalGeneration). The audio tower's first subsampling width must stay 128.
#: Placeholder ids are the ones ``build_fixture_tokenizer`` gives ``<|image|>`` / ``<|audio|>`` /
#: ``<|video|>``, so prompts rendered with it line up.
MULTIMODAL_FIXTURES: dict[str, dict[str, Any]] = {
    "tiny_multimodal": dict(
        text="tiny",
        vision_config=dict(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=2,
            head_dim=16,
        ),
        audio_config=dict(
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            output_proj_dims=32,
            subsampling_conv_channels=[128, 32],
        ),
        image_token_id=18,
        audio_token_id=21,
        video_token_id=23,
    ),
}


class FixtureUnavailable(RuntimeError):
    """torch/transformers (the ``[export]`` extra) are not installed, so nothing can be built."""


@dataclass(frozen=True)
class FixtureModel:
    name: str
    hf_dir: Path  # transformers checkpoint (reference for parity)
    onnx_dir: Path  # public ONNX layout (what the runtime loads)


def cache_root() -> Path:
    return Path(os.environ.get("GEMMA4_ROS_CACHE", "~/.cache/gemma4_ros")).expanduser() / "fixtures"


def exporter_sources() -> list[str]:
    """The exporter's source files, in a stable order: part of every cache key of an export."""
    export_dir = Path(__file__).resolve().parent.parent / "export"
    return sorted(p.read_text(encoding="utf-8") for p in export_dir.glob("*.py"))


def fixture_key(name: str) -> str:
    """Hash of everything that changes the built files."""
    payload = json.dumps(
        {
            "config": FIXTURES.get(name) or MULTIMODAL_FIXTURES[name],
            "seed": SEED,
            "stops": STOP_IDS,
            "versions": {pkg: _version(pkg) for pkg in TOOLCHAIN},
            "exporter": exporter_sources(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def fixture_model(name: str = "tiny", root: Path | None = None) -> FixtureModel:
    """The cached fixture ``name``, building and exporting it on first use."""
    if name not in FIXTURES and name not in MULTIMODAL_FIXTURES:
        known = sorted([*FIXTURES, *MULTIMODAL_FIXTURES])
        raise KeyError(f"unknown fixture {name!r}; known: {known}")
    _require_toolchain()
    final = (root or cache_root()) / f"{name}-{fixture_key(name)}"
    model = FixtureModel(name, final / "hf", final / "onnx_model")
    if (final / "complete").is_file():
        return model
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=final.parent))
    try:
        _build(name, scratch / "hf", scratch / "onnx_model")
        (scratch / "complete").write_text("ok\n")
        try:
            scratch.rename(final)
        except OSError:  # another process finished first; its copy is identical
            if not (final / "complete").is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return model


def load_reference(model: FixtureModel) -> Any:
    """The transformers model of a fixture, in eval mode with eager attention."""
    from transformers import Gemma4ForCausalLM, Gemma4ForConditionalGeneration

    cls = Gemma4ForConditionalGeneration if model.name in MULTIMODAL_FIXTURES else Gemma4ForCausalLM
    return cls.from_pretrained(model.hf_dir, attn_implementation="eager").eval()


def _build(name: str, hf_dir: Path, onnx_dir: Path) -> None:
    import torch
    from transformers import Gemma4ForCausalLM, Gemma4TextConfig

    from gemma4_ros.export.onnx_export import export_model

    torch.manual_seed(SEED)
    if name in MULTIMODAL_FIXTURES:
        _build_multimodal(MULTIMODAL_FIXTURES[name], hf_dir, onnx_dir)
        return
    settings: dict[str, Any] = dict(FIXTURES[name], attn_implementation="eager")
    config = Gemma4TextConfig(pad_token_id=0, eos_token_id=1, bos_token_id=2, **settings)
    model = Gemma4ForCausalLM(config).eval()
    model.generation_config.eos_token_id = STOP_IDS
    model.save_pretrained(hf_dir)
    export_model(hf_dir, onnx_dir, dtype="fp32", verify=True)


def _build_multimodal(spec: dict[str, Any], hf_dir: Path, onnx_dir: Path) -> None:
    """Text graphs with the legacy exporter (seconds; matched), encoders with dynamo."""
    from transformers import Gemma4Config, Gemma4ForConditionalGeneration, Gemma4TextConfig

    from gemma4_ros.export.onnx_export import export_model

    settings = dict(spec)
    text = Gemma4TextConfig(pad_token_id=0, eos_token_id=1, bos_token_id=2,
                            **FIXTURES[settings.pop("text")])
    config = Gemma4Config(text_config=text.to_dict(), **settings)
    model = Gemma4ForConditionalGeneration(config).eval()
    model.generation_config.eos_token_id = STOP_IDS
    model.save_pretrained(hf_dir)
    export_model(hf_dir, onnx_dir, dtype="fp32", verify=True, exporter="legacy")


def _require_toolchain() -> None:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as error:
        raise FixtureUnavailable(
            f"building fixture models needs torch and transformers ({error.name} is missing); "
            "pip install 'gemma4_ros[export]'"
        ) from None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"
