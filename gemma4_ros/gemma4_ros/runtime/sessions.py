"""ONNX Runtime sessions: execution-provider choice, session options, and load errors that say why.

Providers are tried in the configured order (TensorRT → CUDA → CPU by default); one that this
onnxruntime build lacks is skipped with a logged reason, and the provider a session actually got
(ORT itself falls back when a provider fails to initialise) is reported as ``active``. TensorRT gets
fp16, an engine cache and a timing cache, and a log line before the slow first engine build.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import onnxruntime as ort

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime.config import RuntimeConfig, TensorRTConfig
from gemma4_ros.runtime.model_files import download_hint

log = logging.getLogger(__name__)

ORT_NAMES = {
    "tensorrt": "TensorrtExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "cpu": "CPUExecutionProvider",
}
SHORT_NAMES = {value: key for key, value in ORT_NAMES.items()}
INSTALL_HINT = {
    "tensorrt": "install the onnxruntime-gpu wheel built with TensorRT (JetPack: the Jetson AI Lab "
    "wheel) and TensorRT itself",
    "cuda": "install onnxruntime-gpu matching your CUDA version",
    "cpu": "reinstall onnxruntime",
}


@dataclass(frozen=True)
class Session:
    """A loaded graph and the provider it runs on."""

    path: Path
    inner: ort.InferenceSession
    provider: str  # short name: tensorrt | cuda | cpu

    @property
    def on_device(self) -> bool:
        return self.provider in ("tensorrt", "cuda")


_REPORTED_MISSING: set[str] = set()


def resolve_providers(config: RuntimeConfig) -> list[tuple[str, dict[str, str]]]:
    """The configured providers this onnxruntime build has, with their options, in order."""
    available = set(ort.get_available_providers())
    chosen: list[tuple[str, dict[str, str]]] = []
    for short in config.providers:
        name = ORT_NAMES[short]
        if name not in available:
            if short in _REPORTED_MISSING:  # said once per process, not once per graph
                continue
            _REPORTED_MISSING.add(short)
            log.info(
                "skipping %s: not in this onnxruntime build (it has %s); %s",
                short,
                ", ".join(sorted(available)),
                INSTALL_HINT[short],
            )
            continue
        chosen.append((name, _provider_options(short, config.tensorrt)))
    if not chosen:
        raise Gemma4RosError(
            f"none of the configured providers {config.providers} is available in this "
            f"onnxruntime build ({', '.join(sorted(available))})",
            "add `cpu` to `providers` in models.yaml, or " + INSTALL_HINT[config.providers[0]],
        )
    return chosen


def _provider_options(short: str, trt: TensorRTConfig) -> dict[str, str]:
    if short == "tensorrt":
        cache_dir = Path(trt.engine_cache_dir).expanduser()
        return {
            "trt_fp16_enable": str(trt.fp16),
            "trt_engine_cache_enable": "True",
            "trt_engine_cache_path": str(cache_dir),
            "trt_timing_cache_enable": str(trt.timing_cache),
            "trt_timing_cache_path": str(cache_dir),
            "trt_max_workspace_size": str(trt.max_workspace_mb * 1024 * 1024),
        }
    return {}


def session_options(config: RuntimeConfig) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = config.intra_op_threads
    options.inter_op_num_threads = config.inter_op_threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only; our own log says what matters
    return options


def open_session(path: Path, config: RuntimeConfig, model_dir: Path) -> Session:
    """Load one graph; a corrupt file or missing weights sidecar becomes a Gemma4RosError."""
    providers = resolve_providers(config)
    if providers[0][0] == ORT_NAMES["tensorrt"]:
        _announce_engine_build(path, Path(providers[0][1]["trt_engine_cache_path"]))
    try:
        inner = ort.InferenceSession(
            str(path),
            sess_options=session_options(config),
            providers=[name for name, _ in providers],
            provider_options=[options for _, options in providers],
        )
    except Exception as error:  # noqa: BLE001 - ORT raises several unrelated types for bad files
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise Gemma4RosError(
            f"cannot load {path}: {message}",
            f"the file is incomplete or corrupt (its weights sidecar {path.name}_data must sit "
            f"beside it); {download_hint(model_dir, 'onnx/' + path.stem + '.onnx*')}",
        ) from None
    active = SHORT_NAMES.get(inner.get_providers()[0], inner.get_providers()[0])
    log.info("%s runs on %s", path.name, active)
    return Session(path, inner, active)


def _announce_engine_build(path: Path, cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    if not any(cache_dir.glob("*.engine")):
        log.warning(
            "building TensorRT engines for %s: the first start takes several minutes; "
            "engines are cached in %s for the next starts",
            path.name,
            cache_dir,
        )


def describe_io(session: Any) -> str:
    """``name[shape]:type`` of every input and output, for error messages."""
    parts = [f"{i.name}{list(i.shape)}:{i.type}" for i in session.get_inputs()]
    outs = [f"{o.name}{list(o.shape)}:{o.type}" for o in session.get_outputs()]
    return f"inputs {', '.join(parts)}; outputs {', '.join(outs)}"
