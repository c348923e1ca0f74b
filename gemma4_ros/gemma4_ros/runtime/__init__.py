"""Gemma 4 runtime: model files, ONNX Runtime sessions, KV cache, generation, tokenizer and prompt format.

Nothing here imports torch, transformers or rclpy: this is what runs on the robot.
"""
