"""Constrained decoding: Gemma 4 tool-call grammar, llguidance masks, and the total call parser."""
