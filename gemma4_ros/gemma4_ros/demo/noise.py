"""Typing noise for training commands: typos, shorthand and dropped punctuation.

Operators type fast: "go to teh kitchn", "trun left 90 degres", "dokc pls". The demo tokenizer
falls back to smaller pieces for a word it has no token for, so a misspelt word is never
``<unk>``, but the model must have seen such pieces stand for the word. A share of training
commands gets one or two character edits (a letter dropped, doubled, swapped with its neighbour,
or replaced by a neighbouring key), chat shorthand ("pls", "u", "thx") or lost punctuation.

Words the call copies (``verbatim``: free text, inspection targets) and digits are never touched:
the model must copy those exactly as typed, so it must never learn to "repair" them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Set as AbstractSet

# Neighbouring keys on a QWERTY keyboard: the substitutions fast typing makes.
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SHORTHAND = {"please": ("pls", "plz"), "you": ("u",), "your": ("ur",), "thanks": ("thnx", "tnx"),
             "the": ("teh", "th"), "and": ("n", "&"), "are": ("r",), "okay": ("ok", "k"),
             "meters": ("mtrs",), "seconds": ("secs",), "degrees": ("degs",)}
MIN_TYPO_LENGTH = 4
_WORD = re.compile(r"[a-z]+")


def _neighbours() -> dict[str, str]:
    found: dict[str, str] = {}
    for row in KEYBOARD_ROWS:
        for i, key in enumerate(row):
            found[key] = row[max(0, i - 1):i] + row[i + 1:i + 2]
    return found


NEIGHBOURS = _neighbours()


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one character edit; unchanged when it is too short to misspell."""
    if len(word) < MIN_TYPO_LENGTH:
        return word
    i = rng.randrange(1, len(word))  # the first letter is rarely wrong
    edit = rng.randrange(4)
    if edit == 0:
        return word[:i] + word[i + 1:]  # dropped
    if edit == 1:
        return word[:i] + word[i] + word[i:]  # doubled
    if edit == 2 and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swapped
    return word[:i] + rng.choice(NEIGHBOURS.get(word[i], word[i])) + word[i + 1:]  # next key


def add_noise(command: str, verbatim: AbstractSet[str], rng: random.Random,
              edits: int = 1) -> str:
    """``command`` with ``edits`` noisy words (typo or shorthand) outside ``verbatim``, and now
    and then its commas dropped. Only words long enough to misspell or with a shorthand are
    chosen, so the edits land on the words that carry the meaning (places, verbs, units)."""
    spans = [m for m in _WORD.finditer(command) if m.group() not in verbatim
             and (len(m.group()) >= MIN_TYPO_LENGTH or m.group() in SHORTHAND)]
    if not spans:
        return command
    chosen = sorted(rng.sample(spans, min(edits, len(spans))), key=lambda m: m.start(),
                    reverse=True)
    for match in chosen:
        word = match.group()
        options = SHORTHAND.get(word)
        new = rng.choice(options) if options and rng.random() < 0.5 else typo(word, rng)
        command = command[:match.start()] + new + command[match.end():]
    if rng.random() < 0.2 and not verbatim:  # a copied text keeps its commas
        command = command.replace(",", "")
    return command
