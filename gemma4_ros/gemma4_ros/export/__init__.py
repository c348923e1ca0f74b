"""transformers Gemma 4 checkpoint → the public ONNX layout, and its int4 variant.

Importing this package is cheap (torch and transformers load only when an export runs), so the
command line (``gemma4_ros.cli.export``, ``gemma4_ros.cli.quantize``) registers both commands
unconditionally.
"""
