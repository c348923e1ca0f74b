"""Gemma 4 runtime: model files, ONNX Runtime sessions, KV cache, media encoders, generation.

Token ids and media in, token ids out; the text format around them is :mod:`gemma4_ros.chat`.
Nothing here imports torch, transformers or rclpy: this is what runs on the robot.
"""
