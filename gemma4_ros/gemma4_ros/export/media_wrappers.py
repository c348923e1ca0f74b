"""The two encoder graphs of the public layout as thin torch modules (features merged outside).

``vision_encoder``: ``pixel_values`` [N, patches, 768] + ``pixel_position_ids`` [N, patches, 2] →
``image_features`` [soft tokens of all N images, hidden]: the vision tower, its padding stripped
exactly as transformers strips it, projected into the text model's embedding space by
``embed_vision``. ``audio_encoder``: ``input_features`` [1, T, 128] + ``input_features_mask``
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
    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.tower = inner.vision_tower
        self.project = inner.embed_vision

    def forward(self, pixel_values: torch.Tensor, pixel_position_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.tower(
            pixel_values=pixel_values, pixel_position_ids=pixel_position_ids
        ).last_hidden_state
        return self.project(inputs_embeds=hidden)


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
