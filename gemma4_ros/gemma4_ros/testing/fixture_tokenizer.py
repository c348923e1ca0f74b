"""Small and full-size tokenizers shaped like Gemma 4's, built offline and deterministically.

Both builders write a ``tokenizer.json`` in the family of the real one: BPE with byte fallback
(any text encodes; characters outside the vocabulary become ``<0xNN>`` tokens), spaces written as
``▁``, every Gemma 4 control token as a special added token, no automatic ``<bos>``. The ids of
the control tokens come back to the caller, because fixture model configs must use the same ids
for pad / bos / eos / image / audio, and nothing in the package hard-codes them.

* :func:`build_fixture_tokenizer` trains a real BPE on a built-in robot-command corpus (a few
  hundred to a few thousand tokens; fast enough for every test session).
* :func:`build_full_vocab_tokenizer` makes a synthetic 262,144-token vocabulary (Gemma 4's size)
  for grammar-engine benches: merges are generated, not trained, so it takes seconds not minutes.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
from pathlib import Path
from typing import Iterator, Union

from tokenizers import (
    AddedToken,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    trainers,
)

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat.special_tokens import SPECIAL_TOKENS, UNK

GEMMA4_VOCAB_SIZE = 262_144
SPACE = "▁"
_BYTE_TOKENS = tuple(f"<0x{value:02X}>" for value in range(256))
_UNUSED = "<unused{}>"

_PLACES = "dock kitchen lab hallway door charger office elevator garage table shelf window".split()
_OBJECTS = "cup box person robot light valve gauge panel cable screen sign chair".split()
_TEMPLATES = (
    "go to the {place} and inspect the {obj}",
    "navigate to {place} at speed 0.{n}",
    "move forward {n} meters then rotate {m}0 degrees",
    "rotate left by {m}5 degrees and stop",
    "capture an image of the {obj} near the {place}",
    "what do you see on the {obj}?",
    "wait {n} seconds, then report the state of the {obj}",
    "say hello to the person at the {place}",
    "dock and charge, then report battery level",
    "stop now!",
    "is the {obj} in the {place} damaged? answer yes or no",
    "call:navigate_to{{place:{place},speed:0.{n}}}",
    "call:move{{distance:{n}.{m},speed:0.{m}}}",
    "call:inspect{{target:{obj},question:is it broken}}",
    "call:speak{{text:the {obj} is ready}}",
    "response:capture_image{{status:ok,width:640,height:480}}",
    "The {obj} looks fine. I will now return to the {place}.",
    "system\nYou are a robot planner. user model declaration description parameters "
    "properties required type STRING NUMBER INTEGER BOOLEAN OBJECT ARRAY enum items",
    "Température 21°C, humidité 40% — tout va bien ✓",
)


class FixtureTokenizerError(Gemma4RosError):
    """A fixture tokenizer cannot be built with the requested parameters."""


@dataclasses.dataclass(frozen=True)
class FixtureTokenizer:
    """Where the tokenizer was written, its exact vocabulary size and the control-token ids."""

    path: Path
    vocab_size: int
    special_ids: dict[str, int]


def default_corpus() -> list[str]:
    """The built-in training corpus: robot commands, calls and replies, some non-ASCII."""
    rng = random.Random(4)
    lines = []
    for template in _TEMPLATES:
        for _ in range(12):
            fields = {
                "place": rng.choice(_PLACES),
                "obj": rng.choice(_OBJECTS),
                "n": rng.randint(1, 9),
                "m": rng.randint(1, 9),
            }
            lines.append(template.format(**fields))
    return lines


def build_fixture_tokenizer(
    out_dir: Union[str, Path], vocab_size: int = 1024, corpus: Union[list[str], None] = None
) -> FixtureTokenizer:
    """Train a small Gemma 4–style BPE tokenizer and write ``OUT_DIR/tokenizer.json``.

    The vocabulary has exactly ``vocab_size`` ids (control tokens first, then 256 byte tokens,
    then learned pieces, then ``<unusedN>`` filler if the corpus ran out of merges), so a model
    with that vocab size can emit any id and every id decodes.
    """
    reserved = len(SPECIAL_TOKENS) + len(_BYTE_TOKENS)
    if vocab_size < reserved + 64:
        raise FixtureTokenizerError(
            f"vocab_size {vocab_size} is too small",
            f"use at least {reserved + 64} (control tokens + 256 byte tokens + 64 pieces)",
        )
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[*SPECIAL_TOKENS.values(), *_BYTE_TOKENS],
        show_progress=False,
    )
    draft = Tokenizer(models.BPE(unk_token=UNK))
    draft.normalizer = normalizers.Replace(" ", SPACE)
    draft.pre_tokenizer = _pre_tokenizer()
    draft.train_from_iterator(corpus if corpus is not None else default_corpus(), trainer=trainer)
    model = json.loads(draft.to_str())["model"]
    vocab = sorted(model["vocab"].items(), key=lambda item: item[1])
    merges = [tuple(merge) for merge in model["merges"]]
    pieces = [piece for piece, _ in vocab]
    pieces += [_UNUSED.format(index) for index in range(vocab_size - len(pieces))]
    return _write(Path(out_dir), pieces, merges)


def build_full_vocab_tokenizer(
    out_dir: Union[str, Path], vocab_size: int = GEMMA4_VOCAB_SIZE
) -> FixtureTokenizer:
    """Write a synthetic tokenizer with Gemma 4's vocabulary size (262,144 by default).

    Pieces are all strings of one to four characters over a fixed alphabet (with ``▁``), in a
    seeded order, each reachable by the merge (piece[:-1], piece[-1]); realistic enough in
    structure (many pieces share prefixes) to load a grammar engine the way the real one does.
    """
    alphabet = sorted(set("abcdefghijklmnopqrstuvwxyz0123456789_.,:{}") | {SPACE})
    pieces = [*SPECIAL_TOKENS.values(), *_BYTE_TOKENS, *alphabet]
    if vocab_size <= len(pieces):
        raise FixtureTokenizerError(
            f"vocab_size {vocab_size} is too small", f"use more than {len(pieces)}"
        )
    merges = []
    for piece in itertools.islice(_synthetic_pieces(alphabet), vocab_size - len(pieces)):
        pieces.append(piece)
        merges.append((piece[:-1], piece[-1]))
    return _write(Path(out_dir), pieces, merges)


def _synthetic_pieces(alphabet: list[str]) -> Iterator[str]:
    """Pieces of length 2, 3, then 4 in a seeded order; each one's prefix comes earlier."""
    rng = random.Random(262144)
    for length in (2, 3):
        level = ["".join(chars) for chars in itertools.product(alphabet, repeat=length)]
        yield from level
    prefixes = ["".join(chars) for chars in itertools.product(alphabet, repeat=3)]
    rng.shuffle(prefixes)
    for prefix in prefixes:
        for char in alphabet:
            yield prefix + char


