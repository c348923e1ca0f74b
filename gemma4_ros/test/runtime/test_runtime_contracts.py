"""Graphs from another exporter load too: the contract is read from the graph, not assumed.

The second exporter's graphs are made from the fixture by ONNX surgery into the shape mobius-onnx
writes: ``embedding/model.onnx`` and ``decoder/model.onnx``, past inputs named ``past.N.key``,
3-D ``per_layer_inputs`` and no ``position_ids`` input (positions computed from the mask inside).
Same weights, so both layouts must give the same logits.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.generation import GenerationOptions
from gemma4_ros.runtime.loader import engine_from_config
from gemma4_ros.testing.fixture_models import FixtureModel

onnx = pytest.importorskip("onnx")
from onnx import helper, numpy_helper  # noqa: E402


def prepend(graph: onnx.GraphProto, nodes: list[onnx.NodeProto]) -> None:
    existing = list(graph.node)
    del graph.node[:]
    graph.node.extend([*nodes, *existing])


def rename_kv(graph: onnx.GraphProto) -> None:
    renames = {}
    for value in graph.input:
        if value.name.startswith("past_key_values."):
            renames[value.name] = value.name.replace("past_key_values.", "past.")
            value.name = renames[value.name]
    for node in graph.node:
        node.input[:] = [renames.get(name, name) for name in node.input]


def flatten_per_layer_input(graph: onnx.GraphProto, layers: int, width: int) -> None:
    value = next(v for v in graph.input if v.name == "per_layer_inputs")
    dims = value.type.tensor_type.shape.dim
    del dims[3]
    dims[2].ClearField("dim_param")
    dims[2].dim_value = layers * width
    for node in graph.node:
        node.input[:] = ["per_layer_4d" if n == "per_layer_inputs" else n for n in node.input]
    graph.initializer.append(numpy_helper.from_array(np.array([0, 0, layers, width]), "ple_shape"))
    prepend(
        graph, [helper.make_node("Reshape", ["per_layer_inputs", "ple_shape"], ["per_layer_4d"])]
    )


def positions_from_mask(graph: onnx.GraphProto) -> None:
    graph.input.remove(next(v for v in graph.input if v.name == "position_ids"))
    graph.initializer.extend(
        [
            numpy_helper.from_array(np.array(1, dtype=np.int64), "one"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
            numpy_helper.from_array(np.array([2**62], dtype=np.int64), "big"),
        ]
    )
    prepend(
        graph,
        [
            helper.make_node("CumSum", ["attention_mask", "one"], ["mask_cumsum"]),
            helper.make_node("Sub", ["mask_cumsum", "one"], ["all_positions"]),
            helper.make_node("Shape", ["inputs_embeds"], ["new_len"], start=1, end=2),
            helper.make_node("Neg", ["new_len"], ["neg_new_len"]),
            helper.make_node(
                "Slice", ["all_positions", "neg_new_len", "big", "axis1"], ["position_ids"]
            ),
        ],
    )


def write_other_layout(fixture: FixtureModel, target: Path) -> Path:
    for name in ("config.json", "generation_config.json"):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixture.onnx_dir / name, target / name)
    source = fixture.onnx_dir / "onnx"
    embed = onnx.load(str(source / "embed_tokens.onnx"))
    decoder = onnx.load(str(source / "decoder_model_merged.onnx"))
    shape = next(
        v for v in decoder.graph.input if v.name == "per_layer_inputs"
    ).type.tensor_type.shape
    rename_kv(decoder.graph)
    flatten_per_layer_input(decoder.graph, shape.dim[2].dim_value, shape.dim[3].dim_value)
    positions_from_mask(decoder.graph)
    for model, folder in ((embed, "embedding"), (decoder, "decoder")):
        (target / folder).mkdir()
        onnx.save_model(
            model,
            str(target / folder / "model.onnx"),
            save_as_external_data=True,
            location="model.onnx_data",
        )
    return target


def greedy_logits(model_dir: Path, ids: list[int]) -> tuple[list[int], list[np.ndarray]]:
    engine = engine_from_config(
        RuntimeConfig(model_dir=str(model_dir), providers=["cpu"], max_new_tokens=12)
    )
    steps: list[np.ndarray] = []
    tokens = engine.generate(
        ids, GenerationOptions(logits_processor=lambda logits: steps.append(logits.copy()))
    ).run()
    return tokens, steps


def test_other_exporters_layout_and_names_load_and_agree(
    tiny_fixture: FixtureModel, tmp_path: Path
) -> None:
    other = write_other_layout(tiny_fixture, tmp_path / "other")
    engine = engine_from_config(RuntimeConfig(model_dir=str(other), providers=["cpu"]))
    io = engine.model.decoder_io  # type: ignore[attr-defined]
    assert io.positions_name is None and io.per_layer_rank == 3
    assert io.slots[0].input_name == "past.0.key" and io.slots[0].output_name == "present.0.key"
    ids = [2, *range(40, 60)]
    ours, ours_logits = greedy_logits(tiny_fixture.onnx_dir, ids)
    theirs, their_logits = greedy_logits(other, ids)
    assert ours == theirs
    assert (
        max(float(np.abs(a - b).max()) for a, b in zip(ours_logits, their_logits, strict=True))
        < 1e-5
    )


def test_symbolic_kv_shapes_are_filled_from_config(
    tiny_fixture: FixtureModel, tmp_path: Path
) -> None:
    target = tmp_path / "symbolic"
    shutil.copytree(tiny_fixture.onnx_dir, target)
    path = target / "onnx" / "decoder_model_merged.onnx"
    decoder = onnx.load(str(path), load_external_data=False)
    for value in decoder.graph.input:
        if value.name.startswith("past_key_values."):
            dims = value.type.tensor_type.shape.dim
            dims[1].dim_param, dims[3].dim_param = "kv_heads", "head_dim"
    onnx.save_model(decoder, str(path))
    engine = engine_from_config(RuntimeConfig(model_dir=str(target), providers=["cpu"]))
    slots = engine.model.decoder_io.slots  # type: ignore[attr-defined]
    assert [(s.heads, s.head_dim) for s in slots if s.kind == "key"] == [
        (1, 16),
        (1, 16),
        (1, 32),
        (1, 16),
    ]
    assert len(engine.generate([2, 3, 4], GenerationOptions(max_new_tokens=3)).run()) == 3


def test_graphs_that_return_every_position_still_load_and_agree(
    tiny_fixture: FixtureModel, tmp_path: Path
) -> None:
    """Exports without ``num_logits_to_keep`` (the embedded demo model, older exports) return
    logits for every position; the runtime keeps the last, with the same greedy result."""
    target = tmp_path / "all_positions"
    shutil.copytree(tiny_fixture.onnx_dir, target)
    path = target / "onnx" / "decoder_model_merged.onnx"
    decoder = onnx.load(str(path), load_external_data=False)
    decoder.graph.input.remove(
        next(v for v in decoder.graph.input if v.name == "num_logits_to_keep")
    )
    decoder.graph.initializer.append(
        numpy_helper.from_array(np.array(0, dtype=np.int64), "num_logits_to_keep")
    )
    onnx.save_model(decoder, str(path))
    engine = engine_from_config(RuntimeConfig(model_dir=str(target), providers=["cpu"]))
    assert engine.model.decoder_io.logits_to_keep_name is None  # type: ignore[attr-defined]
    ids = [2, *range(40, 60)]
    ours, ours_logits = greedy_logits(tiny_fixture.onnx_dir, ids)
    theirs, their_logits = greedy_logits(target, ids)
    assert ours == theirs
    for a, b in zip(ours_logits, their_logits, strict=True):
        np.testing.assert_array_equal(a, b)


def test_prefill_asks_the_graph_for_the_last_position_only(tiny_fixture: FixtureModel) -> None:
    engine = engine_from_config(RuntimeConfig(model_dir=str(tiny_fixture.onnx_dir),
                                              providers=["cpu"]))
    model = engine.model
    session = model.decoder_session.inner  # type: ignore[attr-defined]
    shapes: list[tuple[int, ...]] = []
    run = session.run

    def recording_run(names, feeds):  # type: ignore[no-untyped-def]
        outputs = run(names, feeds)
        shapes.append(outputs[0].shape)
        return outputs

    session.run = recording_run
    logits = model.forward(np.arange(2, 22), model.new_cache())  # type: ignore[attr-defined]
    every = model.decode(  # type: ignore[attr-defined]
        model.embed(np.arange(2, 22)), model.new_cache(), all_positions=True  # type: ignore[attr-defined]
    )
    assert shapes == [(1, 1, 512), (1, 20, 512)]
    np.testing.assert_allclose(logits, every[-1], rtol=0, atol=1e-5)


def test_a_logits_to_keep_input_of_another_type_is_refused(
    tiny_fixture: FixtureModel, tmp_path: Path
) -> None:
    target = tmp_path / "float_keep"
    shutil.copytree(tiny_fixture.onnx_dir, target)
    path = target / "onnx" / "decoder_model_merged.onnx"
    decoder = onnx.load(str(path), load_external_data=False)
    keep = next(v for v in decoder.graph.input if v.name == "num_logits_to_keep")
    keep.type.tensor_type.shape.dim.add().dim_value = 1
    onnx.save_model(decoder, str(path))
    with pytest.raises(Gemma4RosError, match="num_logits_to_keep should be a scalar int64"):
        engine_from_config(RuntimeConfig(model_dir=str(target), providers=["cpu"]))
