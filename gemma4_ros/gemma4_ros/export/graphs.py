"""The two text graphs as export specs: wrapper module, example inputs, names, dynamic axes.

Example inputs avoid sizes 0 and 1 on dynamic axes (torch.export specialises on them); the
exported graphs still accept an empty past (prefill) and one new token (decode).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gemma4_ros.export.wrappers import (
    DecoderMerged,
    DecoderMergedNoPerLayer,
    EmbedTokens,
    TextParts,
    text_parts,
)

log = logging.getLogger(__name__)

EXAMPLE_SEQ = 3
EXAMPLE_PAST = 4


@dataclass
class GraphSpec:
    """Everything one ``torch.onnx.export`` call needs, for both exporters."""

    name: str
    module: Any
    args: tuple[Any, ...]
    input_names: list[str]
    output_names: list[str]
    axes: dict[str, dict[int, str]]  # input name -> {axis: dim name}
    optimize: bool = True  # onnxscript graph optimisation (the audio encoder needs it off)
    multiples: dict[str, int] = field(default_factory=dict)  # dim name -> the step it moves in

    def export(self, path: Path, torch: Any, opset: int, exporter: str = "auto") -> str:
        """Write ``path`` plus its ``.onnx_data`` sidecar; returns the exporter that worked.

        ``auto`` tries the dynamo exporter and falls back to the legacy TorchScript one.
        """
        if exporter == "legacy":
            self._export_legacy(path, torch, opset)
            return "legacy"
        try:
            self._export_dynamo(path, torch, opset)
            return "dynamo"
        except Exception as error:  # noqa: BLE001 - any exporter failure means: try the other one
            if exporter == "dynamo":
                raise
            log.warning(
                "dynamo export of %s failed (%s); using the legacy exporter",
                self.name,
                str(error).splitlines()[0] if str(error) else type(error),
            )
            self._export_legacy(path, torch, opset)
            return "legacy"

    def _export_dynamo(self, path: Path, torch: Any, opset: int) -> None:
        import onnx_ir

        dims: dict[str, Any] = {
            name: step * torch.export.Dim(f"{name}_over_{step}")
            for name, step in self.multiples.items()
        }
        shapes = [
            {
                axis: dims.setdefault(name, torch.export.Dim(name))
                for axis, name in self.axes.get(input_name, {}).items()
            }
            for input_name in self.input_names
        ]
        fixed = sum(1 for name in self.input_names if not name.startswith("past"))
        dynamic_shapes = (
            (*shapes[:fixed], tuple(shapes[fixed:])) if fixed < len(shapes) else tuple(shapes)
        )
        with torch.no_grad():
            program = torch.onnx.export(
                self.module,
                self.args,
                dynamo=True,
                input_names=self.input_names,
                output_names=self.output_names,
                dynamic_shapes=dynamic_shapes,
                opset_version=opset,
                verbose=False,
                optimize=self.optimize,
            )
        onnx_ir.save(program.model, path, external_data=f"{path.name}_data")

    def _export_legacy(self, path: Path, torch: Any, opset: int) -> None:
        import onnx

        axes = dict(self.axes)
        for name in self.output_names:
            axes[name] = (
                {0: "batch_size", 1: "kept_positions"}
                if name == "logits"
                else {0: "batch_size", 2: "total_sequence_length"}
                if name.startswith("present")
                else {0: "batch_size", 1: "sequence_length"}
            )
        raw = path.with_suffix(".tmp.onnx")
        with torch.no_grad():
            torch.onnx.export(
                self.module,
                self.args,
                str(raw),
                dynamo=False,
                input_names=self.input_names,
                output_names=self.output_names,
                dynamic_axes=axes,
                opset_version=opset,
            )
        model = onnx.load(str(raw))
        onnx.save_model(
            model,
            str(path),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=f"{path.name}_data",
            size_threshold=256,
        )
        for leftover in path.parent.glob(f"{raw.name}*"):
            leftover.unlink()


def build_graph_specs(model: Any, torch: Any) -> list[GraphSpec]:
    """Specs for ``embed_tokens`` and ``decoder_model_merged`` of ``model``."""
    parts = text_parts(model)
    return [_embed_spec(parts, torch), _decoder_spec(parts, torch)]


def _embed_spec(parts: TextParts, torch: Any) -> GraphSpec:
    module = EmbedTokens(parts).eval()
    ids = torch.randint(3, parts.text_config.vocab_size, (1, EXAMPLE_SEQ), dtype=torch.int64)
    outputs = ["inputs_embeds", "per_layer_inputs"] if module.has_per_layer else ["inputs_embeds"]
    return GraphSpec(
        "embed_tokens",
        module,
        (ids,),
        ["input_ids"],
        outputs,
        {"input_ids": {0: "batch_size", 1: "sequence_length"}},
    )


def _decoder_spec(parts: TextParts, torch: Any) -> GraphSpec:
    config = parts.text_config
    dtype = next(parts.text_model.parameters()).dtype
    has_ple = bool(config.hidden_size_per_layer_input)
    module = (DecoderMerged(parts) if has_ple else DecoderMergedNoPerLayer(parts)).eval()
    seq, past_len = EXAMPLE_SEQ, EXAMPLE_PAST
    batch_seq = {0: "batch_size", 1: "sequence_length"}
    args: list[Any] = [torch.randn(1, seq, config.hidden_size, dtype=dtype)]
    names = ["inputs_embeds"]
    axes: dict[str, dict[int, str]] = {"inputs_embeds": batch_seq}
    if has_ple:
        shape = (1, seq, config.num_hidden_layers, config.hidden_size_per_layer_input)
        args.append(torch.randn(*shape, dtype=dtype))
        names.append("per_layer_inputs")
        axes["per_layer_inputs"] = batch_seq
    args += [
        torch.ones(1, past_len + seq, dtype=torch.int64),
        torch.arange(past_len, past_len + seq, dtype=torch.int64)[None],
        torch.tensor(1, dtype=torch.int64),  # num_logits_to_keep: a scalar, no dynamic axes
    ]
    names += ["attention_mask", "position_ids", "num_logits_to_keep"]
    axes["attention_mask"] = {0: "batch_size", 1: "total_sequence_length"}
    axes["position_ids"] = batch_seq
    outputs = ["logits"]
    for layer in range(parts.cache_owning_layers):
        heads, head_dim = parts.kv_shape(layer)
        for kind in ("key", "value"):
            args.append(torch.randn(1, heads, past_len, head_dim, dtype=dtype))
            names.append(f"past_key_values.{layer}.{kind}")
            axes[names[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            outputs.append(f"present.{layer}.{kind}")
    return GraphSpec("decoder_model_merged", module, tuple(args), names, outputs, axes)
