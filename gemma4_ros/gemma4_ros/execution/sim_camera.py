"""The sim robot's camera: frames from an image file or a folder, or a generated test pattern.

Pointing ``camera.source`` in ``sim.yaml`` at photos of a real site lets the copilot be tried on
realistic images without a robot; with no source the camera still works (a colour-bar pattern with
a moving marker, so successive frames differ), which keeps the standalone pipeline and the tests
free of image files. Frames are BGR ``uint8`` arrays, OpenCV's convention, as a ROS
``sensor_msgs/Image`` with encoding ``bgr8`` carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gemma4_ros.errors import ConfigError, Gemma4RosError
from gemma4_ros.execution.sim_config import CameraConfig
from gemma4_ros.image_files import IMAGE_SUFFIXES, list_images

TEST_PATTERN = "test_pattern"

# Classic colour bars (BGR): white, yellow, cyan, green, magenta, red, blue, black.
_BARS = np.array(
    [[255, 255, 255], [0, 255, 255], [255, 255, 0], [0, 255, 0],
     [255, 0, 255], [0, 0, 255], [255, 0, 0], [0, 0, 0]],
    dtype=np.uint8,
)


@dataclass(frozen=True)
class Frame:
    """One captured image and where it came from."""

    image: np.ndarray
    seq: int
    stamp: float
    source: str
    frame_id: str

    def info(self) -> dict[str, Any]:
        """JSON-friendly description (the pixels stay with the robot for the copilot)."""
        height, width = self.image.shape[:2]
        return {
            "seq": self.seq, "stamp": self.stamp, "width": width, "height": height,
            "encoding": "bgr8", "source": self.source, "frame_id": self.frame_id,
        }


class SimCamera:
    """Returns the next frame on each ``capture``; files are read lazily, one per capture."""

    def __init__(self, config: CameraConfig) -> None:
        self._config = config
        self._files = _image_files(config.source) if config.source is not None else []
        self._seq = 0

    def capture(self, stamp: float) -> Frame:
        seq = self._seq
        self._seq += 1
        if not self._files:
            image = colour_bars(self._config.width, self._config.height, seq)
            return Frame(image, seq, stamp, TEST_PATTERN, self._config.frame_id)
        path = self._files[seq % len(self._files)]
        return Frame(_read_image(path), seq, stamp, str(path), self._config.frame_id)


def colour_bars(width: int, height: int, seq: int) -> np.ndarray:
    """Eight vertical colour bars with a grey square that steps right by one bar per frame."""
    columns = (np.arange(width) * len(_BARS)) // width
    image = np.repeat(_BARS[columns][np.newaxis, :, :], height, axis=0)
    side = max(1, min(width // len(_BARS), height // 4))
    left = (seq % len(_BARS)) * width // len(_BARS)
    top = (height - side) // 2
    image[top:top + side, left:left + side] = 128
    return image


def _image_files(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    if source.is_dir():
        files = list(list_images(source))
        if files:
            return files
        raise ConfigError(
            "sim.yaml", "camera.source", f"folder {source} holds no images",
            f"add files ending in {', '.join(IMAGE_SUFFIXES)}, or remove camera.source to use "
            "the test pattern",
        )
    raise ConfigError(
        "sim.yaml", "camera.source", f"{source} does not exist",
        "point it at an image file or a folder of images, or remove it to use the test pattern",
    )


def _read_image(path: Path) -> np.ndarray:
    try:
        import cv2  # only needed when frames come from files
    except ImportError:
        raise Gemma4RosError(
            f"reading camera frame {path} needs OpenCV, which is not installed",
            "pip install 'opencv-python-headless>=4.8', or remove camera.source to use the "
            "test pattern",
        ) from None
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise Gemma4RosError(
            f"camera frame {path} cannot be decoded as an image",
            "replace or remove the file; OpenCV reads PNG, JPEG, BMP, TIFF and WebP",
        )
    return image
