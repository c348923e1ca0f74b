"""The demo model's own compact tokenizer, built with the ``tokenizers`` library.

Gemma 4's 262,144-token vocabulary would make a 1 M-parameter model mostly embedding table, so
the demo model gets ~1,000 tokens chosen for what it must learn in minutes on a CPU:

* text is lower-cased (NFKC first) and split into words, single digits, single spaces and single
  punctuation marks; BPE learned on the training corpus then makes each frequent word one token,
  and an unseen word falls back to smaller pieces down to single characters — copying a name the
  model never saw is still a copy of tokens, never an ``<unk>`` (except for characters outside
  the alphabet);
* one token per digit, so any number is a copy of digits;
* one token per call opener (``call:move``) and per argument opener (``{distance:`` and
  ``,distance:``), from the registry, so a call's structure is a few tokens. The brace or comma
  is part of the argument token so that words in free text such as ``context:`` never match it;
* every Gemma 4 control token as a special token, pad/eos/bos/unk at ids 0–3 as in Gemma 4, so
  the real chat format tokenizes and the runtime finds its control tokens by string.

Spaces are tokens of their own rather than glued to words (``▁word``) so that the first word of
a copied string (after ``<|"|>``) is the same token as in the command; decoding is plain
concatenation (``ByteFallback`` + ``Fuse``), which round-trips every corpus text exactly.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from pathlib import Path

from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    trainers,
)

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat.special_tokens import SPECIAL_TOKENS
from gemma4_ros.tools import ToolRegistry

PIECES = r"[a-z_]+|[0-9]|\s|[^a-z0-9_\s]"
ALPHABET = sorted(set(string.ascii_lowercase + string.digits + string.punctuation + " \n"))


def structure_tokens(registry: ToolRegistry) -> list[str]:
    """Call and argument openers for every tool of ``registry``, in registry order."""
    tokens: list[str] = []
    for tool in registry.tools:
        tokens.append(f"call:{tool.name}")
        for argument in tool.parameters.get("properties", {}):
            for opener in (f"{{{argument}:", f",{argument}:"):
                if opener not in tokens:
                    tokens.append(opener)
    return tokens


def build_tokenizer(texts: Iterable[str], registry: ToolRegistry, vocab_size: int = 1024) -> Tokenizer:
    """Train the demo tokenizer on ``texts`` (rendered training prompts and answers)."""
    specials = list(SPECIAL_TOKENS.values())
    structure = structure_tokens(registry)
    floor = len(specials) + len(structure) + len(ALPHABET)
    if vocab_size <= floor:
        raise Gemma4RosError(f"vocab_size {vocab_size} leaves no room for words (needs > {floor})",
                             f"pass a vocab_size of at least {floor + 200}")
    tokenizer = Tokenizer(models.BPE(unk_token=SPECIAL_TOKENS["unk"]))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex(PIECES), behavior="isolated")
    # ByteFallback is a no-op here (no <0x..> tokens) but makes the decoder a Sequence that
    # llguidance recognises; a bare Fuse it refuses ("can't determine decoder type").
    tokenizer.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Fuse()])
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - len(structure), special_tokens=specials,
        initial_alphabet=ALPHABET, min_frequency=2, show_progress=False)
    tokenizer.train_from_iterator(texts, trainer=trainer)
    # Added after training so their ids follow the learned vocabulary instead of colliding with it.
    tokenizer.add_tokens([AddedToken(t, special=False, normalized=False) for t in structure])
    return tokenizer


def save_tokenizer(tokenizer: Tokenizer, directory: Path) -> Path:
    """Write ``tokenizer.json`` into ``directory``; returns its path."""
    path = Path(directory) / "tokenizer.json"
    tokenizer.save(str(path))
    return path
