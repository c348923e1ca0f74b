"""One copy of a tied embedding on disk: the embed graph reads the decoder's output projection.

Gemma 4 ties its input embedding to its output projection, and the export writes both: the
embedding ``[vocab, hidden]`` in ``embed_tokens.onnx_data`` for the embed graph's Gather, the
projection transposed, ``[hidden, vocab]``, in ``decoder_model_merged.onnx_data`` for the logits
MatMul — at E2B's 262,144 × 1,536, 1.6 GB twice. When the two hold the same numbers, the embed
graph gathers *columns* of the decoder's matrix instead (``Gather`` on axis 1, then a
``Transpose`` of the few columns taken), its initializer pointing into the decoder's data file,
and its own copy leaves the disk. The values gathered are the same floats, so parity is exact;
ONNX Runtime maps external data from the file, so the gathered pages are read where they lie.

The quantizer wants the plain layout back (its int4 Gather blocks along the hidden axis of a
``[vocab, hidden]`` table): :func:`unshared` rebuilds it in memory for that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SHARED = "lm_head.weight.shared_with_decoder"  # the embed graph's view of the decoder's matrix
ROWS_PER_CHECK = 4096  # embedding rows compared at a time (memory stays small at 262k)


def share_tied_embedding(onnx_dir: Path, suffix: str = "") -> bool:
    """Rewrite ``embed_tokens{suffix}`` to read the decoder's projection when it is the
    embedding transposed; returns whether it did (False: untied, or not this layout)."""
    import onnx

    embed_path = onnx_dir / f"embed_tokens{suffix}.onnx"
    decoder_path = onnx_dir / f"decoder_model_merged{suffix}.onnx"
    embed = onnx.load(str(embed_path), load_external_data=False)
    decoder = onnx.load(str(decoder_path), load_external_data=False)
    gather = _embedding_gather(embed)
    if gather is None:
        return False
    table = _initializer(embed, gather.input[0])
    vocab, hidden = table.dims
    candidates = [t for t in decoder.graph.initializer
                  if list(t.dims) == [hidden, vocab] and t.data_type == table.data_type]
    if len(candidates) != 1 or not _external(candidates[0]) or not _external(table):
        return False
    projection = candidates[0]
    if not _same_numbers(onnx_dir, table, projection):
        return False
    _point_at(embed, gather, table, projection)
    _drop_from_sidecar(embed, onnx_dir, table.name, embed_path)
    onnx.save_model(embed, str(embed_path))
    return True


def unshared(model: Any, onnx_dir: Path) -> Any:
    """``model`` (an embed graph loaded without external data) with the plain Gather on a
    ``[vocab, hidden]`` table of its own again, the table loaded into the graph; unchanged when
    it does not read the decoder's matrix."""
    import onnx
    from onnx import numpy_helper

    shared = next((t for t in model.graph.initializer if t.name == SHARED), None)
    if shared is None:
        return model
    gather = next(n for n in model.graph.node if n.op_type == "Gather" and n.input[0] == SHARED)
    transpose = next(n for n in model.graph.node
                     if n.op_type == "Transpose" and n.input[0] == gather.output[0])
    onnx.external_data_helper.load_external_data_for_tensor(shared, str(onnx_dir))
    table = numpy_helper.from_array(np.ascontiguousarray(numpy_helper.to_array(shared).T),
                                    SHARED)
    model.graph.initializer.remove(shared)
    model.graph.initializer.append(table)
    plain = onnx.helper.make_node("Gather", [SHARED, gather.input[1]], list(transpose.output),
                                  name=gather.name, axis=0)
    nodes = list(model.graph.node)
    index = nodes.index(gather)
    model.graph.node.remove(transpose)
    model.graph.node.remove(gather)
    model.graph.node.insert(index, plain)
    return model


