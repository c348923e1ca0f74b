"""Under random logits, constrained greedy decoding always ends in valid calls (ranges included).

A random-weight model is the worst case for a grammar: it never "wants" to close a string or a
number. These runs check that the caps in the grammar end every run, that the masks and the
matcher agree, and that what comes out parses and passes the full JSON Schemas.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from gemma4_ros.decoding.call_parser import CallValidator, ParsedTurn, read_calls
from gemma4_ros.decoding.constraint import (
    CompiledGrammar,
    GrammarTokenizer,
    ToolCallConstraint,
    compile_grammar,
)
from gemma4_ros.decoding.grammar import GrammarOptions, build_grammar

TOKEN_LIMIT = 1500


def greedy_run(compiled: CompiledGrammar, seed: int, overlap: bool) -> tuple[list[int], ToolCallConstraint]:
    """Argmax over seeded random logits; forced tokens are taken without sampling."""
    rng = np.random.default_rng(seed)
    constraint = compiled.new_constraint()
    vocab = compiled.tokenizer.vocab_size
    ids: list[int] = []
    while not (constraint.is_finished() or constraint.is_error()) and len(ids) < TOKEN_LIMIT:
        forced = constraint.forced_tokens()
        if forced:
            for token in forced:
                constraint.commit(token)
            ids += forced
            continue
        logits = rng.standard_normal(vocab).astype(np.float32)
        constraint.mask_logits(logits)
        token = int(np.argmax(logits))
        if overlap:
            constraint.commit_and_prefetch(token)  # the next mask runs while "the model" does
        else:
            constraint.commit(token)
        ids.append(token)
    return ids, constraint


def check_runs(tokenizer: GrammarTokenizer, tools: list[tuple[str, Any]], options: GrammarOptions,
               runs: int) -> list[ParsedTurn]:
    compiled = compile_grammar(tokenizer, build_grammar(tools, options))
    validator = CallValidator(dict(tools))
    turns = []
    for seed in range(runs):
        ids, constraint = greedy_run(compiled, seed, overlap=seed % 2 == 1)
        text = tokenizer.decode(ids)
        assert constraint.is_finished(), (seed, constraint.error(), text)
        result = read_calls(text, validator, starts_in_thought=options.thinking == "open")
        assert isinstance(result, ParsedTurn), (seed, text, result)
        turns.append(result)
    return turns


def test_200_random_runs_all_finish_parse_and_validate(grammar_tokenizer, tools) -> None:
    turns = check_runs(grammar_tokenizer, tools, GrammarOptions(mode="required", max_calls=3), 200)
    assert all(1 <= len(turn.calls) <= 3 for turn in turns)
    assert all(turn.stop in ("<|tool_response>", "<turn|>") for turn in turns)
    used = {call.name for turn in turns for call in turn.calls}
    assert used == {name for name, _ in tools}  # every tool is reachable


@pytest.mark.parametrize("options", [
    GrammarOptions(mode="auto", max_calls=2, max_text_chars=40),
    GrammarOptions(mode="required", max_calls=2, thinking="on", max_thought_chars=40),
    GrammarOptions(mode="text", max_text_chars=40, thinking="open", max_thought_chars=40),
], ids=["auto", "thinking", "text-in-open-thought"])
def test_other_modes_finish_under_random_logits(grammar_tokenizer, tools, options) -> None:
    turns = check_runs(grammar_tokenizer, tools, options, 30)
    if options.mode == "text":
        assert all(turn.text and not turn.calls for turn in turns)


def test_an_error_sticks_and_leaves_only_end_of_sequence(grammar_tokenizer, tools) -> None:
    compiled = compile_grammar(grammar_tokenizer, build_grammar(tools))
    constraint = compiled.new_constraint()
    plain_letter = grammar_tokenizer.encode("x")[0]
    assert constraint.commit(plain_letter) is False
    assert constraint.is_error() and constraint.error() and not constraint.is_finished()
    assert constraint.commit(grammar_tokenizer.encode("<|tool_call>")[0]) is False
    logits = np.zeros(grammar_tokenizer.vocab_size, dtype=np.float32)
    constraint.mask_logits(logits)
    assert np.flatnonzero(np.isfinite(logits)).tolist() == [grammar_tokenizer.eos_token_id]
    constraint.reset()
    assert not constraint.is_error()


def test_forced_tokens_clone_and_mask_agree(grammar_tokenizer, tools) -> None:
    compiled = compile_grammar(grammar_tokenizer, build_grammar(tools))
    constraint = compiled.new_constraint()
    for token in grammar_tokenizer.encode("<|tool_call>call:st"):
        assert constraint.commit(token)
    forced = constraint.forced_tokens()
    assert grammar_tokenizer.decode(forced) == "op{}<tool_call|>"
    branch = constraint.clone()
    for token in forced:
        assert branch.commit(token)
    assert constraint.forced_tokens() == forced  # the original did not move
    allowed = branch.allowed_tokens().tolist()
    logits = np.zeros(grammar_tokenizer.vocab_size, dtype=np.float32)
    branch.mask_logits(logits)
    assert np.flatnonzero(np.isfinite(logits)).tolist() == sorted(allowed)
    assert grammar_tokenizer.decode(allowed) .count("<") == len(allowed)  # only control tokens


def test_background_masks_give_the_same_runs(grammar_tokenizer, tools, monkeypatch) -> None:
    """Every mask on the worker thread (threshold 0) changes nothing in what is decoded."""
    from gemma4_ros.decoding import constraint as constraint_module

    compiled = compile_grammar(grammar_tokenizer, build_grammar(tools, GrammarOptions(max_calls=2)))
    inline = [greedy_run(compiled, seed, overlap=False)[0] for seed in range(10)]
    monkeypatch.setattr(constraint_module, "OFFLOAD_AFTER_S", 0.0)
    threaded = [greedy_run(compiled, seed, overlap=True)[0] for seed in range(10)]
    assert threaded == inline


def test_behind_a_long_model_step_even_quick_masks_go_to_the_thread(
        grammar_tokenizer, tools, monkeypatch) -> None:
    from gemma4_ros.decoding import constraint as constraint_module

    monkeypatch.setattr(constraint_module, "OFFLOAD_AFTER_S", 1.0)  # no mask counts as slow
    compiled = compile_grammar(grammar_tokenizer, build_grammar(tools, GrammarOptions(max_calls=2)))
    constraint = compiled.new_constraint()
    logits = np.zeros(grammar_tokenizer.vocab_size, dtype=np.float32)
    constraint.mask_logits(logits)
    constraint.start_mask()  # the last gap was 0: a quick mask stays inline
    assert constraint._pending is None
    monkeypatch.setattr(constraint_module, "OFFLOAD_GAP_S", 0.0)  # every step counts as long
    constraint.mask_logits(logits)
    constraint.start_mask()
    assert constraint._pending is not None
    inline = [greedy_run(compiled, seed, overlap=False)[0] for seed in range(10)]
    threaded = [greedy_run(compiled, seed, overlap=True)[0] for seed in range(10)]
    assert threaded == inline


@pytest.mark.slow
def test_random_runs_at_gemma4_vocabulary_size(tmp_path, tools) -> None:
    """The same guarantees with a synthetic 262,144-token vocabulary (tokenizer setup ~5 s)."""
    from gemma4_ros.decoding.constraint import load_grammar_tokenizer
    from gemma4_ros.testing.fixture_tokenizer import build_full_vocab_tokenizer

    full = build_full_vocab_tokenizer(tmp_path)
    tokenizer = load_grammar_tokenizer(full.path, full.special_ids["eos"])
    assert tokenizer.vocab_size == 262_144
    turns = check_runs(tokenizer, tools, GrammarOptions(mode="required", max_calls=3), 20)
    assert all(turn.calls for turn in turns)


def test_packaged_tool_set_compiles_and_validates(grammar_tokenizer) -> None:
    """The registry's default tools.yaml goes through the grammar and back without a loss."""
    from gemma4_ros.tools.registry import ToolRegistry

    tools = [(spec.name, spec.json_schema()) for spec in ToolRegistry.load().tools]
    turns = check_runs(grammar_tokenizer, tools, GrammarOptions(max_calls=2), 20)
    assert all(turn.calls for turn in turns)
