"""What decoding needs to know about Gemma 4's answer markup, beyond the token strings.

The token strings themselves live in :mod:`gemma4_ros.chat.special_tokens`. Every Gemma 4
control token has the shape ``<|name>``, ``<name|>`` or ``<|name|>``, so text without ``|`` can
never be mistaken for markup: the grammar keeps ``|`` out of free text, thoughts and string
values, and the call parser can then split decoded text unambiguously.
"""

from __future__ import annotations

import re

from gemma4_ros.chat import special_tokens as tokens

CALL_PREFIX = "call:"
THOUGHT_HEADER = "thought\n"

# How a model turn may end: the end of turn, the wait for tool results, end of sequence.
TURN_STOPS = (tokens.TURN_END, tokens.TOOL_RESPONSE_START, tokens.EOS)

# Tool and key names are written bare, so they must not contain any structural character.
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# One character of free text or string content (Rust and Python regex syntax alike).
TEXT_CHAR = r"[^|]"

# llguidance token slices that such text allows in bulk: a lexeme that accepts every string of a
# slice lets the whole slice through without a trie walk. Each token belongs to the first slice it
# matches, so these split text tokens by length (1 | 2 | 3-4 | 5-8 | 9-16 | 17-24 | longer). The
# fine short buckets matter near a string's maxLength: with r characters left, every bucket of at
# most r still goes through in bulk; with only {1,8} the last 7 characters of every capped string
# walked the whole vocabulary (1-4 ms at 262k tokens; bench/decoding.py). Masks are identical
# whatever the slices, only their cost changes.
TEXT_SLICES = tuple(f"{TEXT_CHAR}{{1,{n}}}" for n in (1, 2, 4, 8, 16, 24)) + (f"{TEXT_CHAR}+",)
