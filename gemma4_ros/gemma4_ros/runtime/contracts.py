"""What a graph expects, read from its own input/output names, shapes and types.

Exporters disagree on names: the public exports and ours use ``past_key_values.N.key`` /
``present.N.key``, others ``past.N.key``; some decoders take ``position_ids`` and some do not;
``per_layer_inputs`` is 4-D [B,S,L,P] in the public layout and 3-D [B,S,L·P] elsewhere. Reading
the contract from the graph instead of hard-coding one exporter lets all of them load, and lets a
file that fits none of them fail with a message listing what it has. A decoder that takes
``num_logits_to_keep`` (the public exports and ours) computes logits only for the positions asked
for; one without it returns every position and the runtime keeps the last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime.sessions import describe_io

PAST = re.compile(r"^(?:past_key_values|past)\.(\d+)\.(key|value)$")
PRESENT = re.compile(r"^(?:present|present_key_values)\.(\d+)\.(key|value)$")
ORT_DTYPES = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(bool)": np.bool_,
}
FLOAT16_VARIANTS = ("fp16", "q4f16")
LOGITS_TO_KEEP = "num_logits_to_keep"


@dataclass(frozen=True)
class KVSlot:
    """One cache tensor: graph input and output names, per-token shape and dtype."""

    layer: int
    kind: str  # key | value
    input_name: str
    output_name: str
    heads: int
    head_dim: int
    dtype: type


@dataclass(frozen=True)
class EmbedContract:
    ids_name: str
    embeds_name: str
    per_layer_name: str | None
    per_layer_rank: int | None


@dataclass(frozen=True)
class DecoderContract:
    embeds_name: str
    embeds_dtype: type
    per_layer_name: str | None
    per_layer_dtype: type
    per_layer_rank: int | None
    mask_name: str | None
    positions_name: str | None
    logits_name: str
    slots: tuple[KVSlot, ...]
    logits_to_keep_name: str | None = None  # scalar int64: last N positions, 0 = all

    @cached_property
    def output_names(self) -> list[str]:
        """Logits then presents, in slot order (asked of every run, so built once)."""
        return [self.logits_name, *(slot.output_name for slot in self.slots)]


def _mismatch(path: Path, session: Any, problem: str) -> Gemma4RosError:
    return Gemma4RosError(
        f"{path}: {problem}; the graph has {describe_io(session)}",
        "this is not a Gemma 4 text graph in a supported layout; re-download or re-export it "
        "(`gemma4-ros export HF_DIR OUT_DIR`)",
    )


def _dtype(path: Path, session: Any, name: str, type_name: str) -> type:
    if type_name not in ORT_DTYPES:
        raise _mismatch(path, session, f"{name} has unsupported type {type_name}")
    return ORT_DTYPES[type_name]


def embed_contract(session: Any, path: Path) -> EmbedContract:
    inputs = {i.name: i for i in session.get_inputs()}
    outputs = {o.name: o for o in session.get_outputs()}
    if "input_ids" not in inputs:
        raise _mismatch(path, session, "expected an input named input_ids")
    if inputs["input_ids"].type != "tensor(int64)":
        raise _mismatch(
            path, session, f"input_ids is {inputs['input_ids'].type}, expected tensor(int64)"
        )
    extra = sorted(set(inputs) - {"input_ids"})
    if extra:
        raise _mismatch(
            path,
            session,
            f"inputs {extra} are not fed by this runtime (features "
            "are merged outside the graph in the public layout)",
        )
    embeds = "inputs_embeds" if "inputs_embeds" in outputs else next(iter(outputs))
    per_layer = "per_layer_inputs" if "per_layer_inputs" in outputs else None
    rank = len(outputs[per_layer].shape) if per_layer else None
    return EmbedContract("input_ids", embeds, per_layer, rank)


def decoder_contract(
    session: Any, path: Path, variant: str, kv_dims: tuple[tuple[int, int], ...] = ()
) -> DecoderContract:
    """Read the decoder's contract; ``kv_dims`` (from config.json) fill symbolic KV shapes."""
    inputs = {i.name: i for i in session.get_inputs()}
    outputs = {o.name for o in session.get_outputs()}
    if "inputs_embeds" not in inputs or "logits" not in outputs:
        raise _mismatch(path, session, "expected input inputs_embeds and output logits")
    slots = _kv_slots(session, path, inputs, outputs, kv_dims)
    embeds_dtype = _dtype(path, session, "inputs_embeds", inputs["inputs_embeds"].type)
    per_layer = "per_layer_inputs" if "per_layer_inputs" in inputs else None
    per_layer_dtype = (
        _dtype(path, session, per_layer, inputs[per_layer].type) if per_layer else embeds_dtype
    )
    _check_variant_dtype(path, session, variant, slots)
    keep = _logits_to_keep(path, session, inputs)
    known = {
        "inputs_embeds",
        "per_layer_inputs",
        "attention_mask",
        "position_ids",
        LOGITS_TO_KEEP,
        *(slot.input_name for slot in slots),
    }
    unknown = sorted(set(inputs) - known)
    if unknown:
        raise _mismatch(path, session, f"inputs {unknown} are not understood")
    return DecoderContract(
        embeds_name="inputs_embeds",
        embeds_dtype=embeds_dtype,
        per_layer_name=per_layer,
        per_layer_dtype=per_layer_dtype,
        per_layer_rank=len(inputs[per_layer].shape) if per_layer else None,
        mask_name="attention_mask" if "attention_mask" in inputs else None,
        positions_name="position_ids" if "position_ids" in inputs else None,
        logits_name="logits",
        slots=tuple(slots),
        logits_to_keep_name=keep,
    )


