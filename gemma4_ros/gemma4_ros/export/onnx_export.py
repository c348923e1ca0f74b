"""Export a transformers Gemma 4 checkpoint to the public ONNX layout users download.

Writes ``onnx/embed_tokens{suffix}.onnx`` and ``onnx/decoder_model_merged{suffix}.onnx`` (plus
``onnx/vision_encoder{suffix}.onnx`` / ``onnx/audio_encoder{suffix}.onnx`` when the checkpoint has
those towers, see :mod:`gemma4_ros.export.media_graphs`) with ``.onnx_data`` weight sidecars,
plus ``config.json``, ``generation_config.json`` and any tokenizer / chat-template / processor
files found beside the checkpoint — the layout of onnx-community/gemma-4-E2B-it-ONNX, so one
loader serves fixtures and real downloads.

Uses ``torch.onnx.export(..., dynamo=True)``; the legacy TorchScript exporter is kept as a fallback
because it is faster and also matched, but is fragile on control flow. Everything is written into a
scratch directory first and moved into place at the end, so a failed export leaves no half model.
torch and transformers are imported here lazily: they are an optional extra (``[export]``).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.export import attention
from gemma4_ros.export.tied_embedding import share_tied_embedding

log = logging.getLogger(__name__)

ExportDtype = Literal["fp32", "fp16"]
Exporter = Literal["auto", "dynamo", "legacy"]
SUFFIX: dict[str, str] = {"fp32": "", "fp16": "_fp16"}
EMBED = "embed_tokens"
DECODER = "decoder_model_merged"
#: Files copied verbatim from the checkpoint when present (tokenizer, prompt format, processors).
SIDE_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "tokenizer.model",
    "chat_template.jinja",
    "demo.json",  # the demo model's training record (seed, sizes, held-out fingerprint)
    "chat_template.json",
    "processor_config.json",
    "preprocessor_config.json",
)
#: Default stop ids of the real checkpoints (<eos>, <turn|>, <|tool_response>), used only when the
#: checkpoint ships no generation_config.json and the ids exist in its vocabulary.
DEFAULT_STOP_IDS = (1, 106, 50)
OPSET = 18  # what the ONNX Runtime builds in current JetPacks all execute


@dataclass
class ExportReport:
    """What was written and how it was produced, for the CLI and tests."""

    out_dir: Path
    exporter: str
    files: list[Path] = field(default_factory=list)
    checks: list[Any] = field(default_factory=list)  # verify.ParityCheck, one per check run

    @property
    def max_abs_diff(self) -> float | None:
        """The largest difference any check found (None when none ran)."""
        return max((check.max_abs_diff for check in self.checks), default=None)


def export_model(
    hf_dir: str | Path,
    out_dir: str | Path,
    dtype: ExportDtype = "fp32",
    verify: bool = True,
    exporter: Exporter = "auto",
) -> ExportReport:
    """Export ``hf_dir`` (a transformers Gemma 4 checkpoint) into ``out_dir``.

    ``exporter`` applies to the text graphs; the encoders always use the dynamo exporter (the
    legacy one fails on the audio tower).
    """
    hf_path, out_path = Path(hf_dir).expanduser(), Path(out_dir).expanduser()
    _check_checkpoint(hf_path)
    torch, transformers = _import_toolchain()
    model = _load_model(hf_path, dtype, torch, transformers)
    out_path.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".export-", dir=out_path) as scratch:
        staging = Path(scratch)
        used = _export_graphs(model, staging / "onnx", SUFFIX[dtype], torch, exporter)
        share_tied_embedding(staging / "onnx", SUFFIX[dtype])
        _write_side_files(hf_path, staging, model)
        report = ExportReport(out_path, used)
        if verify:
            from gemma4_ros.export.verify import verify_export, verify_media  # imports onnxruntime

            report.checks.append(verify_export(model, staging, SUFFIX[dtype], torch))
            media = verify_media(model, staging, SUFFIX[dtype], torch)
            if media is not None:
                report.checks.append(media)
        report.files = _move_into_place(staging, out_path)
    return report


def _check_checkpoint(hf_dir: Path) -> None:
    if not hf_dir.is_dir():
        raise Gemma4RosError(
            f"checkpoint directory {hf_dir} does not exist",
            "pass the directory that holds config.json and the *.safetensors weights",
        )
    if not (hf_dir / "config.json").is_file():
        raise Gemma4RosError(
            f"{hf_dir / 'config.json'} is missing; {hf_dir} is not a transformers checkpoint",
            "pass a directory written by save_pretrained() or downloaded from the Hugging Face Hub",
        )


def _import_toolchain() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as error:
        raise Gemma4RosError(
            f"exporting needs torch and transformers ({error.name} is not installed)",
            "pip install 'gemma4_ros[export]' (torch==2.13.0, transformers==5.24.0, onnx, "
            "onnxscript)",
        ) from None
    return torch, transformers


def _load_model(hf_dir: Path, dtype: ExportDtype, torch: Any, transformers: Any) -> Any:
    config = transformers.AutoConfig.from_pretrained(hf_dir)
    classes = {
        "gemma4_text": transformers.Gemma4ForCausalLM,
        "gemma4": transformers.Gemma4ForConditionalGeneration,
    }
    if config.model_type not in classes:
        raise Gemma4RosError(
            f"{hf_dir / 'config.json'}: model_type is {config.model_type!r}, expected one of "
            f"{sorted(classes)}",
            "export a Gemma 4 checkpoint (google/gemma-4-*)",
        )
    torch_dtype = torch.float16 if dtype == "fp16" else torch.float32
    model = classes[config.model_type].from_pretrained(
        hf_dir, dtype=torch_dtype, attn_implementation=attention.register(transformers)
    )
    return model.eval()


def _export_graphs(model: Any, onnx_dir: Path, suffix: str, torch: Any, exporter: str) -> str:
    from gemma4_ros.export.graphs import build_graph_specs
    from gemma4_ros.export.media_graphs import build_media_specs

    onnx_dir.mkdir(parents=True)
    used = set()
    jobs = [(spec, exporter) for spec in build_graph_specs(model, torch)]
    jobs += [(spec, "dynamo") for spec in build_media_specs(model, torch)]
    for spec, how in jobs:
        path = onnx_dir / f"{spec.name}{suffix}.onnx"
        log.info("exporting %s", path.name)
        used.add(spec.export(path, torch, OPSET, how))
    return "+".join(sorted(used))


def _write_side_files(hf_dir: Path, staging: Path, model: Any) -> None:
    shutil.copy2(hf_dir / "config.json", staging / "config.json")
    for name in SIDE_FILES:
        if (hf_dir / name).is_file():
            shutil.copy2(hf_dir / name, staging / name)
    generation = hf_dir / "generation_config.json"
    if generation.is_file():
        shutil.copy2(generation, staging / "generation_config.json")
        return
    text_config = model.config.get_text_config()
    stops = [i for i in DEFAULT_STOP_IDS if i < text_config.vocab_size]
    data = {
        "bos_token_id": text_config.bos_token_id,
        "eos_token_id": stops,
        "pad_token_id": text_config.pad_token_id,
    }
    (staging / "generation_config.json").write_text(json.dumps(data, indent=2) + "\n")


def _move_into_place(staging: Path, out_dir: Path) -> list[Path]:
    moved = []
    for source in sorted(p for p in staging.rglob("*") if p.is_file()):
        target = out_dir / source.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        source.replace(target)
        moved.append(target)
    return moved
