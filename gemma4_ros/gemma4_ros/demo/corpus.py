"""The demo corpus: operator commands and the tool calls they mean, generated from the registry.

Deterministic for a seed (``random.Random`` plus SHA-256 of named keys; no set or hash order), so
the same tools.yaml and seed always give the same corpus. Commands have one to three steps joined
by connectives, a politeness prefix and suffix, and a share of them carry typing noise
(:mod:`gemma4_ros.demo.noise`); a refusal (:mod:`gemma4_ros.demo.impossible`: a chore, an unsafe
request, an undeclared place, a value no call can take) makes no call and answers with its reason,
and a command with any impossible step is refused whole — nothing half-executes.

The held-out split is by construction, not by sampling: a fixed fraction of *combinations* (a
frame with a prefix, a frame with a place synonym, a number for a tool, a free-text sentence, a
verb with an object, two tools in a row) and one whole frame of each large group are never used
for training. Every held-out command contains at least one such combination, and no held-out
command text occurs in the training split. The two splits are drawn from random streams of their
own, so an evaluation rebuilds the held-out split without drawing the training set.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import random
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from gemma4_ros.demo import phrases, refusals
from gemma4_ros.demo.impossible import ImpossibleSteps
from gemma4_ros.demo.noise import add_noise
from gemma4_ros.demo.steps import Call, Step, StepMakers, phrase_words
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.tools import ToolRegistry

HOLDOUT_RATE = 0.06
STALL_DRAWS = 20000
STEP_WEIGHTS = {1: 0.36, 2: 0.28, 3: 0.18, 0: 0.18}  # 0: a refusal
NOISE = 0.3  # share of commands with typing noise
BARE = 0.15  # share of commands without a prefix (and, drawn apart, without a suffix)


@dataclass(frozen=True)
class Example:
    """One command and the calls it means; no calls means the answer is ``reply``, a refusal."""

    command: str
    calls: tuple[Call, ...]
    steps: int = 1
    keys: tuple[str, ...] = ()
    reply: str = ""

    @property
    def is_refusal(self) -> bool:
        return not self.calls


@dataclass(frozen=True)
class Corpus:
    """Training and held-out examples; held-out commands never appear in training."""

    train: tuple[Example, ...]
    heldout: tuple[Example, ...]
    seed: int


class CorpusError(Gemma4RosError):
    """The registry cannot yield the corpus asked for."""


def build_corpus(registry: ToolRegistry, seed: int = 0, n_train: int = 150000,
                 n_heldout: int = 400, noise: float = NOISE) -> Corpus:
    """The held-out split, then training commands from a stream of their own that skips every
    held-out combination and text; raises if the registry is too small for the sizes asked."""
    heldout = build_heldout(registry, seed, n_heldout, noise)
    taken = {example.command for example in heldout}
    train = _collect(_Generator(registry, seed, "train", noise), n_train, False, taken)
    return Corpus(train, heldout, seed)


def build_heldout(registry: ToolRegistry, seed: int = 0, n_heldout: int = 400,
                  noise: float = NOISE) -> tuple[Example, ...]:
    """Only the held-out split: what an evaluation needs, without drawing the training set."""
    return _collect(_Generator(registry, seed, "heldout", noise), n_heldout, True, frozenset())


def _collect(generator: _Generator, count: int, held: bool,
             taken: AbstractSet[str]) -> tuple[Example, ...]:
    """``count`` distinct commands whose held-out status is ``held`` and whose text is not taken."""
    found: dict[str, Example] = {}
    stale = 0  # draws since the last new command
    while len(found) < count:
        if stale > STALL_DRAWS:
            split = "held-out" if held else "training"
            raise CorpusError(
                f"only {len(found)} of {count} {split} commands: the last {STALL_DRAWS} draws "
                "brought nothing new", "ask for fewer commands, or declare more tools or places")
        example, is_held = generator.draw()
        stale += 1
        # The same text can come from two constructions: a held-out text never trains.
        if is_held == held and example.command not in taken and example.command not in found:
            found[example.command] = example
            stale = 0
    return tuple(found.values())


class _Generator:
    """Draws one example at a time and says whether it belongs to the held-out split."""

    def __init__(self, registry: ToolRegistry, seed: int, stream: str, noise: float) -> None:
        self.seed = seed
        self.noise = noise
        self.rng = random.Random(f"{seed}:{stream}")
        self.steps = StepMakers(registry)
        self.makers = self.steps.makers()
        self.names = list(self.makers)
        self.impossible = ImpossibleSteps(registry, self.steps)

    def draw(self) -> tuple[Example, bool]:
        count = self.rng.choices(list(STEP_WEIGHTS), weights=list(STEP_WEIGHTS.values()))[0]
        if count == 0:
            steps = self._refusal_steps()
        else:
            steps = [self.makers[self.rng.choice(self.names)](self.rng) for _ in range(count)]
        command, keys = self._join(steps)
        if self.rng.random() < self.noise:
            verbatim = frozenset().union(*(s.verbatim for s in steps))
            command = add_noise(command, verbatim, self.rng, self.rng.choice((1, 1, 2)))
        reason = next((s.reason for s in steps if s.call is None), "")
        calls = () if reason else tuple(s.call for s in steps if s.call is not None)
        reply = refusals.REFUSAL_TEXTS[reason] if reason else ""
        example = Example(command, calls, len(steps), tuple(keys), reply)
        return example, any(held_out(key, self.seed) for key in keys)

    def _refusal_steps(self) -> list[Step]:
        impossible = self.impossible.draw(self.rng)
        others = [self.makers[self.rng.choice(self.names)](self.rng)
                  for _ in range(self.rng.choice((0, 0, 0, 1, 1, 2)))]
        others.insert(self.rng.randrange(len(others) + 1), impossible)
        return others

    def _join(self, steps: list[Step]) -> tuple[str, list[str]]:
        texts = [s.text for s in steps]
        keys = [key for s in steps for key in s.keys]
        keys += [f"seq:{a.group.split(':')[0]}>{b.group.split(':')[0]}"
                 for a, b in itertools.pairwise(steps)]
        if len(texts) == 1:
            body = texts[0]
        else:
            joins = phrases.JOIN_TWO if len(texts) == 2 else phrases.JOIN_THREE
            join_index = self.rng.randrange(len(joins))
            body = joins[join_index].format(**dict(zip("abc", texts)))
            keys.append(f"join:{join_index}:{steps[0].group}")
        prefix_index = self._wrapper(len(phrases.PREFIXES))
        suffix_index = self._wrapper(len(phrases.SUFFIXES))
        keys.append(f"prefix:{prefix_index}:{steps[0].group}")
        keys.append(f"suffix:{suffix_index}:{steps[-1].group}")
        command = phrases.PREFIXES[prefix_index] + body + phrases.SUFFIXES[suffix_index]
        return _tidy(command), keys

    def _wrapper(self, count: int) -> int:
        """Index of a prefix or suffix: 0 (none) for a share :data:`BARE` of the commands."""
        return 0 if count == 1 or self.rng.random() < BARE else self.rng.randrange(1, count)


def fingerprint(examples: Sequence[Example]) -> str:
    """SHA-256 of the commands, in order: ties a trained model to the corpus code that made its
    held-out split (any change to the phrasebook or generator changes it)."""
    return hashlib.sha256("\n".join(e.command for e in examples).encode()).hexdigest()


def held_out(key: str, seed: int) -> bool:
    """Whether the combination ``key`` belongs to the held-out split for ``seed``."""
    if key.startswith("frame:"):
        return key in _held_frames(seed)
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") < HOLDOUT_RATE * 2**32


def _tidy(command: str) -> str:
    """One space between words, none before punctuation that ends a clause."""
    command = re.sub(r"\s+", " ", command).strip()
    return re.sub(r" ([,.;:?!])", r"\1", command)


@functools.lru_cache(maxsize=8)
def _held_frames(seed: int) -> frozenset[str]:
    """One whole frame of each group of eight or more, chosen so that its every word is used by
    another frame of the same group: a new phrasing of what the model knows, not a word it
    never saw for that tool (which no model can be asked to know)."""
    held = set()
    for group, frames in phrases.FRAMES.items():
        if len(frames) < 8:
            continue
        # Index 0 is the canonical phrasing ("stop", "dock"): always trained.
        order = sorted(range(1, len(frames)),
                       key=lambda i: hashlib.sha256(f"{seed}:{group}:{i}".encode()).digest())
        for index in order:
            others = set().union(*(phrase_words(f) for i, f in enumerate(frames) if i != index))
            if phrase_words(frames[index]) <= others:
                held.add(f"frame:{group}:{index}")
                break
    return frozenset(held)
