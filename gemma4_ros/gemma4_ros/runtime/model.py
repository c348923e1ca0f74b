"""A Gemma 4 ONNX model: the embedding graph and the decoder graph driven as one forward pass.

``embed`` turns ids into embeddings (and per-layer inputs); ``forward_media`` overwrites the
image/audio placeholder rows of those embeddings with encoder features before ``decode`` runs, as
the public layout requires (:mod:`gemma4_ros.runtime.media_encoders`). ``forward`` = embed +
decode for text; the short runs a decode loop feeds are embedded once and remembered
(:mod:`gemma4_ros.runtime.embed_memo`). The generation loop needs ``new_cache`` and ``forward``,
and ``forward_media`` for prompts with images or audio (see
:class:`gemma4_ros.runtime.generation.CausalModel`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnxruntime as ort

from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.contracts import (
    DecoderContract,
    EmbedContract,
    decoder_contract,
    embed_contract,
)
from gemma4_ros.runtime.embed_memo import EmbedMemo
from gemma4_ros.media.image_preprocessing import ImageEncoding
from gemma4_ros.runtime.kv_cache import KVCache
from gemma4_ros.runtime.media_encoders import EncodedMedia, MediaEncoders
from gemma4_ros.runtime.model_files import AUTO_CPU, AUTO_GPU, ModelFiles, discover
from gemma4_ros.runtime.sessions import Session, open_session, resolve_providers
from gemma4_ros.runtime.step_inputs import KEEP_ALL, KEEP_LAST, StepInputs

log = logging.getLogger(__name__)


@dataclass
class Embeddings:
    """Decoder inputs for a run of tokens; rows may be replaced by image/audio features."""

    inputs_embeds: np.ndarray  # [1, S, hidden]
    per_layer_inputs: np.ndarray | None  # [1, S, L, P] or [1, S, L*P]

    @property
    def length(self) -> int:
        return int(self.inputs_embeds.shape[1])


class Gemma4OnnxModel:
    """Loaded sessions plus the contracts read from them."""

    def __init__(
        self,
        files: ModelFiles,
        embed: Session,
        decoder: Session,
        embed_io: EmbedContract,
        decoder_io: DecoderContract,
        io_binding: bool,
        media: MediaEncoders,
    ) -> None:
        self.files = files
        self.media = media
        self.embed_session = embed
        self.decoder_session = decoder
        self.embed_io = embed_io
        self.decoder_io = decoder_io
        self.use_io_binding = io_binding and decoder.on_device
        self.vocab_size = files.info.vocab_size
        self._step_inputs = StepInputs()
        self._embed_memo = EmbedMemo()

    @classmethod
    def load(cls, config: RuntimeConfig) -> Gemma4OnnxModel:
        """Discover files, open the sessions (encoders when present) and read their contracts;
        fails before any run."""
        model_dir = config.model_path
        on_gpu = resolve_providers(config)[0][0] != "CPUExecutionProvider"
        files = discover(model_dir, config.variant, AUTO_GPU if on_gpu else AUTO_CPU)
        embed = open_session(files.embed, config, model_dir)
        decoder = open_session(files.decoder, config, model_dir)
        encoders = {
            kind: open_session(path, config, model_dir) if path is not None else None
            for kind, path in (("image", files.vision), ("audio", files.audio))
        }
        if files.vision is not None and files.info.bidirectional_vision:
            log.warning(
                "%s sets use_bidirectional_attention: vision — in transformers its image tokens "
                "attend to each other both ways, but this runtime's decoder graph is causal, so "
                "answers about images may differ from transformers' (text is unaffected)",
                files.root / "config.json")
        placeholders = {
            kind: token
            for kind, token in (
                ("image", files.info.image_token_id),
                ("audio", files.info.audio_token_id),
            )
            if token is not None
        }
        return cls(
            files,
            embed,
            decoder,
            embed_contract(embed.inner, files.embed),
            decoder_contract(decoder.inner, files.decoder, files.variant, files.info.kv_dims),
            config.io_binding,
            MediaEncoders(model_dir, encoders, placeholders, config.image_soft_tokens),
        )

    @property
    def provider(self) -> str:
        return self.decoder_session.provider

    def new_cache(self) -> KVCache:
        """An empty cache: device OrtValues with IO binding, numpy arrays otherwise."""
        on_device = self.use_io_binding and self.decoder_session.on_device
        return KVCache(
            self.decoder_io.slots, "cuda" if on_device else "cpu", ort_values=self.use_io_binding
        )

    def embed(self, token_ids: np.ndarray) -> Embeddings:
        ids = np.asarray(token_ids, dtype=np.int64).reshape(1, -1)
        names = [self.embed_io.embeds_name]
        if self.embed_io.per_layer_name:
            names.append(self.embed_io.per_layer_name)
        outputs = self.embed_session.inner.run(names, {self.embed_io.ids_name: ids})
        return Embeddings(outputs[0], outputs[1] if len(outputs) > 1 else None)

    def decode(
        self, embeddings: Embeddings, cache: KVCache, all_positions: bool = False
    ) -> np.ndarray:
        """Run the decoder on ``embeddings`` after ``cache``; returns float32 logits the caller
        owns (it may mask them in place).

        Last position only ([vocab]) unless ``all_positions`` ([S, vocab]). A graph that takes
        ``num_logits_to_keep`` computes only those rows; one without it computes all and the
        last is kept. The cache advances.
        """
        feeds = self._feeds(embeddings, cache.length, all_positions)
        if self.use_io_binding:
            logits, presents = self._run_bound(feeds, cache)
        else:
            outputs = self.decoder_session.inner.run(
                self.decoder_io.output_names, {**feeds, **cache.feeds()}
            )
            logits = outputs[0]
            presents = dict(zip(self.decoder_io.output_names[1:], outputs[1:], strict=True))
        cache.append(presents, embeddings.length)
        rows = logits[0] if all_positions else logits[0, -1]
        if rows.dtype == np.float32 and rows.size == logits.size and not self.use_io_binding:
            return rows  # the whole of a fresh output of this run: nobody else holds it
        return np.array(rows, dtype=np.float32)  # a private copy, and no [S, V] kept alive

    def forward(self, token_ids: np.ndarray, cache: KVCache) -> np.ndarray:
        """Logits after feeding ``token_ids`` (text only) on top of ``cache``."""
        ids = np.asarray(token_ids, dtype=np.int64).reshape(1, -1)
        outputs = self._embed_memo.lookup(ids, self._embed_outputs)
        return self.decode(Embeddings(*outputs), cache)

    def _embed_outputs(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        embeddings = self.embed(ids)
        return embeddings.inputs_embeds, embeddings.per_layer_inputs

    @property
    def placeholder_ids(self) -> frozenset[int]:
        """Token ids whose embedding rows belong to image/audio features."""
        return frozenset(self.media.placeholder_ids.values())

    def encode_image(
        self, frame: np.ndarray, encoding: ImageEncoding = "rgb8", budget: int | None = None
    ) -> EncodedMedia:
        return self.media.encode_image(frame, encoding, budget)

    def encode_audio(self, samples: np.ndarray, sample_rate: int = 16_000) -> EncodedMedia:
        return self.media.encode_audio(samples, sample_rate)

    def check_media(self, token_ids: Sequence[int], media: Sequence[Any]) -> None:
        """Raise unless the placeholders in ``token_ids`` and the media's rows agree per kind."""
        self.media.check(token_ids, media)

    def forward_media(
        self, token_ids: np.ndarray, cache: KVCache, media: Sequence[EncodedMedia]
    ) -> np.ndarray:
        """Like :meth:`forward`, with the placeholder rows replaced by the media's features."""
        embeddings = self.embed(token_ids)
        self.media.merge(token_ids, embeddings.inputs_embeds, media)
        return self.decode(embeddings, cache)

    def _feeds(
        self, embeddings: Embeddings, past: int, all_positions: bool
    ) -> dict[str, np.ndarray]:
        io = self.decoder_io
        length = embeddings.length
        feeds: dict[str, np.ndarray] = {
            io.embeds_name: embeddings.inputs_embeds.astype(io.embeds_dtype, copy=False)
        }
        if io.per_layer_name is not None and embeddings.per_layer_inputs is not None:
            per_layer = embeddings.per_layer_inputs
            if io.per_layer_rank == 3 and per_layer.ndim == 4:
                per_layer = per_layer.reshape(1, length, -1)
            elif io.per_layer_rank == 4 and per_layer.ndim == 3:
                slot_count = self.files.info.num_hidden_layers
                per_layer = per_layer.reshape(1, length, slot_count, -1)
            feeds[io.per_layer_name] = per_layer.astype(io.per_layer_dtype, copy=False)
        if io.mask_name is not None:
            feeds[io.mask_name] = self._step_inputs.attention_mask(past + length)
        if io.positions_name is not None:
            feeds[io.positions_name] = self._step_inputs.position_ids(past, length)
        if io.logits_to_keep_name is not None:
            feeds[io.logits_to_keep_name] = KEEP_ALL if all_positions else KEEP_LAST
        return feeds

    def _run_bound(
        self, feeds: dict[str, np.ndarray], cache: KVCache
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """IO-bound run: past/present stay on the device; only the logits come to the host."""
        binding = self.decoder_session.inner.io_binding()
        for name, array in feeds.items():
            binding.bind_cpu_input(name, array)
        for name, value in cache.feeds().items():
            binding.bind_ortvalue_input(name, value)
        binding.bind_output(self.decoder_io.logits_name, "cpu")
        for slot in self.decoder_io.slots:
            binding.bind_output(slot.output_name, cache.device, cache.device_id)
        self.decoder_session.inner.run_with_iobinding(binding)
        outputs: list[ort.OrtValue] = binding.get_outputs()
        presents = dict(zip(self.decoder_io.output_names[1:], outputs[1:], strict=True))
        return outputs[0].numpy(), presents
