"""The planner's constraint factory: one grammar per request shape, built and compiled once."""

from __future__ import annotations

from gemma4_ros.decoding import grammar
from gemma4_ros.planning import constraints
from gemma4_ros.planning.config import GrammarLimits
from gemma4_ros.planning.constraints import ConstraintFactory


def test_a_request_shape_is_compiled_once_and_its_constraints_are_fresh(
    tokenizer, registry, monkeypatch
) -> None:
    built: list[grammar.GrammarOptions] = []
    build = constraints.build_grammar
    monkeypatch.setattr(constraints, "build_grammar",
                        lambda schemas, options: built.append(options) or build(schemas, options))
    factory = ConstraintFactory(tokenizer, registry, tokenizer.vocab_size, GrammarLimits())
    first = factory.new("required", "off", 4)
    first.commit(first.allowed_tokens()[0])
    second = factory.new("required", "off", 4)
    factory.new("auto", "off", 4)
    assert [(o.mode, o.max_calls) for o in built] == [("required", 4), ("auto", 4)]
    assert second is not first and second.forced_tokens() == factory.new(
        "required", "off", 4).forced_tokens()  # a fresh state, not the one first advanced


def test_a_written_instruction_gets_its_own_grammar_for_verbatim_arguments(
    tokenizer, registry, monkeypatch
) -> None:
    """The packaged tools copy speak/report text and the inspect target from the instruction:
    such a request compiles a grammar holding its words; voice (no words) and text-only answers
    use the shared one."""
    built: list[grammar.GrammarOptions] = []
    build = constraints.build_grammar
    monkeypatch.setattr(constraints, "build_grammar",
                        lambda schemas, options: built.append(options) or build(schemas, options))
    assert {spec.name for spec in registry.tools if spec.verbatim} == {
        "speak", "report", "inspect"}
    factory = ConstraintFactory(tokenizer, registry, tokenizer.vocab_size, GrammarLimits())
    factory.new("required", "off", 4, "say 'all clear'")
    factory.new("required", "off", 4, "say 'all clear'")
    factory.new("required", "off", 4, "")
    factory.new("required", "off", 4, " ")
    factory.new("text", "off", 4, "what is E12?")
    assert [o.verbatim_source for o in built] == ["say 'all clear'", "say 'all clear'", "", ""]
    assert [o.mode for o in built] == ["required", "required", "required", "text"]