def _logits_to_keep(path: Path, session: Any, inputs: dict[str, Any]) -> str | None:
    """The name of the scalar int64 input that limits the logits to the last positions."""
    meta = inputs.get(LOGITS_TO_KEEP)
    if meta is None:
        return None
    if meta.type != "tensor(int64)" or len(meta.shape) != 0:
        raise _mismatch(
            path, session, f"{LOGITS_TO_KEEP} should be a scalar int64, got {meta.type}{meta.shape}"
        )
    return LOGITS_TO_KEEP


def _kv_slots(
    session: Any,
    path: Path,
    inputs: dict[str, Any],
    outputs: set[str],
    kv_dims: tuple[tuple[int, int], ...],
) -> list[KVSlot]:
    presents = {(int(m[1]), m[2]): name for name in outputs if (m := PRESENT.match(name))}
    slots = []
    for name, meta in inputs.items():
        match = PAST.match(name)
        if not match:
            continue
        layer, kind = int(match[1]), match[2]
        if (layer, kind) not in presents:
            raise _mismatch(path, session, f"input {name} has no matching present.{layer}.{kind}")
        heads, head_dim = _kv_shape(path, session, name, meta.shape, kv_dims, layer)
        slots.append(
            KVSlot(
                layer,
                kind,
                name,
                presents[(layer, kind)],
                heads,
                head_dim,
                _dtype(path, session, name, meta.type),
            )
        )
    if not slots:
        raise _mismatch(path, session, "no past key/value inputs (past_key_values.N.key)")
    return sorted(slots, key=lambda s: (s.layer, s.kind))


def _kv_shape(
    path: Path,
    session: Any,
    name: str,
    shape: list[Any],
    kv_dims: tuple[tuple[int, int], ...],
    layer: int,
) -> tuple[int, int]:
    """(kv_heads, head_dim) from the graph, else from config.json if the graph leaves them open"""
    if len(shape) != 4:
        raise _mismatch(
            path, session, f"{name} should be [batch, kv_heads, past, head_dim], got {shape}"
        )
    if isinstance(shape[1], int) and isinstance(shape[3], int):
        return shape[1], shape[3]
    if layer < len(kv_dims):
        return kv_dims[layer]
    raise _mismatch(
        path,
        session,
        f"{name} has symbolic heads/head_dim {shape} and config.json "
        "does not give them (head_dim, num_key_value_heads, layer_types)",
    )


def _check_variant_dtype(path: Path, session: Any, variant: str, slots: list[KVSlot]) -> None:
    if path.name == "model.onnx":  # other exporters' layout: the name carries no variant
        return
    expected = np.float16 if variant in FLOAT16_VARIANTS else np.float32
    wrong = [slot for slot in slots if slot.dtype is not expected]
    if wrong:
        raise Gemma4RosError(
            f"{path}: {wrong[0].input_name} is {np.dtype(wrong[0].dtype).name}, but variant "
            f"{variant!r} expects {np.dtype(expected).name}; the file does not hold the "
            f"{variant} export",
            "re-download or re-export that variant, or set `variant` in models.yaml to match "
            "the file",
        )
