"""Images and audio into the prompt: run the encoder graphs, then overwrite placeholder rows.

The public layout merges features **outside** the graphs: ``embed_tokens`` embeds every
``<|image|>`` / ``<|audio|>`` placeholder as pad, the encoders return one row per soft token, and
those rows replace the placeholder rows of ``inputs_embeds`` in prompt order (what
``Gemma4Model.forward`` does with ``masked_scatter``) before the decoder runs. Encoders run once,
at prefill. Placeholder ids come from ``config.json`` (``image_token_id`` / ``audio_token_id``).

Graph contracts are read from the files: the vision graph's patch axis is fixed to one soft-token
budget in our exports (``budget × 9`` patches) and may be dynamic in others; the audio graph's
frame axis is dynamic in ours, and where another exporter fixed it, shorter clips are padded to it
with the mask False (the valid rows stay the same).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.media.audio_features import SAMPLE_RATE, extract_audio_features
from gemma4_ros.runtime.contracts import ORT_DTYPES
from gemma4_ros.media.image_preprocessing import POOLING, ImageEncoding, preprocess_image
from gemma4_ros.runtime.model_files import download_hint
from gemma4_ros.runtime.sessions import Session, describe_io

MediaKind = Literal["image", "audio"]
GRAPHS: dict[str, str] = {"image": "vision_encoder", "audio": "audio_encoder"}
INPUTS: dict[str, tuple[str, str]] = {
    "image": ("pixel_values", "pixel_position_ids"),
    "audio": ("input_features", "input_features_mask"),
}


@dataclass(frozen=True)
class EncodedMedia:
    """One image or clip, encoded: ``features`` [soft_tokens, hidden] go to its placeholders."""

    kind: MediaKind
    features: np.ndarray
    soft_tokens: int


@dataclass(frozen=True)
class EncoderContract:
    """Names, dtypes and the fixed length (patches or frames; None = dynamic) of one encoder."""

    values_name: str
    values_dtype: type
    aux_name: str
    aux_dtype: type
    output_name: str
    length: int | None


def encoder_contract(session: Any, path: Path, kind: MediaKind) -> EncoderContract:
    """Read an encoder's contract; a graph with other inputs fails naming what it has."""
    inputs = {i.name: i for i in session.get_inputs()}
    outputs = [o.name for o in session.get_outputs()]
    values, aux = INPUTS[kind]
    if set(inputs) != {values, aux} or not outputs:
        raise Gemma4RosError(
            f"{path}: expected inputs {values} and {aux}; the graph has {describe_io(session)}",
            f"this is not a Gemma 4 {GRAPHS[kind]} in the public layout; re-download or "
            "re-export it (`gemma4-ros export HF_DIR OUT_DIR`)",
        )
    dtypes = []
    for name in (values, aux):
        if inputs[name].type not in ORT_DTYPES:
            raise Gemma4RosError(f"{path}: {name} has unsupported type {inputs[name].type}",
                                 "re-export the model with `gemma4-ros export`")
        dtypes.append(ORT_DTYPES[inputs[name].type])
    length = inputs[values].shape[1]
    wanted = f"{kind}_features"
    output = wanted if wanted in outputs else outputs[0]
    return EncoderContract(values, dtypes[0], aux, dtypes[1], output,
                           length if isinstance(length, int) else None)


