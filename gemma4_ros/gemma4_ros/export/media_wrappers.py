"""The two encoder graphs of the public layout as thin torch modules (features merged outside).

``vision_encoder``: ``pixel_values`` [N, patches, 768] + ``pixel_position_ids`` [N, patches, 2] →
``image_features`` [soft tokens of all N images, hidden]: the vision tower, its padding stripped
exactly as transformers strips it, projected into the text model's embedding space by
``embed_vision``. Any budget's patch count (soft tokens × 9) goes through the same graph. ``audio_encoder``: ``input_features`` [1, T, 128] + ``input_features_mask``
[1, T] → ``audio_features`` [valid soft tokens, hidden], the audio tower's valid rows projected by
``embed_audio``. The runtime writes these rows over the ``<|image|>`` / ``<|audio|>`` placeholder
rows of ``inputs_embeds``, which is what ``Gemma4Model.forward`` does with ``masked_scatter``.
Imported only by the exporter and tests.
"""

from __future__ import annotations

from typing import Any

import torch


def multimodal_model(model: Any) -> Any | None:
    """The ``Gemma4Model`` inside a checkpoint, or None for a text-only one."""
    inner = getattr(model, "model", None)
    return inner if hasattr(inner, "language_model") else None


class VisionEncoder(torch.nn.Module):
    """``Gemma4VisionModel.forward`` + ``embed_vision``, with the pooling written out.

    transformers pools with ``one_hot(kernel_index, soft_tokens)``, and the exporter bakes the
    class count of ``one_hot`` in as a constant: the graph would then serve one budget only.
    Comparing the kernel index with ``arange(soft_tokens)`` is the same matrix and keeps the
    count symbolic (= patches / 9), so one graph serves 70 … 1120 soft tokens. The export's
    verification compares this module's graph with the unmodified transformers tower.
    """

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.tower = inner.vision_tower
        self.project = inner.embed_vision

    def forward(self, pixel_values: torch.Tensor, pixel_position_ids: torch.Tensor) -> torch.Tensor:
        tower, ids = self.tower, pixel_position_ids
        padding = (ids == -1).all(dim=-1)
        embeds = tower.patch_embedder(pixel_values, ids, padding)
        hidden = tower.encoder(
            inputs_embeds=embeds, attention_mask=~padding, pixel_position_ids=ids
        ).last_hidden_state
        pooled, valid = self._pool(hidden.masked_fill(padding.unsqueeze(-1), 0.0), ids,
                                   pixel_values.shape[-2])
        pooled = (pooled.float() * tower.pooler.root_hidden_size)[valid]
        if tower.config.standardize:
            pooled = (pooled - tower.std_bias.float()) * tower.std_scale.float()
        return self.project(inputs_embeds=pooled.to(embeds.dtype))

    def _pool(
        self, hidden: torch.Tensor, ids: torch.Tensor, patches: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Average each k×k block of patches (by position) into one soft token; valid mask."""
        k = self.tower.config.pooling_kernel_size
        clamped = ids.clamp(min=0)
        columns = clamped[..., 0].max(dim=-1, keepdim=True)[0] + 1
        block = torch.div(clamped, k, rounding_mode="floor")
        block = block[..., 0] + (columns // k) * block[..., 1]
        soft_tokens = torch.arange(patches // (k * k), device=ids.device)
        weights = (block.unsqueeze(-1) == soft_tokens).float() / (k * k)
        pooled = (weights.transpose(1, 2) @ hidden.float()).to(hidden.dtype)
        return pooled, torch.logical_not((weights == 0).all(dim=1))


class AudioEncoder(torch.nn.Module):
    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.tower = inner.audio_tower
        self.project = inner.embed_audio

    def forward(
        self, input_features: torch.Tensor, input_features_mask: torch.Tensor
    ) -> torch.Tensor:
        out = self.tower(input_features, input_features_mask)
        return self.project(inputs_embeds=out.last_hidden_state)[out.attention_mask]
