"""The demo corpus: deterministic, disjoint splits, and every call valid for the registry."""

from __future__ import annotations

import pytest
import re

from gemma4_ros.demo import phrases, refusals
from gemma4_ros.demo.corpus import (
    Corpus,
    CorpusError,
    build_corpus,
    build_heldout,
    fingerprint,
    held_out,
)
from gemma4_ros.demo.evaluate import parse_calls
from gemma4_ros.demo.steps import text_words
from gemma4_ros.demo.prompt import render_target
from gemma4_ros.safety import SafetyConfig
from gemma4_ros.tools import ToolRegistry


def test_same_seed_same_corpus(registry: ToolRegistry) -> None:
    first = build_corpus(registry, seed=11, n_train=500, n_heldout=50)
    again = build_corpus(registry, seed=11, n_train=500, n_heldout=50)
    other = build_corpus(registry, seed=12, n_train=500, n_heldout=50)
    assert first == again
    assert first.train != other.train


def test_heldout_alone_is_the_corpus_heldout(corpus: Corpus, registry: ToolRegistry) -> None:
    assert build_heldout(registry, seed=corpus.seed, n_heldout=400) == corpus.heldout


def test_fingerprint_follows_the_commands(corpus: Corpus) -> None:
    assert fingerprint(corpus.heldout) == fingerprint(list(corpus.heldout))
    assert fingerprint(corpus.heldout) != fingerprint(corpus.heldout[1:])


def test_sizes_as_asked(corpus: Corpus) -> None:
    assert len(corpus.train) == 4000
    assert len(corpus.heldout) == 400


def test_no_heldout_command_in_training(corpus: Corpus) -> None:
    train = {example.command for example in corpus.train}
    assert not [e.command for e in corpus.heldout if e.command in train]
    assert len({e.command for e in corpus.heldout}) == len(corpus.heldout)


def test_heldout_mixes_kinds(corpus: Corpus) -> None:
    kinds = {("refusal" if e.is_refusal else len(e.calls)) for e in corpus.heldout}
    assert kinds == {"refusal", 1, 2, 3}


def test_split_follows_the_held_out_combinations(corpus: Corpus) -> None:
    assert not [e.command for e in corpus.train if any(held_out(k, corpus.seed) for k in e.keys)]
    assert all(any(held_out(k, corpus.seed) for k in e.keys) for e in corpus.heldout)


def test_whole_frames_are_held_out(corpus: Corpus) -> None:
    frames = sorted({k for e in corpus.heldout for k in e.keys if k.startswith("frame:")
                     and held_out(k, corpus.seed)})
    assert len(frames) >= 8
    train_frames = {k for e in corpus.train for k in e.keys if k.startswith("frame:")}
    assert not set(frames) & train_frames


def test_held_out_frames_reuse_their_own_tools_words(corpus: Corpus) -> None:
    def words(frame: str) -> set[str]:
        return set(re.findall(r"[a-z]+", re.sub(r"\{[a-z_]+\}", " ", frame)))

    held = {k for e in corpus.heldout for k in e.keys if k.startswith("frame:")
            and held_out(k, corpus.seed)}
    for key in held:
        _, group, index = key.split(":")
        frames = phrases.FRAMES[group]
        others = set().union(*(words(f) for i, f in enumerate(frames) if i != int(index)))
        assert words(frames[int(index)]) <= others, key


def test_free_text_words_never_mark_a_step_boundary() -> None:
    boundary = set()
    for text in phrases.SUFFIXES + phrases.JOIN_TWO + phrases.JOIN_THREE:
        boundary |= set(re.findall(r"[a-z]+", re.sub(r"\{[a-z]\}", " ", text)))
    assert {"and", "then", "please", "now"} <= boundary
    assert not boundary & set(text_words())
    for sentence in phrases.TEXT_WHOLE:  # a held-out sentence brings no word training never saw
        assert set(re.findall(r"[a-z]+", sentence)) - boundary - {"time", "count"} <= set(text_words())


def test_a_third_of_free_text_is_random_words(corpus: Corpus) -> None:
    """Runs of two or more pool words: text no sentence template makes, so only copying works."""
    texts = [c.arguments["text"] for e in corpus.train for c in e.calls
             if c.name in ("speak", "report")]
    words = set(text_words())
    runs = [t for t in texts if len(t.split()) > 1 and set(t.split()) <= words]
    assert len(runs) > len(texts) // 4


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_every_call_is_schema_valid(corpus: Corpus, registry: ToolRegistry, split: str) -> None:
    for example in getattr(corpus, split):
        for call in example.calls:
            assert registry.problems(call.name, dict(call.arguments)) == [], example.command


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_every_target_parses_back_to_its_calls(corpus: Corpus, split: str) -> None:
    for example in getattr(corpus, split):
        parsed = parse_calls(render_target(example))
        assert parsed is not None
        assert [(c.name, dict(c.arguments)) for c in parsed] == [
            (c.name, dict(c.arguments)) for c in example.calls]


