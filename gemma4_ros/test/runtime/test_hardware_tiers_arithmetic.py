"""The README's hardware-tier table is computed by bench/hardware_tiers.py from Gemma 4's published
widths; its parameter arithmetic must add up to the totals Google publishes, or every ceiling
and memory figure in the table is off by the same mistake."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "hardware_tiers.py"
ENCODERS_B = 0.45  # vision (~150 M) and audio (~300 M) encoders, in Google's totals, not here


@pytest.fixture(scope="module")
def tiers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hardware_tiers", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, effective_b, with_embeddings_b", [
    ("gemma-4-E2B", 2.3, 5.1),  # "2.3B effective (5.1B with embeddings)"
    ("gemma-4-E4B", 4.5, 8.0),  # "4.5B effective (8B with embeddings)"
])
def test_parameter_counts_match_the_published_totals(tiers: ModuleType, name: str,
                                                     effective_b: float,
                                                     with_embeddings_b: float) -> None:
    config = next(c for c in tiers.CONFIGS if c.name == name)
    w = tiers.weights(config)
    vocabulary_table = config.vocab * config.hidden / 1e9  # tied: streamed and gathered
    effective = w.streamed / 1e9 - vocabulary_table + ENCODERS_B
    total = (w.streamed + w.gathered) / 1e9 - vocabulary_table + ENCODERS_B
    assert effective == pytest.approx(effective_b, rel=0.05)
    assert total == pytest.approx(with_embeddings_b, rel=0.05)


def test_sliding_layers_read_no_more_than_the_window(tiers: ModuleType) -> None:
    e2b = tiers.CONFIGS[0]
    at_window = tiers.kv_values_per_token(e2b, e2b.window)
    # Past the window only the 3 cache-owning full-attention layers grow (1 KV head of 512).
    grown = tiers.kv_values_per_token(e2b, e2b.window + 100) - at_window
    assert grown == 100 * 3 * 2 * 512


def test_int4_ceiling_is_the_bandwidth_over_the_bytes(tiers: ModuleType) -> None:
    rows = tiers.tiers(context=128, bandwidth_gbs=100.0)
    row = next(r for r in rows if r["model"] == "gemma-4-E2B" and r["precision"] == "int4"
               and r["device"] == "this machine")
    assert row["ceiling_tok_s"] == pytest.approx(100.0 / row["bytes_per_token_gb"], rel=0.01)
    fp32 = next(r for r in rows if r["model"] == "gemma-4-E2B" and r["precision"] == "fp32"
                and r["device"] == "Jetson Orin Nano 8 GB")
    assert not fp32["fits"]  # 20 GB of fp32 weights on an 8 GB module
