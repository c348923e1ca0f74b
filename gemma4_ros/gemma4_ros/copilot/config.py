"""``config/copilot.yaml``: which folders the copilot reads, where its index lives, how it cuts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, field_validator

from gemma4_ros.config import StrictModel, load_config
from gemma4_ros.copilot.index import MAX_DOCUMENTS, DocumentIndex, IndexReport, Progress
from gemma4_ros.paths import default_config

DEFAULT_FILE = "copilot.yaml"


class CopilotConfig(StrictModel):
    """Relative paths are resolved against the file's folder by :func:`load_copilot_config`."""

    documents: list[Path] = Field(
        min_length=1, description="folders of Markdown, text and PDF documents")
    index: Path = Field(description="the SQLite index file")
    chunk_words: int = Field(default=200, ge=20, le=5000, description="words per passage")
    max_file_mb: float = Field(default=50, gt=0, description="larger files are skipped")
    max_documents: int = Field(default=MAX_DOCUMENTS, ge=1,
                               description="more in the folders is refused as a wrong path")

    @field_validator("documents", "index", mode="before")
    @classmethod
    def _not_empty(cls, value: object) -> object:
        """An empty path would mean the config file's own folder: never what was meant."""
        if value == "" or (isinstance(value, list) and "" in value):
            raise ValueError("must name a path")
        return value

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def refresh_index(self, index: DocumentIndex, folders: Sequence[Path] = (),
                      progress: Progress | None = None) -> IndexReport:
        """Bring ``index`` up to date with ``folders`` (default: ``documents``), cut and bounded
        as this file says."""
        return index.update(list(folders) or self.documents, self.chunk_words,
                            self.max_file_bytes, progress, self.max_documents)


def load_copilot_config(path: str | Path | None = None) -> CopilotConfig:
    """Load ``path`` (or the packaged ``config/copilot.yaml``), with ``~`` expanded and relative
    folders and index taken relative to the file, so the file means the same from any directory."""
    source = Path(path) if path is not None else default_config(DEFAULT_FILE)
    config = load_config(CopilotConfig, source, DEFAULT_FILE)
    base = source.resolve().parent

    def anchored(value: Path) -> Path:
        value = value.expanduser()
        return value if value.is_absolute() else (base / value).resolve()

    return config.model_copy(update={
        "documents": [anchored(folder) for folder in config.documents],
        "index": anchored(config.index)})
