"""The development set plan.low_confidence's threshold is chosen on (bench/confidence_sweep.py):
valid for the tools, varied, and apart from both the evaluation set and the training text — a
threshold tuned on either would report figures it was fitted to."""

from __future__ import annotations

import re
from collections import Counter

from gemma4_ros.demo.corpus import build_corpus
from gemma4_ros.demo.handwritten import load_eval_set
from gemma4_ros.paths import share_dir
from gemma4_ros.tools import ToolRegistry

DEV_SET = share_dir() / "eval" / "confidence_dev.jsonl"


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def test_the_dev_set_is_valid_varied_and_apart_from_the_evaluation_set() -> None:
    registry = ToolRegistry.load()
    dev = load_eval_set(DEV_SET, registry)  # every expected call valid for these tools
    assert len(dev) >= 60 and len({words(c.command) for c in dev}) == len(dev)
    motion = {spec.name for spec in registry.tools if spec.motion}
    assert sum(any(call.name in motion for call in c.calls) for c in dev) >= 30
    assert sum(c.is_refusal for c in dev) >= 20 and len(Counter(c.tag for c in dev)) >= 15
    evaluation = {words(c.command) for c in load_eval_set(registry=registry)}
    assert not [c.command for c in dev if words(c.command) in evaluation]


def test_no_dev_command_is_generated_training_text() -> None:
    registry = ToolRegistry.load()
    corpus = build_corpus(registry, seed=0, n_train=20000, n_heldout=400)
    generated = {words(example.command) for example in corpus.train + corpus.heldout}
    assert not [c.command for c in load_eval_set(DEV_SET, registry)
                if words(c.command) in generated]
