"""The attention the decoder graphs are exported with: eager math, the KV heads never copied.

transformers' eager attention repeats each key/value head once per query head of its group
(``repeat_kv``) before the score product; exported, that is an ``Expand`` of every layer's whole
cache on every decode step, and at Gemma 4 E2B widths (8 query heads, 1 KV head) it was a third of
a long-context step (ONNX Runtime's profiler, context 8192). Here the query heads of a group are
stacked along the sequence axis instead — ``[B, H, S, D]`` viewed as ``[B, KV, G·S, D]``, a free
reshape of a tensor S long — so one product per KV head reads the cache where it lies. Same
operations in the same order otherwise, so the logits match eager attention to rounding.

Registered with transformers under :data:`ATTENTION` and used only for exporting: it never runs
at run time (the ONNX graph does).
"""

from __future__ import annotations

from typing import Any

ATTENTION = "gemma4_ros_grouped"


def register(transformers: Any) -> str:
    """Make :data:`ATTENTION` a name ``from_pretrained(attn_implementation=...)`` accepts, with
    the additive float masks eager attention gets (a name without a mask function gets none)."""
    from transformers.masking_utils import AttentionMaskInterface, eager_mask

    transformers.AttentionInterface.register(ATTENTION, grouped_attention)
    AttentionMaskInterface.register(ATTENTION, eager_mask)
    return ATTENTION


def grouped_attention(
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    dropout: float = 0.0,
    scaling: float | None = None,
    softcap: float | None = None,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """Eager attention with query ``[B, H, S, D]`` and key/value ``[B, KV, T, D]``; ``dropout``
    is taken and unused, as eager attention does outside training (exports are in eval mode)."""
    import torch

    batch, heads, length, dim = query.shape
    kv_heads = key.shape[1]
    group = heads // kv_heads
    if scaling is None:
        scaling = dim**-0.5
    stacked = query.reshape(batch, kv_heads, group * length, dim)
    scores = torch.matmul(stacked, key.transpose(2, 3)) * scaling
    if softcap is not None:
        scores = torch.tanh(scores / softcap) * softcap
    scores = scores.reshape(batch, kv_heads, group, length, -1)
    if attention_mask is not None:
        scores = scores + attention_mask.unsqueeze(2)
    weights = torch.nn.functional.softmax(scores, dim=-1, dtype=torch.float32).to(query.dtype)
    output = torch.matmul(weights.reshape(batch, kv_heads, group * length, -1), value)
    output = output.reshape(batch, heads, length, dim).transpose(1, 2).contiguous()
    return output, weights.reshape(batch, heads, length, -1)
