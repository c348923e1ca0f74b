"""One copy of the tied embedding: the exported embed graph gathers columns of the decoder's
output projection from the decoder's data file, gives the same numbers as its own table did, and
the quantizer still sees the plain layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

import onnxruntime as ort  # noqa: E402

from gemma4_ros.export.tied_embedding import SHARED, share_tied_embedding, unshared  # noqa: E402
from gemma4_ros.testing.fixture_models import FIXTURES, FixtureModel  # noqa: E402

CONFIG = FIXTURES["tiny"]


def embed_outputs(model_bytes_or_path: bytes | str, ids: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(model_bytes_or_path, providers=["CPUExecutionProvider"])
    return session.run(None, {"input_ids": ids})


def test_the_embed_graph_reads_the_decoders_projection(tiny_fixture: FixtureModel) -> None:
    onnx_dir = tiny_fixture.onnx_dir / "onnx"
    embed = onnx.load(str(onnx_dir / "embed_tokens.onnx"), load_external_data=False)
    shared = {t.name: t for t in embed.graph.initializer}[SHARED]
    where = {entry.key: entry.value for entry in shared.external_data}
    assert where["location"] == "decoder_model_merged.onnx_data"
    vocab, hidden = CONFIG["vocab_size"], CONFIG["hidden_size"]
    assert list(shared.dims) == [hidden, vocab]
    assert not [t for t in embed.graph.initializer if list(t.dims) == [vocab, hidden]]
    # Its own data file keeps only the per-layer table.
    per_layer = vocab * CONFIG["num_hidden_layers"] * CONFIG["hidden_size_per_layer_input"] * 4
    assert (onnx_dir / "embed_tokens.onnx_data").stat().st_size == per_layer


def test_unshared_gives_the_same_numbers(tiny_fixture: FixtureModel) -> None:
    """What the quantizer gets (the plain Gather on a table of its own) equals what runs."""
    onnx_dir = tiny_fixture.onnx_dir / "onnx"
    ids = np.array([[0, 5, CONFIG["vocab_size"] - 1, 7, 7]], dtype=np.int64)
    running = embed_outputs(str(onnx_dir / "embed_tokens.onnx"), ids)
    plain = unshared(onnx.load(str(onnx_dir / "embed_tokens.onnx"), load_external_data=False),
                     onnx_dir)
    assert [n.op_type for n in plain.graph.node].count("Transpose") == 0
    onnx.external_data_helper.load_external_data_for_model(plain, str(onnx_dir))
    for got, want in zip(embed_outputs(plain.SerializeToString(), ids), running):
        np.testing.assert_array_equal(got, want)


def test_an_untied_projection_is_left_alone(tiny_fixture: FixtureModel, tmp_path: Path) -> None:
    onnx_dir = tmp_path / "onnx"
    shutil.copytree(tiny_fixture.onnx_dir / "onnx", onnx_dir)
    embed_path = onnx_dir / "embed_tokens.onnx"
    plain = unshared(onnx.load(str(embed_path), load_external_data=False), onnx_dir)
    onnx.external_data_helper.load_external_data_for_model(plain, str(onnx_dir))
    onnx.save_model(plain, str(embed_path), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="embed_tokens.onnx_data",
                    size_threshold=1024)
    assert share_tied_embedding(onnx_dir)  # tied again: shared again
    assert not share_tied_embedding(onnx_dir)  # nothing left to share
    plain = unshared(onnx.load(str(embed_path), load_external_data=False), onnx_dir)
    onnx.external_data_helper.load_external_data_for_model(plain, str(onnx_dir))
    table = {t.name: t for t in plain.graph.initializer}[SHARED]
    values = onnx.numpy_helper.to_array(table).copy()
    values[3, 0] += 1.0  # one number differs: the embedding is not the projection
    plain.graph.initializer.remove(table)
    plain.graph.initializer.append(onnx.numpy_helper.from_array(values, SHARED))
    (onnx_dir / "embed_tokens.onnx_data").unlink()
    onnx.save_model(plain, str(embed_path), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="embed_tokens.onnx_data",
                    size_threshold=1024)
    before = (onnx_dir / "embed_tokens.onnx_data").stat().st_size
    assert not share_tied_embedding(onnx_dir)
    assert (onnx_dir / "embed_tokens.onnx_data").stat().st_size == before
