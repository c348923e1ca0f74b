"""ROS 2 CDR bytes for core types, without ROS installed.

rosbags' Jazzy typestore knows the standard messages (``std_msgs``, ``sensor_msgs``, ...); our own
``.msg`` files are read from ``gemma4_ros_msgs/msg`` and registered beside them. Together with the
conversions this gives the exact bytes a ROS 2 node would put on the wire, so tests prove the
interface files and the conversions agree, and tools can write or read bags of our messages.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel
from rosbags.serde import SerdeError
from rosbags.typesys import Stores, TypesysError, get_types_from_msg, get_typestore
from rosbags.typesys.store import Typestore

from gemma4_ros.conversions import PACKAGE, MessageTypes, conversion_for
from gemma4_ros.errors import Gemma4RosError

M = TypeVar("M", bound=BaseModel)


def interface_dir_candidates() -> list[Path]:
    """Where ``gemma4_ros_msgs`` may be: a source checkout first, then install prefixes."""
    checkout = Path(__file__).resolve().parents[2] / PACKAGE
    prefixes = [Path(p) for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    prefixes.append(Path(sys.prefix))
    return [checkout, *(prefix / "share" / PACKAGE for prefix in prefixes)]


def find_interface_dir(interface_dir: str | os.PathLike[str] | None = None) -> Path:
    """The ``gemma4_ros_msgs`` directory (the one holding ``msg/``); raises naming what it tried."""
    candidates = [Path(interface_dir)] if interface_dir is not None else interface_dir_candidates()
    for candidate in candidates:
        if any((candidate / "msg").glob("*.msg")):
            return candidate
    tried = ", ".join(str(candidate / "msg") for candidate in candidates)
    raise Gemma4RosError(
        f"no {PACKAGE} message definitions (*.msg) found; looked in {tried}",
        f"run from a source checkout with {PACKAGE}/ beside gemma4_ros/, source a ROS workspace "
        f"where {PACKAGE} is built, or pass the directory that holds {PACKAGE}'s msg/",
    )


@functools.lru_cache(maxsize=8)
def _typestore_for(interface_dir: Path) -> Typestore:
    store = get_typestore(Stores.ROS2_JAZZY)
    definitions: dict[str, Any] = {}
    for path in sorted((interface_dir / "msg").glob("*.msg")):
        name = f"{PACKAGE}/msg/{path.stem}"
        try:
            definitions.update(get_types_from_msg(path.read_text(encoding="utf-8"), name))
        except TypesysError as error:
            raise Gemma4RosError(
                f"{path}: cannot parse as a ROS 2 message definition: {error}",
                "fix the file; `/usr/bin/python3 .ci/validate_interfaces.py` shows rosidl's view",
            ) from error
    store.register(definitions)
    return store


def typestore(interface_dir: str | os.PathLike[str] | None = None) -> Typestore:
    """The Jazzy typestore with our messages registered; built once per directory."""
    return _typestore_for(find_interface_dir(interface_dir).resolve())


def rosbags_types(store: Typestore | None = None) -> MessageTypes:
    """A :class:`MessageTypes` whose classes are rosbags dataclasses (``uint8[]`` as numpy)."""
    chosen = store if store is not None else typestore()
    return MessageTypes(
        get_class=lambda name: chosen.types[name],
        uint8_array=lambda data: np.frombuffer(data, dtype=np.uint8),
    )


def to_cdr(obj: BaseModel, store: Typestore | None = None) -> bytes:
    """Serialize a core value as its message in little-endian CDR, as rmw sends it."""
    chosen = store if store is not None else typestore()
    conversion = conversion_for(type(obj))
    msg = conversion.to_ros(obj, rosbags_types(chosen))
    try:
        return bytes(chosen.serialize_cdr(msg, conversion.ros_type))
    except (SerdeError, UnicodeEncodeError) as error:  # e.g. a lone surrogate in text
        raise Gemma4RosError(
            f"cannot encode this {type(obj).__name__} as {conversion.ros_type}: {error}",
            "keep message text valid Unicode (no lone surrogates)",
        ) from error


def from_cdr(data: bytes, core_type: type[M], store: Typestore | None = None) -> M:
    """Deserialize CDR bytes of ``core_type``'s message; malformed bytes raise Gemma4RosError."""
    chosen = store if store is not None else typestore()
    conversion = conversion_for(core_type)
    try:
        msg = chosen.deserialize_cdr(data, conversion.ros_type)
    except SerdeError as error:  # rosbags wraps struct, numpy and UTF-8 failures in it
        raise Gemma4RosError(
            f"cannot decode {len(data)} bytes as {conversion.ros_type}: "
            f"{type(error).__name__}: {error}",
            f"send CDR-serialized {conversion.ros_type} messages (check the sender's type)",
        ) from error
    result: M = conversion.from_ros(msg)
    return result
