"""The media step of a request: ask the runtime's encoders how many soft tokens each input takes.

Gemma 4 reads an image or an audio clip as a run of soft tokens at its placeholder in the user
turn; the prompt needs their count before it can be tokenized, and the decoder needs the
encoder's features at those positions. This module is the one place the planner talks to the
encoders:

* the model object offers ``encode_image(image)`` / ``encode_audio(audio)`` returning an object
  with ``soft_tokens`` (int) and ``features``;
* the engine's :class:`GenerationOptions` takes ``media`` (the encoded inputs, in prompt order)
  and merges their features at the placeholder rows during prefill.

A model directory without the encoder graph fails here with an error that names the missing file
and how to get it — never a plan made as if the image had not been given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from gemma4_ros.planning.errors import MediaUnavailableError
from gemma4_ros.planning.prompt import Media
from gemma4_ros.runtime.generation import Engine
from gemma4_ros.runtime.model_files import download_hint

_KINDS = {"image": ("vision", "vision_encoder", "encode_image"),
          "audio": ("audio", "audio_encoder", "encode_audio")}


@dataclass(frozen=True)
class EncodedInputs:
    """The soft-token counts for the prompt and the encoded inputs for the generation loop."""

    media: Media
    encoded: tuple[Any, ...]



NO_MEDIA = EncodedInputs(Media(), ())


def encode_media(engine: Engine, image: Any = None, audio: Any = None) -> EncodedInputs:
    """Encode the request's image and audio (either may be None) with the engine's model."""
    if image is None and audio is None:
        return NO_MEDIA
    encoded: dict[str, Any] = {}
    for kind, value in (("image", image), ("audio", audio)):
        if value is not None:
            encoded[kind] = _encoder(engine, kind)(value)
    counts = {kind: (int(item.soft_tokens),) for kind, item in encoded.items()}
    media = Media(counts.get("image", ()), counts.get("audio", ()))
    ordered = tuple(encoded[kind] for kind in ("image", "audio") if kind in encoded)
    return EncodedInputs(media, ordered)


def require_encoder(engine: Engine, kind: str) -> None:
    """Raise :class:`MediaUnavailableError` now if the engine's model cannot take ``kind``
    (``"image"`` or ``"audio"``): for callers that would otherwise learn it only at the first
    request, such as a microphone that listens for minutes before anything is planned."""
    _encoder(engine, kind)


def _encoder(engine: Engine, kind: str) -> Any:
    attribute, graph, method = _KINDS[kind]
    model = engine.model
    files = getattr(model, "files", None)
    root: Optional[Path] = getattr(files, "root", None)
    present: Optional[Path] = getattr(files, attribute, None)
    encode = getattr(model, method, None)
    if present is None and (encode is None or files is not None):
        where = str(root) if root is not None else f"the loaded model ({type(model).__name__})"
        raise MediaUnavailableError(
            f"{kind} input needs a model directory with onnx/{graph}*.onnx; {where} has none",
            (download_hint(root, f"onnx/{graph}*") if root is not None else
             f"load a Gemma 4 model whose directory holds onnx/{graph}.onnx")
            + f", or plan from text only (no {kind})")
    if encode is None:
        raise MediaUnavailableError(
            f"{kind} input: {present} is present but the loaded model ({type(model).__name__}) "
            f"has no {method}()", f"load it with Gemma4OnnxModel, or plan from text only "
            f"(no {kind})")
    return encode