class MediaEncoders:
    """The encoder sessions a model directory has (either may be absent) and the merge step."""

    def __init__(
        self,
        root: Path,
        sessions: Mapping[str, Session | None],
        placeholder_ids: Mapping[str, int],
        image_soft_tokens: int,
    ) -> None:
        self.root = root
        self.sessions = dict(sessions)
        self.contracts = {
            kind: encoder_contract(session.inner, session.path, kind)  # type: ignore[arg-type]
            for kind, session in self.sessions.items() if session is not None
        }
        self.placeholder_ids = dict(placeholder_ids)
        self.image_soft_tokens = image_soft_tokens
        self._check_image_budget(image_soft_tokens)

    def encode_image(
        self, frame: np.ndarray, encoding: ImageEncoding = "rgb8", budget: int | None = None
    ) -> EncodedMedia:
        """An H×W×C uint8 frame → one feature row per ``<|image|>`` placeholder it needs;
        ``budget`` overrides the configured soft-token budget for this image."""
        session, io = self._require("image")
        budget = self.image_soft_tokens if budget is None else budget
        self._check_image_budget(budget)
        inputs = preprocess_image(frame, encoding, budget)
        rows = self._run(session, io, inputs.pixel_values, inputs.pixel_position_ids)
        return _encoded("image", rows, inputs.num_soft_tokens[0], session.path)

    def encode_audio(self, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> EncodedMedia:
        """PCM (any rate, ≤ 30 s) → one feature row per ``<|audio|>`` placeholder it needs."""
        session, io = self._require("audio")
        clip = extract_audio_features(samples, sample_rate)
        features, mask = clip.input_features, clip.input_features_mask
        if io.length is not None:
            if features.shape[1] > io.length:
                raise Gemma4RosError(
                    f"the clip has {features.shape[1]} feature frames; {session.path.name} "
                    f"takes at most {io.length}", "send a shorter utterance")
            features, mask = pad_frames(features, mask, io.length)
        rows = self._run(session, io, features, mask)
        return _encoded("audio", rows, clip.num_soft_tokens, session.path)

    def merge(self, token_ids: np.ndarray, inputs_embeds: np.ndarray,
              media: Sequence[EncodedMedia]) -> None:
        """Overwrite the placeholder rows of ``inputs_embeds`` [1, S, H] in place, per kind in
        prompt order; the counts must already agree (:meth:`check`)."""
        self.check(token_ids, media)
        ids = np.asarray(token_ids).reshape(-1)
        for kind, placeholder in self.placeholder_ids.items():
            items = [item.features for item in media if item.kind == kind]
            if items:
                rows = np.concatenate(items).astype(inputs_embeds.dtype, copy=False)
                inputs_embeds[0, ids == placeholder] = rows

    def check(self, token_ids: Sequence[int] | np.ndarray, media: Sequence[Any]) -> None:
        """Placeholders and feature rows must agree per kind, before anything runs."""
        ids = np.asarray(token_ids).reshape(-1)
        for item in media:
            if not isinstance(item, EncodedMedia):
                raise Gemma4RosError(
                    f"media items must be EncodedMedia, got {type(item).__name__}",
                    "encode images and audio with model.encode_image / model.encode_audio")
            if item.kind not in self.placeholder_ids:
                raise Gemma4RosError(
                    f"{self.root / 'config.json'} has no {item.kind}_token_id, so the prompt "
                    f"cannot hold {item.kind} placeholders", download_hint(self.root))
        for kind, placeholder in self.placeholder_ids.items():
            slots = int(np.count_nonzero(ids == placeholder))
            rows = sum(item.soft_tokens for item in media if item.kind == kind)
            if slots != rows:
                raise Gemma4RosError(
                    f"the prompt has {slots} {kind} placeholders (id {placeholder}) but the "
                    f"given {kind} inputs have {rows} feature rows",
                    f"expand each {kind} to as many placeholders as its soft_tokens "
                    "(chat_format.expand_media) and pass the encoded inputs in "
                    "GenerationOptions.media")

    def _require(self, kind: MediaKind) -> tuple[Session, EncoderContract]:
        session = self.sessions.get(kind)
        if session is None:
            graph = GRAPHS[kind]
            raise Gemma4RosError(
                f"{kind} input needs onnx/{graph}.onnx; {self.root} has no {graph} graph",
                download_hint(self.root, f"onnx/{graph}*") + f", or send no {kind}")
        return session, self.contracts[kind]

    def _run(self, session: Session, io: EncoderContract, values: np.ndarray,
             aux: np.ndarray) -> np.ndarray:
        feeds: dict[str, np.ndarray] = {io.values_name: values.astype(io.values_dtype, copy=False),
                 io.aux_name: aux.astype(io.aux_dtype, copy=False)}
        return np.asarray(session.inner.run([io.output_name], feeds)[0])

    def _check_image_budget(self, budget: int) -> None:
        """A graph fixed to one patch count (other exporters) serves that budget only."""
        io = self.contracts.get("image")
        if io is None or io.length is None:
            return
        if io.length != budget * POOLING**2:
            path = self.sessions["image"].path  # type: ignore[union-attr]
            served = io.length // POOLING**2
            raise Gemma4RosError(
                f"{path} takes {io.length} patches ({served} soft tokens) but {budget} soft "
                "tokens per image were asked for",
                f"set image_soft_tokens: {served} in models.yaml, or re-export the model with "
                "`gemma4-ros export HF_DIR OUT_DIR` (its vision graph serves every budget)")


def pad_frames(features: np.ndarray, mask: np.ndarray, frames: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Zero-pad [1, T, 128] features and their [1, T] mask to ``frames`` (mask False there)."""
    padded = np.zeros((1, frames, features.shape[2]), dtype=features.dtype)
    padded[:, : features.shape[1]] = features
    valid = np.zeros((1, frames), dtype=bool)
    valid[:, : mask.shape[1]] = mask
    return padded, valid


def _encoded(kind: MediaKind, rows: np.ndarray, count: int, path: Path) -> EncodedMedia:
    """Rows of one input: stripped [count, H] as ours, or padded [1, L ≥ count, H] elsewhere."""
    if rows.ndim == 3:
        rows = rows[0, :count]
    if rows.ndim != 2 or rows.shape[0] != count:
        raise Gemma4RosError(
            f"{path.name} returned {kind} features of shape {list(rows.shape)}; the "
            f"preprocessing expects {count} rows", "re-export the model with `gemma4-ros export`")
    return EncodedMedia(kind, np.ascontiguousarray(rows, dtype=np.float32), count)