def _pre_tokenizer() -> pre_tokenizers.PreTokenizer:
    """Word-like pieces: split before each ``▁`` so no piece spans two words."""
    return pre_tokenizers.Split(SPACE, behavior="merged_with_next")


def _write(out_dir: Path, pieces: list[str], merges: list[tuple[str, str]]) -> FixtureTokenizer:
    vocab = {piece: index for index, piece in enumerate(pieces)}
    tokenizer = Tokenizer(
        models.BPE(vocab=vocab, merges=merges, unk_token=UNK, byte_fallback=True, fuse_unk=True)
    )
    tokenizer.normalizer = normalizers.Replace(" ", SPACE)
    tokenizer.pre_tokenizer = _pre_tokenizer()
    tokenizer.decoder = decoders.Sequence(
        [decoders.Replace(SPACE, " "), decoders.ByteFallback(), decoders.Fuse()]
    )
    tokenizer.add_special_tokens(
        [AddedToken(token, special=True, normalized=False) for token in SPECIAL_TOKENS.values()]
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "tokenizer.json"
    tokenizer.save(str(path))
    special_ids = {name: vocab[token] for name, token in SPECIAL_TOKENS.items()}
    return FixtureTokenizer(path, tokenizer.get_vocab_size(with_added_tokens=True), special_ids)
