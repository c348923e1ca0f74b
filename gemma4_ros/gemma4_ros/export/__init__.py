"""``gemma4-ros export``: transformers Gemma 4 checkpoint → the public ONNX layout.

Importing this package is cheap (torch and transformers load only when an export runs), so the
CLI can register the command unconditionally.
"""

from gemma4_ros.export.command import add_parser

__all__ = ["add_parser"]
