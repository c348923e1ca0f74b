"""Runtime settings (``config/models.yaml``): which model files, which hardware, how to sample.

One pydantic model, loaded with :func:`gemma4_ros.config.load_config`, so a misspelt key or a
negative temperature fails at start-up with the file, the key and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, StrictBool, field_validator

from gemma4_ros.config import StrictModel, load_config
from gemma4_ros.paths import demo_model_dir
from gemma4_ros.media.image_preprocessing import SoftTokenBudget

Provider = Literal["tensorrt", "cuda", "cpu"]
Variant = Literal["auto", "fp32", "fp16", "q4", "q4f16", "quantized"]
DEFAULT_FILE = "models.yaml"
DEFAULT_PROVIDERS: tuple[Provider, ...] = ("tensorrt", "cuda", "cpu")


class SamplingConfig(StrictModel):
    """Defaults for every request; a request may override them."""

    temperature: float = Field(default=0.0, ge=0.0, description="0 = greedy (argmax)")
    top_k: int = Field(default=0, ge=0, description="keep the k most likely tokens; 0 = off")
    top_p: float = Field(default=1.0, gt=0.0, le=1.0, description="nucleus mass to keep; 1 = off")
    seed: int | None = Field(
        default=None, description="seed of the sampling RNG; None = fresh entropy"
    )


class TensorRTConfig(StrictModel):
    """Options of the TensorRT execution provider (Jetson); ignored elsewhere."""

    fp16: StrictBool = Field(default=True, description="let TensorRT build fp16 kernels")
    engine_cache_dir: str = Field(
        default="~/.cache/gemma4_ros/trt", description="where built engines live"
    )
    timing_cache: StrictBool = Field(
        default=True, description="reuse layer timings between engine builds"
    )
    max_workspace_mb: int = Field(default=2048, gt=0, description="builder scratch memory")


class RuntimeConfig(StrictModel):
    """Everything :class:`gemma4_ros.runtime.model.Gemma4OnnxModel` needs to load and run."""

    model_dir: Path | None = Field(default=None, description="directory in the public Gemma 4 "
                                   "ONNX layout; empty or left out: the embedded demo model")
    variant: Variant = Field(default="auto", description="weights variant; auto picks by provider")
    providers: list[Provider] = Field(
        default_factory=lambda: list(DEFAULT_PROVIDERS),
        min_length=1,
        description="execution providers in order of preference; unavailable ones are skipped",
    )
    intra_op_threads: int = Field(
        default=1,
        ge=0,
        description="threads inside one op; 0 = one per core; 1 measured best for small models "
        "(models.yaml says how to choose for Gemma 4 on a CPU or a Jetson)",
    )
    inter_op_threads: int = Field(
        default=1, ge=0, description="ops run in parallel; 0 = ORT default"
    )
    io_binding: StrictBool = Field(
        default=True, description="on CUDA/TensorRT keep the KV cache on the device"
    )
    max_new_tokens: int = Field(default=256, gt=0, description="default cap on generated tokens")
    max_context_tokens: int = Field(
        default=8192, gt=0, description="prompt + generated tokens allowed"
    )
    prefix_cache_entries: int = Field(default=4, ge=0, description="system-prompt KV caches kept")
    image_soft_tokens: SoftTokenBudget = Field(
        default=280,
        description="soft tokens per image (70/140/280/560/1120): more = finer detail, slower",
    )
    sampling: SamplingConfig = Field(default_factory=SamplingConfig)
    tensorrt: TensorRTConfig = Field(default_factory=TensorRTConfig)

    @field_validator("model_dir", mode="before")
    @classmethod
    def _empty_means_demo(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("model_dir")
    @classmethod
    def _expand_home(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @property
    def model_path(self) -> Path:
        """The directory the model loads from: ``model_dir``, or the embedded demo model."""
        return self.model_dir if self.model_dir is not None else demo_model_dir()

    @property
    def uses_demo_model(self) -> bool:
        return self.model_dir is None

    def with_model(self, model_dir: Path | None) -> RuntimeConfig:
        """These settings with ``model_dir`` (``--model``, the ROS parameter) in place of the
        file's; None keeps the file's. The one place a model directory is chosen."""
        if model_dir is None:
            return self
        return self.model_copy(update={"model_dir": Path(model_dir).expanduser()})


def load_runtime_config(path: str | Path | None = None) -> RuntimeConfig:
    """Load ``path``, or the packaged ``config/models.yaml`` when None."""
    return load_config(RuntimeConfig, path, DEFAULT_FILE)