def test_refusals_make_no_call_and_name_no_tool(corpus: Corpus) -> None:
    refusals = [e for e in corpus.train if e.is_refusal]
    assert len(refusals) > 200
    assert all("<|tool_call>" not in render_target(e) for e in refusals)
    assert all(render_target(e).endswith("<turn|>") for e in refusals)


def test_custom_tool_gets_generic_phrasings(tmp_path) -> None:
    data = {
        "places": {"garage": {"x": 1.0, "y": 2.0}},
        "tools": [
            {"name": "go", "description": "Drive to a place.", "risk": "MEDIUM", "motion": True,
             "idempotent": True, "timeout_s": 60.0,
             "effect": {"kind": "goto_place", "argument": "where"},
             "parameters": {"type": "object", "properties": {"where": {"type": "string"}},
                            "required": ["where"], "additionalProperties": False}},
            {"name": "set_lamp", "description": "Dim the lamp.", "risk": "LOW", "motion": False,
             "idempotent": True, "timeout_s": 5.0,
             "parameters": {"type": "object",
                            "properties": {"level": {"type": "integer", "minimum": 0, "maximum": 10}},
                            "required": ["level"], "additionalProperties": False}},
        ],
    }
    registry = ToolRegistry.from_dict(data)
    corpus = build_corpus(registry, seed=0, n_train=300, n_heldout=30)
    names = {c.name for e in corpus.train for c in e.calls}
    assert names == {"go", "set_lamp"}
    for example in corpus.train:
        for call in example.calls:
            assert registry.problems(call.name, dict(call.arguments)) == []
    assert any(e.command.endswith("garage") or "garage " in e.command for e in corpus.train)


def test_too_small_a_phrasebook_raises_with_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from gemma4_ros.demo import corpus as corpus_module
    from gemma4_ros.demo import phrases, refusals

    for name, value in {"PREFIXES": ("",), "SUFFIXES": ("",)}.items():
        monkeypatch.setattr(phrases, name, value)
    for name, value in {"UNKNOWN_PLACES": ("moon",), "CHORES": {"open": ("door",)},
                        "ASKS": ("fly",), "UNSAFE_VERBS": ("ram",), "UNSAFE_TARGETS": ("me",),
                        "UNSAFE_WHOLE": ("jump off",)}.items():
        monkeypatch.setattr(refusals, name, value)
    monkeypatch.setattr(corpus_module, "STALL_DRAWS", 500)
    data = {"tools": [{"name": "beep", "description": "Beep.", "risk": "LOW", "motion": False,
                       "idempotent": True, "timeout_s": 1.0,
                       "parameters": {"type": "object", "properties": {},
                                      "additionalProperties": False}}]}
    with pytest.raises(CorpusError, match="fewer commands"):
        build_corpus(ToolRegistry.from_dict(data), seed=0, n_train=5000, n_heldout=10, noise=0.0)


def test_refusals_say_why(corpus: Corpus) -> None:
    """Each kind of impossible step is drawn, and answers with its own reason."""
    replies = {e.reply for e in corpus.train if e.is_refusal}
    assert replies == set(refusals.REFUSAL_TEXTS.values())
    assert all(not e.reply for e in corpus.train if not e.is_refusal)


def test_no_undeclared_place_is_a_declared_one(registry: ToolRegistry) -> None:
    named = {w for place in registry.places for w in registry.place_words(place)}
    named |= {w for words in phrases.PLACE_SYNONYMS.values() for w in words}
    assert not named & set(refusals.UNKNOWN_PLACES)
    unknown = [e for e in build_corpus(registry, seed=1, n_train=3000, n_heldout=20, noise=0.0).train
               if e.reply == refusals.REFUSAL_TEXTS["unknown_place"]]
    assert len(unknown) > 50


def test_beyond_the_schema_refused_beyond_the_bounds_planned(corpus: Corpus) -> None:
    """A value no call can take is refused; one the gate will reject (rotate 270, wait 300)
    is planned faithfully, so the gate decides and says why."""
    assert any(e.reply == refusals.REFUSAL_TEXTS["out_of_range"] for e in corpus.train)
    bounds = SafetyConfig.load().bounds

    def outside(tool: str, argument: str, value: float) -> bool:
        bound = bounds.get(tool, {}).get(argument)
        return bound is not None and not ((bound.min is None or bound.min <= value)
                                          and (bound.max is None or value <= bound.max))

    beyond = {c.name for e in corpus.train for c in e.calls
              if any(outside(c.name, k, v) for k, v in c.arguments.items())}
    assert beyond == {"move", "rotate", "wait"}
