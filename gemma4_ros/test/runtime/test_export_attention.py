"""The export's grouped attention: transformers' eager attention without copying KV heads."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from gemma4_ros.export.attention import ATTENTION, grouped_attention, register  # noqa: E402
from gemma4_ros.testing.fixture_models import FixtureModel  # noqa: E402
from transformers.models.gemma4.modeling_gemma4 import eager_attention_forward  # noqa: E402


class Module(torch.nn.Module):
    """What eager attention reads off the attention layer."""

    def __init__(self, heads: int, kv_heads: int, dim: int) -> None:
        super().__init__()
        self.num_key_value_groups = heads // kv_heads
        self.head_dim = dim
        self.eval()


def causal_window_mask(length: int, total: int, window: int) -> torch.Tensor:
    """An additive [1, 1, S, T] mask: causal over a cache of ``total - length`` past positions,
    limited to the last ``window`` keys (as a sliding-window layer's)."""
    query = torch.arange(total - length, total)[:, None]
    key = torch.arange(total)[None, :]
    allowed = (key <= query) & (key > query - window)
    return torch.where(allowed, 0.0, torch.finfo(torch.float32).min)[None, None]


@pytest.mark.parametrize(
    ("heads", "kv_heads", "length", "total", "softcap"),
    [(8, 1, 5, 12, None), (8, 2, 1, 40, None), (4, 4, 3, 3, None), (6, 3, 4, 9, 50.0)],
)
def test_same_as_eager(heads: int, kv_heads: int, length: int, total: int,
                       softcap: float | None) -> None:
    torch.manual_seed(heads * 100 + total)
    dim = 16
    query = torch.randn(2, heads, length, dim)
    key, value = torch.randn(2, kv_heads, total, dim), torch.randn(2, kv_heads, total, dim)
    mask = causal_window_mask(length, total, window=7)
    module = Module(heads, kv_heads, dim)
    want, want_weights = eager_attention_forward(module, query, key, value, mask, scaling=1.0,
                                                 softcap=softcap)
    got, got_weights = grouped_attention(module, query, key, value, mask, scaling=1.0,
                                         softcap=softcap)
    assert got.shape == want.shape == (2, length, heads, dim)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(got_weights, want_weights, rtol=1e-5, atol=1e-7)


def test_registered_with_the_eager_mask() -> None:
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, eager_mask

    assert register(transformers) == ATTENTION
    assert transformers.AttentionInterface()[ATTENTION] is grouped_attention
    assert ALL_MASK_ATTENTION_FUNCTIONS[ATTENTION] is eager_mask


def test_the_exported_decoder_copies_no_kv_head(tiny_fixture: FixtureModel) -> None:
    """Every Expand left in the graph broadcasts a mask or a position, not a cache: none takes a
    past key/value, nor a tensor computed from one."""
    graph = onnx.load(Path(tiny_fixture.onnx_dir) / "onnx" / "decoder_model_merged.onnx",
                      load_external_data=False).graph
    made_by = {output: node for node in graph.node for output in node.output}
    past = {i.name for i in graph.input if i.name.startswith("past_key_values")}

    def reads_cache(name: str, seen: set[str]) -> bool:
        if name in past:
            return True
        node = made_by.get(name)
        if node is None or node.op_type == "Shape" or name in seen:  # a shape carries no values
            return False
        seen.add(name)
        return any(reads_cache(i, seen) for i in node.input if i)

    ops = collections.Counter(node.op_type for node in graph.node)
    assert ops["MatMul"] > 0
    expands = [node for node in graph.node if node.op_type == "Expand"]
    assert not [node.name for node in expands if reads_cache(node.input[0], set())]
