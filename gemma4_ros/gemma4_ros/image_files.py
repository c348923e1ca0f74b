"""Which files of a folder are images, and in what order a folder plays them.

Below both the camera sources of :mod:`gemma4_ros.perception` and the simulated robot's camera of
:mod:`gemma4_ros.execution`, so that a folder means the same frames everywhere without the
executor importing the perception stack (its VAD and audio resampling).
"""

from __future__ import annotations

from pathlib import Path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def list_images(folder: Path) -> tuple[Path, ...]:
    """The image files of ``folder`` by name; may be empty."""
    return tuple(sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES))
