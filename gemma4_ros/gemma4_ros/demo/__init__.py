"""The embedded demo planner: a tiny Gemma 4–architecture model trained here, not Gemma 4 weights.

Real Gemma 4 weights cannot be downloaded on a fresh machine, yet the first command of the README
must give sensible plans. This package holds what makes the demo model reproducible: a generated
corpus of operator commands and the tool calls they mean (read from the tool registry, so a custom
tools.yaml can be retrained), a compact tokenizer of its own, and a CPU training script. Only
``train.py`` imports torch and transformers, lazily, through ``python -m gemma4_ros.demo.train``.
"""