def _embedding_gather(model: Any) -> Any:
    """The Gather of token ids from a 2-D initializer that makes ``inputs_embeds``."""
    initializers = {t.name for t in model.graph.initializer}
    for node in model.graph.node:
        if (node.op_type == "Gather" and node.input[0] in initializers
                and node.input[1] == "input_ids" and _leads_to(model, node, "inputs_embeds")):
            return node
    return None


def _leads_to(model: Any, node: Any, output: str, steps: int = 4) -> bool:
    names = set(node.output)
    for _ in range(steps):
        if output in names:
            return True
        names |= {o for n in model.graph.node if names & set(n.input) for o in n.output}
    return output in names


def _initializer(model: Any, name: str) -> Any:
    return next(t for t in model.graph.initializer if t.name == name)


def _external(tensor: Any) -> dict[str, str]:
    return {entry.key: entry.value for entry in tensor.external_data}


def _array(onnx_dir: Path, tensor: Any) -> np.ndarray:
    """A read-only map of an external float tensor (nothing is read until compared)."""
    from onnx import helper

    where = _external(tensor)
    dtype = helper.tensor_dtype_to_np_dtype(tensor.data_type)
    return np.memmap(onnx_dir / where["location"], dtype=dtype, mode="r",
                     offset=int(where.get("offset", 0)), shape=tuple(tensor.dims))


def _same_numbers(onnx_dir: Path, table: Any, projection: Any) -> bool:
    rows, columns = _array(onnx_dir, table), _array(onnx_dir, projection)
    for start in range(0, rows.shape[0], ROWS_PER_CHECK):
        stop = start + ROWS_PER_CHECK
        if not np.array_equal(rows[start:stop], columns[:, start:stop].T):
            return False
    return True


def _point_at(embed: Any, gather: Any, table: Any, projection: Any) -> None:
    """The Gather reads columns of the decoder's matrix; a Transpose puts hidden last again."""
    import onnx

    shared = onnx.TensorProto(name=SHARED, data_type=projection.data_type,
                              dims=list(projection.dims))
    shared.data_location = onnx.TensorProto.EXTERNAL
    for entry in projection.external_data:
        shared.external_data.add(key=entry.key, value=entry.value)
    embed.graph.initializer.append(shared)
    columns = gather.output[0] + ".columns"
    take = onnx.helper.make_node("Gather", [SHARED, gather.input[1]], [columns],
                                 name=gather.name + ".columns", axis=1)
    back = onnx.helper.make_node("Transpose", [columns], list(gather.output),
                                 name=gather.name + ".transpose", perm=[1, 2, 0])
    nodes = list(embed.graph.node)
    index = nodes.index(gather)
    embed.graph.node.remove(gather)
    embed.graph.node.insert(index, back)
    embed.graph.node.insert(index, take)
    embed.graph.initializer.remove(table)


def _drop_from_sidecar(embed: Any, onnx_dir: Path, dropped: str, embed_path: Path) -> None:
    """Rewrite the embed graph's data file without the dropped table's bytes (the other tensors
    copied in order, their offsets updated); remove it when nothing is left in it."""
    sidecar = f"{embed_path.name}_data"
    kept = [t for t in embed.graph.initializer
            if t.name != dropped and _external(t).get("location") == sidecar]
    source, target = onnx_dir / sidecar, onnx_dir / f"{sidecar}.new"
    with source.open("rb") as reading, target.open("wb") as writing:
        for tensor in kept:
            where = _external(tensor)
            reading.seek(int(where.get("offset", 0)))
            offset = writing.tell()
            _copy(reading, writing, int(where["length"]))
            _set_external(tensor, offset=str(offset))
    if kept:
        target.replace(source)
    else:
        target.unlink()
        source.unlink()


def _copy(reading: Any, writing: Any, length: int) -> None:
    while length:
        chunk = reading.read(min(length, 1 << 24))
        if not chunk:
            raise OSError("the embed graph's data file ends before its tensors do")
        writing.write(chunk)
        length -= len(chunk)


def _set_external(tensor: Any, **values: str) -> None:
    for entry in tensor.external_data:
        if entry.key in values:
            entry.value = values[entry.key]

