"""Find the files of a Gemma 4 ONNX model directory, or say exactly which one is missing.

The layout is the one users download (onnx-community/gemma-4-E2B-it-ONNX) and the one
``gemma4-ros export`` writes: ``onnx/embed_tokens{variant}.onnx``,
``onnx/decoder_model_merged{variant}.onnx`` (+ optional ``vision_encoder`` / ``audio_encoder``),
weights in ``.onnx_data`` sidecars, ``config.json``, ``generation_config.json``, tokenizer files.
Variants are file-name suffixes; ``auto`` takes the first one present from a preference list that
depends on the execution provider. Graphs from other exporters (mobius: ``embedding/model.onnx``,
``decoder/model.onnx``) are accepted too; their contracts are discovered in :mod:`sessions`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Sequence

from gemma4_ros.errors import Gemma4RosError

log = logging.getLogger(__name__)

VARIANT_SUFFIX: dict[str, str] = {
    "fp32": "",
    "fp16": "_fp16",
    "q4": "_q4",
    "q4f16": "_q4f16",
    "quantized": "_quantized",
}
#: Preference when the variant is ``auto``: fp16 math on GPUs, int4/int8 weights on CPUs.
AUTO_GPU = ("q4f16", "fp16", "q4", "fp32", "quantized")
AUTO_CPU = ("q4", "quantized", "fp32", "q4f16", "fp16")
PUBLIC_REPO = "onnx-community/gemma-4-E2B-it-ONNX"
GEMMA_MODEL_TYPES = ("gemma4", "gemma4_text", "gemma3n", "gemma3n_text")
#: Other exporters' names for the two text graphs (mobius-onnx), tried after the public ones.
ALTERNATE_NAMES = {
    "embed_tokens": "embedding/model.onnx",
    "decoder_model_merged": "decoder/model.onnx",
}


def download_hint(model_dir: Path, pattern: str = "") -> str:
    include = f' --include "{pattern}"' if pattern else ""
    return (
        f"download the model with `hf download {PUBLIC_REPO}{include} --local-dir {model_dir}` "
        f"or write it with `gemma4-ros export HF_DIR {model_dir}`"
    )


@dataclass(frozen=True)
class ModelInfo:
    """The architecture facts the runtime needs from ``config.json`` (text part)."""

    model_type: str
    vocab_size: int
    num_hidden_layers: int
    num_kv_shared_layers: int
    max_position_embeddings: int
    eos_token_id: int
    bos_token_id: int | None
    pad_token_id: int | None
    kv_dims: tuple[tuple[int, int], ...] = ()  # (kv_heads, head_dim) per cache-owning layer
    image_token_id: int | None = None  # <|image|> placeholder (multimodal config.json only)
    audio_token_id: int | None = None  # <|audio|> placeholder
    # transformers lets image tokens attend to each other both ways when the text config says
    # use_bidirectional_attention: "vision" (E2B/E4B leave it unset); the decoder graphs are causal
    bidirectional_vision: bool = False

    @property
    def cache_owning_layers(self) -> int:
        return self.num_hidden_layers - self.num_kv_shared_layers


@dataclass(frozen=True)
class ModelFiles:
    """Resolved paths and metadata of one model directory and variant."""

    root: Path
    variant: str
    embed: Path
    decoder: Path
    vision: Path | None
    audio: Path | None
    info: ModelInfo
    stop_token_ids: tuple[int, ...]


def discover(
    root: Path, variant: str = "auto", prefer: Sequence[str] = AUTO_CPU
) -> ModelFiles:
    """The files of the model in ``root``; ``prefer`` orders the variants tried when ``variant``
    is ``auto``."""
    if not root.is_dir():
        raise Gemma4RosError(f"model directory {root} does not exist", download_hint(root))
    info, eos_ids = _read_config(root)
    stops = _read_stop_ids(root, eos_ids)
    candidates = list(prefer) if variant == "auto" else [variant]
    for name in candidates:
        if name not in VARIANT_SUFFIX:
            raise Gemma4RosError(
                f"unknown model variant {name!r}", f"use one of: auto, {', '.join(VARIANT_SUFFIX)}"
            )
        graphs = {
            g: _find_graph(root, g, name)
            for g in ("embed_tokens", "decoder_model_merged", "vision_encoder", "audio_encoder")
        }
        if graphs["embed_tokens"] and graphs["decoder_model_merged"]:
            return ModelFiles(
                root,
                name,
                graphs["embed_tokens"],
                graphs["decoder_model_merged"],
                graphs["vision_encoder"],
                graphs["audio_encoder"],
                info,
                stops,
            )
    raise _missing_graphs_error(root, candidates)


def graph_present(root: Path, graph: str) -> bool:
    """Whether ``graph`` exists in any known weights variant or under another exporter's name:
    exactly what :func:`discover` can load, so a pre-check never passes a file it then rejects."""
    return any(_find_graph(root, graph, variant) for variant in VARIANT_SUFFIX)


def _find_graph(root: Path, graph: str, variant: str) -> Path | None:
    suffix = VARIANT_SUFFIX[variant]
    for path in (root / "onnx" / f"{graph}{suffix}.onnx", root / f"{graph}{suffix}.onnx"):
        if path.is_file():
            return path
    alternate = ALTERNATE_NAMES.get(graph)
    if alternate and (root / alternate).is_file():
        return root / alternate
    return None


def _missing_graphs_error(root: Path, variants: list[str]) -> Gemma4RosError:
    present = sorted(str(p.relative_to(root)) for p in root.rglob("*.onnx"))
    wanted = variants[0] if len(variants) == 1 else "any of " + ", ".join(variants)
    expected = [
        f"onnx/{g}{VARIANT_SUFFIX[variants[0]]}.onnx"
        for g in ("embed_tokens", "decoder_model_merged")
    ]
    missing = [name for name in expected if not (root / name).is_file()]
    found = ", ".join(present) if present else "no .onnx files"
    return Gemma4RosError(
        f"{root}: missing {' and '.join(missing) or expected[1]} (variant {wanted}); found {found}",
        download_hint(root, f"onnx/*{VARIANT_SUFFIX[variants[0]]}.onnx*")
        + "; or set `variant` in models.yaml to one that is present",
    )


def _read_json(path: Path, root: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Gemma4RosError(
            f"{path} is missing; {root} is not a complete Gemma 4 ONNX model",
            download_hint(root, path.name),
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Gemma4RosError(
            f"{path} is not readable JSON ({error})", download_hint(root, path.name)
        ) from None
    if not isinstance(data, dict):
        raise Gemma4RosError(f"{path} must hold a JSON object", download_hint(root, path.name))
    return data


def _read_config(root: Path) -> tuple[ModelInfo, tuple[int, ...]]:
    path = root / "config.json"
    config = _read_json(path, root)
    text = config.get("text_config") or config
    model_type = str(config.get("model_type", ""))
    if model_type not in GEMMA_MODEL_TYPES:
        raise Gemma4RosError(
            f"{path}: model_type is {model_type!r}, expected one of {', '.join(GEMMA_MODEL_TYPES)}",
            download_hint(root),
        )
    try:
        eos = text.get("eos_token_id", config.get("eos_token_id", 1))
        eos_ids = tuple(int(i) for i in (eos if isinstance(eos, list) else [eos]))
        info = ModelInfo(
            model_type=model_type,
            vocab_size=int(text["vocab_size"]),
            num_hidden_layers=int(text["num_hidden_layers"]),
            num_kv_shared_layers=int(text.get("num_kv_shared_layers", 0)),
            max_position_embeddings=int(text.get("max_position_embeddings", 131072)),
            eos_token_id=eos_ids[0],
            bos_token_id=_optional_int(text.get("bos_token_id")),
            pad_token_id=_optional_int(text.get("pad_token_id")),
            kv_dims=_kv_dims(text),
            image_token_id=_optional_int(config.get("image_token_id")),
            audio_token_id=_optional_int(config.get("audio_token_id")),
            bidirectional_vision=text.get("use_bidirectional_attention") == "vision",
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise Gemma4RosError(
            f"{path}: text config lacks or mistypes {error}", download_hint(root, "config.json")
        ) from None
    return info, eos_ids


def _read_stop_ids(root: Path, eos_ids: tuple[int, ...]) -> tuple[int, ...]:
    path = root / "generation_config.json"
    if not path.is_file():
        log.warning("%s is missing; stopping only on eos %s", path, list(eos_ids))
        return eos_ids
    eos = _read_json(path, root).get("eos_token_id", list(eos_ids))
    ids = eos if isinstance(eos, list) else [eos]
    try:
        return tuple(dict.fromkeys(int(i) for i in [*ids, *eos_ids]))
    except (TypeError, ValueError):
        raise Gemma4RosError(
            f"{path}: eos_token_id must be an id or a list of ids, got {eos!r}",
            download_hint(root, path.name),
        ) from None


def _kv_dims(text: dict[str, Any]) -> tuple[tuple[int, int], ...]:
    """Per-layer KV sizes from the config, for graphs whose past shapes are symbolic.

    transformers 5.24 writes overrides in ``per_layer_config``; older configs (and the published
    checkpoints) use ``global_head_dim`` / ``num_global_key_value_heads`` for full-attention layers.
    """
    types = text.get("layer_types") or []
    if "head_dim" not in text or "num_key_value_heads" not in text or not types:
        return ()
    overrides = text.get("per_layer_config") or {}
    owning = int(text["num_hidden_layers"]) - int(text.get("num_kv_shared_layers", 0))
    dims = []
    for layer in range(min(owning, len(types))):
        full = types[layer] == "full_attention"
        own = overrides.get(str(layer), {})
        heads = (
            own.get("num_key_value_heads")
            or (full and text.get("num_global_key_value_heads"))
            or text["num_key_value_heads"]
        )
        head_dim = own.get("head_dim") or (full and text.get("global_head_dim")) or text["head_dim"]
        dims.append((int(heads), int(head_dim)))
    return tuple(dims)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
