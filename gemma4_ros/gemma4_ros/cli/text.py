"""Text from the user (a command-line argument, a commands file, a typed line), checked where
it enters the CLI, so a byte that is not UTF-8 is one clean error instead of a traceback.

Python hands a non-UTF-8 byte of ``argv`` over as a lone surrogate (``\\xff`` becomes
``\\udcff``, PEP 383). Passed on, it fails far from its cause: the tokenizer raises
``TextInputSequence must be str`` and printing it raises ``UnicodeEncodeError``. File names are
left alone: on Linux a path may hold any bytes, and :class:`pathlib.Path` handles them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gemma4_ros.errors import Gemma4RosError

_ESCAPED_BYTES = range(0xDC80, 0xDD00)  # where surrogateescape puts the bytes 0x80..0xFF


def command_text(value: str) -> str:
    """argparse ``type=`` for free text (a command, a question): refuses non-UTF-8 bytes."""
    problem = text_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(f"{problem}; type or paste it as UTF-8 text")
    return value


def text_problem(text: str) -> str:
    """Why ``text`` is not valid Unicode text ('' when it is): its first lone surrogate."""
    for index, char in enumerate(text):
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            what = (f"byte {code - 0xDC00:#04x}" if code in _ESCAPED_BYTES
                    else f"lone surrogate U+{code:04X}")
            return f"not UTF-8 text: {what} at character {index + 1}"
    return ""


def read_utf8(path: str | Path, what: str, hint: str) -> str:
    """The text of a user's file; Gemma4RosError naming the line and byte when it is not UTF-8
    (a leading BOM is accepted), or when it cannot be read."""
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as error:
        raise Gemma4RosError(f"cannot read {what} {path}: {error.strerror}", hint) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise Gemma4RosError(
            f"{what} {path} is not UTF-8 text: byte {data[error.start]:#04x} at line {line}, "
            f"column {column}", "save the file as UTF-8") from None
