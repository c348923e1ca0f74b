"""Thin torch modules whose forward signatures ARE the public ONNX contract.

The public Gemma 4 ONNX exports (onnx-community/gemma-4-E2B-it-ONNX) split the text model in two
graphs: ``embed_tokens`` (ids → embeddings + 4-D per-layer inputs) and ``decoder_model_merged``
(embeddings + flat past keys/values → logits + presents). Image and audio features are merged
between the two, outside any graph. Exporting these wrappers instead of the transformers model
itself fixes the input/output names and order, so fixture models and real downloads go through
the same loader path.

The decoder keeps the full history for every cache-owning layer (sliding layers too) and lets the
sliding-window mask do the windowing: that is what makes ``attention_mask`` [B, past+S] and
``present`` lengths agree for every layer, and what one graph for prefill and decode needs.

It projects to the vocabulary only the last ``num_logits_to_keep`` positions (0 = all), the scalar
input the public Gemma 4 decoders take and transformers.js feeds: a prefill then returns
[B, 1, V] instead of [B, S, V] — at Gemma 4's 262,144 tokens a 1k-token prompt would otherwise
make ~1 GB of logits nobody reads — and the same graph still gives every position on request.
Imported only by the exporter and tests; torch is never imported by the runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from transformers.cache_utils import DynamicCache


@dataclass(frozen=True)
class TextParts:
    """The pieces of a transformers Gemma 4 model that the text graphs need."""

    text_model: Any  # Gemma4TextModel (torch.nn.Module; attributes are dynamic to mypy)
    lm_head: Any
    text_config: Any  # Gemma4TextConfig
    multimodal_token_ids: tuple[int, ...]  # placeholders replaced by pad before embedding

    @property
    def cache_owning_layers(self) -> int:
        config = self.text_config
        return config.num_hidden_layers - config.num_kv_shared_layers

    def kv_shape(self, layer: int) -> tuple[int, int]:
        """(kv_heads, head_dim) of a cache-owning layer (per-layer values: per_layer_config)."""
        layer_config = self.text_config.per_layer_config[layer]
        return layer_config.num_key_value_heads, layer_config.head_dim


def text_parts(model: Any) -> TextParts:
    """Find the text model and head in Gemma4ForCausalLM or Gemma4ForConditionalGeneration."""
    config = model.config
    if hasattr(model.model, "language_model"):  # multimodal: Gemma4Model.language_model
        placeholders = tuple(
            int(token)
            for token in (
                getattr(config, name, None)
                for name in ("image_token_id", "audio_token_id", "video_token_id")
            )
            if token is not None
        )
        return TextParts(
            model.model.language_model, model.lm_head, config.get_text_config(), placeholders
        )
    return TextParts(model.model, model.lm_head, config, ())


class EmbedTokens(torch.nn.Module):
    """``input_ids`` → ``inputs_embeds`` [B,S,H] and ``per_layer_inputs`` [B,S,L,P].

    Image/audio/video placeholders are embedded as pad (as Gemma4Model does); the runtime then
    overwrites their ``inputs_embeds`` rows with encoder features.
    """

    def __init__(self, parts: TextParts) -> None:
        super().__init__()
        self.text_model = parts.text_model
        self.pad_id = int(parts.text_config.pad_token_id or 0)
        self.placeholders = parts.multimodal_token_ids
        self.has_per_layer = bool(parts.text_config.hidden_size_per_layer_input)

    def forward(self, input_ids: torch.Tensor) -> tuple[torch.Tensor, ...]:
        ids = input_ids
        for placeholder in self.placeholders:
            ids = torch.where(ids == placeholder, torch.full_like(ids, self.pad_id), ids)
        inputs_embeds = self.text_model.embed_tokens(ids)
        if not self.has_per_layer:
            return (inputs_embeds,)
        return inputs_embeds, self.text_model.get_per_layer_inputs(ids, inputs_embeds)


class DecoderMerged(torch.nn.Module):
    """One graph for prefill and decode: embeddings + past (owning layers) → logits + presents."""

    def __init__(self, parts: TextParts) -> None:
        super().__init__()
        self.text_model = parts.text_model
        self.lm_head = parts.lm_head
        self.owning_layers = parts.cache_owning_layers
        self.softcap = parts.text_config.final_logit_softcapping

    def forward(
        self,
        inputs_embeds: torch.Tensor,
        per_layer_inputs: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        num_logits_to_keep: torch.Tensor,
        *past: torch.Tensor,
    ) -> tuple[torch.Tensor, ...]:
        return self.run(
            inputs_embeds, per_layer_inputs, attention_mask, position_ids, num_logits_to_keep, past
        )

    def run(
        self,
        inputs_embeds: torch.Tensor,
        per_layer_inputs: torch.Tensor | None,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        num_logits_to_keep: torch.Tensor,
        past: tuple[torch.Tensor, ...],
    ) -> tuple[torch.Tensor, ...]:
        # A plain DynamicCache (no config) gives every layer a growing DynamicLayer: the
        # sliding-window mask, built from config.sliding_window, limits what sliding layers see.
        cache = DynamicCache(
            ddp_cache_data=[(past[2 * i], past[2 * i + 1]) for i in range(self.owning_layers)]
        )
        hidden = self.text_model(
            inputs_embeds=inputs_embeds,
            per_layer_inputs=per_layer_inputs,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            use_cache=True,
        ).last_hidden_state
        logits = self.lm_head(last_positions(hidden, num_logits_to_keep))
        if self.softcap is not None:
            logits = torch.tanh(logits / self.softcap) * self.softcap
        presents: list[Any] = []
        layers: list[Any] = cache.layers[: self.owning_layers]  # all DynamicLayer here
        for layer in layers:
            presents += [layer.keys, layer.values]
        return (logits, *presents)


class DecoderMergedNoPerLayer(DecoderMerged):
    """The same graph for models without per-layer embeddings (the large Gemma 4 models)."""

    def forward(  # type: ignore[override]
        self,
        inputs_embeds: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        num_logits_to_keep: torch.Tensor,
        *past: torch.Tensor,
    ) -> tuple[torch.Tensor, ...]:
        return self.run(inputs_embeds, None, attention_mask, position_ids, num_logits_to_keep, past)


def last_positions(hidden: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """``hidden[:, -keep:]`` for ``keep`` > 0, every position for 0 (transformers'
    ``logits_to_keep``); more than the sequence keeps it all. A tensor start exports as an ONNX
    ``Slice`` with a dynamic start under both exporters, so one graph serves every ``keep``."""
    length = hidden.shape[1]
    start = torch.where(keep > 0, (length - keep).clamp(min=0), torch.zeros_like(keep))
    return hidden[:, start:]
