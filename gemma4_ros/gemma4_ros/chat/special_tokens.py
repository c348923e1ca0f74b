"""The Gemma 4 control tokens, by the strings the real tokenizer and chat template use.

Ids are never written down anywhere in the package: they differ between the real vocabulary and
the fixture tokenizers, so everything that needs an id asks the tokenizer for the string's id
(:meth:`gemma4_ros.chat.tokenizer.Gemma4Tokenizer.special_ids`). The names on the left follow
the ``*_token`` keys of Gemma 4's ``tokenizer_config.json`` where it has one (``sot`` = start of
turn, ``etc`` = end of tool call, ...), spelled out so call sites read without a glossary.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

PAD = "<pad>"
EOS = "<eos>"
BOS = "<bos>"
UNK = "<unk>"
MASK = "<mask>"
TURN_START = "<|turn>"
TURN_END = "<turn|>"
TOOL_START = "<|tool>"
TOOL_END = "<tool|>"
TOOL_CALL_START = "<|tool_call>"
TOOL_CALL_END = "<tool_call|>"
TOOL_RESPONSE_START = "<|tool_response>"
TOOL_RESPONSE_END = "<tool_response|>"
STRING_DELIM = '<|"|>'
THINK = "<|think|>"
CHANNEL_START = "<|channel>"
CHANNEL_END = "<channel|>"
IMAGE_START = "<|image>"
IMAGE = "<|image|>"
IMAGE_END = "<image|>"
AUDIO_START = "<|audio>"
AUDIO = "<|audio|>"
AUDIO_END = "<audio|>"
VIDEO = "<|video|>"

#: Every control token, keyed by the attribute name that
#: :class:`gemma4_ros.chat.tokenizer.SpecialTokenIds` uses for its id. Order = fixture id order.
SPECIAL_TOKENS: Mapping[str, str] = MappingProxyType(
    {
        "pad": PAD,
        "eos": EOS,
        "bos": BOS,
        "unk": UNK,
        "mask": MASK,
        "turn_start": TURN_START,
        "turn_end": TURN_END,
        "tool_start": TOOL_START,
        "tool_end": TOOL_END,
        "tool_call_start": TOOL_CALL_START,
        "tool_call_end": TOOL_CALL_END,
        "tool_response_start": TOOL_RESPONSE_START,
        "tool_response_end": TOOL_RESPONSE_END,
        "string_delim": STRING_DELIM,
        "think": THINK,
        "channel_start": CHANNEL_START,
        "channel_end": CHANNEL_END,
        "image_start": IMAGE_START,
        "image": IMAGE,
        "image_end": IMAGE_END,
        "audio_start": AUDIO_START,
        "audio": AUDIO,
        "audio_end": AUDIO_END,
        "video": VIDEO,
    }
)

#: Control tokens that structure a prompt. Text that came from outside (an operator, a tool result)
#: must not contain them, or it could open a turn or forge a tool call.
CONTROL_TOKENS: tuple[str, ...] = tuple(
    token for name, token in SPECIAL_TOKENS.items() if name not in ("pad", "unk", "mask")
)
