"""Tables of model turns the tool-call grammar must admit and must refuse (llguidance itself)."""

from __future__ import annotations

from typing import Any, Union

import pytest
from gemma4_ros.decoding.constraint import GrammarTokenizer, compile_grammar
from gemma4_ros.decoding.grammar import SAID_KEY, GrammarError, GrammarOptions, build_grammar

S = '<|"|>'  # the string delimiter token
TC, TE, TR, END = "<|tool_call>", "<tool_call|>", "<|tool_response>", "<turn|>"


def call(body: str) -> str:
    return f"{TC}call:{body}{TE}"


ACCEPTED_CALLS = [
    call(f"navigate_to{{place:{S}dock{S}}}") + TR,
    call(f"navigate_to{{place:{S}lab{S},speed:0.5}}") + END,
    call(f"navigate_to{{place:{S}lab{S},speed:0.05}}") + TR,
    call("move{distance:-5}") + TR,
    call("move{distance:1.25,speed:0.0001}") + TR,
    call("rotate{angle:-180}") + call("rotate{angle:90}") + TR,
    call(f"speak{{text:{S}Hello, I am \"here\" {{ok}}: 100%{S}}}") + TR,
    call("stop{}") + TR,
    call(f"inspect{{question:null,target:{S}gauge{S}}}") + TR,
    call(f"inspect{{question:{S}is it broken?{S},target:{S}valve{S}}}") + TR,
    call(f"inspect{{target:{S}valve{S}}}") + TR,
    call("follow_path{loop:true,points:[{x:1,y:-2.5},{x:0,y:0}]}") + TR,
    call("follow_path{points:[{x:50,y:-50}]}") + TR,
]

REJECTED_CALLS = {
    "unknown tool": call("fly{}") + TR,
    "missing required key": call("move{speed:0.5}") + TR,
    "JSON-quoted string": call('speak{text:"hello"}') + TR,
    "JSON-quoted key": call(f'speak{{"text":{S}hi{S}}}') + TR,
    "typed-out delimiter": (f"{TC}call:speak{{text:", ("<|\"|>",), f"hi{S}}}{TE}{TR}"),
    "typed-out call marker": (("<|tool_call>",), f"call:stop{{}}{TE}{TR}"),
    "markup inside a string": call(f"speak{{text:{S}a|>b{S}}}") + TR,
    "undeclared enum value": call(f"navigate_to{{place:{S}roof{S}}}") + TR,
    "out-of-order keys": call(f"inspect{{target:{S}valve{S},question:null}}") + TR,
    "undeclared key": call("rotate{angle:5,speed:1}") + TR,
    "above maximum": call("rotate{angle:181}") + TR,
    "below exclusive minimum": call("move{distance:1,speed:0}") + TR,
    "fraction for an integer": call("rotate{angle:1.5}") + TR,
    "too many decimals": call("move{distance:1.123456}") + TR,
    "exponent": call("move{distance:1e2}") + TR,
    "whitespace": call("move{distance: 1}") + TR,
    "empty string below minLength": call(f"speak{{text:{S}{S}}}") + TR,
    "too many items": call("follow_path{points:[{x:1,y:1},{x:1,y:1},{x:1,y:1},{x:1,y:1}]}") + TR,
    "no items below minItems": call("follow_path{points:[]}") + TR,
    "text answer in required mode": "I will go." + END,
    "no end token": call("stop{}"),
    "calls after the end": call("stop{}") + TR + call("stop{}"),
}


def admits(tokenizer: GrammarTokenizer, grammar: str, text: Union[str, tuple]) -> bool:
    """Feed ``text`` token by token; in a tuple, a part in its own 1-tuple is typed out as plain
    characters rather than encoded as control tokens."""
    parts = (text,) if isinstance(text, str) else text
    tokens = [token for part in parts for token in (
        tokenizer.encode(part) if isinstance(part, str) else tokenizer.encode(part[0], special=False))]
    constraint = compile_grammar(tokenizer, grammar).new_constraint()
    for token in tokens:
        if not constraint.commit(token):
            return False
    return constraint.is_finished()


@pytest.fixture(scope="module")
def required_grammar(tools: list[tuple[str, dict[str, Any]]]) -> str:
    return build_grammar(tools, GrammarOptions(mode="required", max_calls=3))


@pytest.mark.parametrize("text", ACCEPTED_CALLS)
def test_well_formed_calls_are_admitted(grammar_tokenizer, required_grammar, text: str) -> None:
    assert admits(grammar_tokenizer, required_grammar, text)


@pytest.mark.parametrize("text", REJECTED_CALLS.values(), ids=REJECTED_CALLS.keys())
def test_malformed_calls_are_refused(grammar_tokenizer, required_grammar, text: str) -> None:
    assert not admits(grammar_tokenizer, required_grammar, text)


def test_max_calls_is_a_limit(grammar_tokenizer, required_grammar) -> None:
    assert admits(grammar_tokenizer, required_grammar, call("stop{}") * 3 + TR)
    assert not admits(grammar_tokenizer, required_grammar, call("stop{}") * 4 + TR)


@pytest.mark.parametrize(("text", "admitted"), [
    ("The dock is free." + END, True),
    ("Going now." + call("stop{}") + TR, True),
    (call("stop{}") + TR, True),
    ("Going now." + TR, False),  # a text answer ends the turn, it does not wait for results
    ("a <|tool_call> typed out" + END, False),
    ("" + END, False),
])
def test_auto_mode_allows_a_text_answer_or_text_before_calls(grammar_tokenizer, tools, text, admitted):
    grammar = build_grammar(tools, GrammarOptions(mode="auto"))
    assert admits(grammar_tokenizer, grammar, text) is admitted


@pytest.mark.parametrize(("thinking", "text", "admitted"), [
    ("on", "<|channel>thought\nThe dock is near.<channel|>" + call("stop{}") + TR, True),
    ("on", call("stop{}") + TR, True),
    ("off", "<|channel>thought\nhm<channel|>" + call("stop{}") + TR, False),
    ("open", "The dock is near.<channel|>" + call("stop{}") + TR, True),
    ("open", call("stop{}") + TR, False),
])
def test_thinking_channel(grammar_tokenizer, tools, thinking, text, admitted) -> None:
    grammar = build_grammar(tools, GrammarOptions(thinking=thinking))
    assert admits(grammar_tokenizer, grammar, text) is admitted


def test_text_mode_refuses_calls(grammar_tokenizer, tools) -> None:
    grammar = build_grammar(tools, GrammarOptions(mode="text"))
    assert admits(grammar_tokenizer, grammar, "Yes, the valve is open." + END)
    assert not admits(grammar_tokenizer, grammar, call("stop{}") + TR)


def test_schema_key_order_option(grammar_tokenizer, tools) -> None:
    grammar = build_grammar(tools, GrammarOptions(key_order="schema"))
    assert admits(grammar_tokenizer, grammar, call(f"inspect{{target:{S}x{S},question:null}}") + TR)
    assert not admits(grammar_tokenizer, grammar, call(f"inspect{{question:null,target:{S}x{S}}}") + TR)


@pytest.mark.parametrize(("schema", "fragment"), [
    ({"type": "object", "properties": {"a": {"$ref": "#/defs/a"}}}, "$ref"),
    ({"type": "object", "properties": {"a": {}}}, "no type"),
    ({"type": "object", "properties": {"bad-key": {"type": "string"}}}, "bare identifier"),
    ({"type": "object", "properties": {"a": {"enum": ["x<|y"]}}}, "markup"),
    ({"type": "object", "properties": {"a": {"type": "integer", "minimum": 3, "maximum": 2}}}, "no integer"),
    ({"type": "object", "properties": {"a": {"type": "array"}}}, "items"),
    ({"type": "object", "required": ["b"], "properties": {}}, "not in properties"),
])
def test_unsupported_schemas_fail_with_a_hint(schema: dict, fragment: str) -> None:
    with pytest.raises(GrammarError) as caught:
        build_grammar([("tool", schema)])
    assert fragment in str(caught.value) and caught.value.hint


def test_end_tokens_must_be_control_tokens() -> None:
    with pytest.raises(GrammarError):
        build_grammar([("stop", {"type": "object"})], GrammarOptions(call_end_tokens=("done",)))


@pytest.mark.parametrize("value", ['say "hi"', "back\\slash", "line\nbreak", "café ✓", "a<b>c", "a|b"])
def test_enum_strings_with_quotes_escapes_and_unicode(grammar_tokenizer, value: str) -> None:
    grammar = build_grammar([("say", {"type": "object", "required": ["v"],
                                      "properties": {"v": {"enum": [value, "other"]}}})])
    assert admits(grammar_tokenizer, grammar, call(f"say{{v:{S}{value}{S}}}") + TR)
    assert not admits(grammar_tokenizer, grammar, call(f"say{{v:{S}{value}x{S}}}") + TR)


def test_tool_names_must_be_unique_and_bare() -> None:
    with pytest.raises(GrammarError):
        build_grammar([("a", {"type": "object"}), ("a", {"type": "object"})])
    with pytest.raises(GrammarError):
        build_grammar([("go-to", {"type": "object"})])


def test_text_slices_change_no_mask(grammar_tokenizer, fixture_tokenizer, tools) -> None:
    """Slices only make masks cheaper: along random runs every mask equals the one computed
    by walking the whole vocabulary (no slices)."""
    import llguidance
    import numpy as np
    from gemma4_ros.decoding.mask import allowed_ids

    plain = llguidance.LLTokenizer(fixture_tokenizer.path.read_text(encoding="utf-8"),
                                   eos_token=grammar_tokenizer.eos_token_id, slices=[])
    grammar = build_grammar(tools, GrammarOptions(mode="auto", max_calls=3))
    sliced_mask = np.zeros((grammar_tokenizer.vocab_size + 31) // 32, dtype=np.int32)
    plain_mask = sliced_mask.copy()
    for seed in range(8):
        rng = np.random.default_rng(seed)
        sliced = llguidance.LLMatcher(grammar_tokenizer.ll, grammar, log_level=0)
        walked = llguidance.LLMatcher(plain, grammar, log_level=0)
        while not sliced.is_stopped():
            sliced.unsafe_compute_mask_ptr(sliced_mask.ctypes.data, sliced_mask.nbytes)
            walked.unsafe_compute_mask_ptr(plain_mask.ctypes.data, plain_mask.nbytes)
            assert np.array_equal(sliced_mask, plain_mask)
            token = int(rng.choice(allowed_ids(sliced_mask.view(np.uint32))))
            assert sliced.consume_token(token) and walked.consume_token(token)


VERBATIM_SPEAK = ("speak", {"type": "object", "required": ["text"], "properties": {
    "text": {"type": "string", "minLength": 1, "x-gemma4-ros-verbatim": True}}})
SAID = "Please say: Valve three is dripping, to the team"


@pytest.mark.parametrize("text, admitted", [
    ("Valve three is dripping", True),
    ("valve three is dripping", True),  # the lower-cased form (models that write lower case)
    ("dripping", True),
    ("three is dripping, to the team", True),  # a run of words may hold punctuation
    ("Valve three is drill", False),  # a garbled word
    ("the valve is dripping", False),  # words not in that order
    (" three is dripping", False),  # starts between words
    ("three is ", False),  # ends between words
    ("Valve three is dripping.", False),  # nothing added
])
def test_verbatim_strings_are_runs_of_the_instruction(grammar_tokenizer, text: str,
                                                      admitted: bool) -> None:
    grammar = build_grammar([VERBATIM_SPEAK], GrammarOptions(verbatim_source=SAID))
    assert admits(grammar_tokenizer, grammar, call(f"speak{{text:{S}{text}{S}}}") + TR) is admitted


QUOTED = "Say 'good morning, team' and it's done"


@pytest.mark.parametrize("text, admitted", [
    ("good morning, team", True),  # a quotation is copied whole
    ("good morning", False),  # never in part
    ("good morning, team' and", False),  # nor across its marks
    ("it's done", True),  # words around it are runs as before ("it's" opens no quotation)
    ("Say", True), ("say", True),
])
def test_quotations_are_copied_whole(grammar_tokenizer, text: str, admitted: bool) -> None:
    grammar = build_grammar([VERBATIM_SPEAK], GrammarOptions(verbatim_source=QUOTED))
    assert admits(grammar_tokenizer, grammar, call(f"speak{{text:{S}{text}{S}}}") + TR) is admitted


def test_verbatim_without_an_instruction_is_free_text(grammar_tokenizer) -> None:
    """Voice has no written words to copy from: the string is free text as without the mark."""
    anything = call(f"speak{{text:{S}the valve is dripping{S}}}") + TR
    for source in ("", "  "):
        grammar = build_grammar([VERBATIM_SPEAK], GrammarOptions(verbatim_source=source))
        assert admits(grammar_tokenizer, grammar, anything)
    said = build_grammar([VERBATIM_SPEAK], GrammarOptions(verbatim_source=SAID))
    assert not admits(grammar_tokenizer, said, anything)


def test_verbatim_source_with_markup_characters(grammar_tokenizer) -> None:
    """``|`` never enters a string (the parser would read it as markup): it is a space there."""
    grammar = build_grammar([VERBATIM_SPEAK], GrammarOptions(verbatim_source="say a|b now"))
    assert admits(grammar_tokenizer, grammar, call(f"speak{{text:{S}a b now{S}}}") + TR)
    assert not admits(grammar_tokenizer, grammar, call(f"speak{{text:{S}a|b{S}}}") + TR)


SAID_MOVE = ("move", {"type": "object", "required": ["distance"], "properties": {
    "distance": {"type": "number", SAID_KEY: ["-1", "0.5", "1.5"]},
    "speed": {"type": "number", "minimum": 0, "maximum": 1}}})


@pytest.mark.parametrize("value, admitted", [
    ("0.5", True), ("-1", True), ("1.5", True),
    ("1", False),  # a prefix of a said value is not one
    ("0.55", False), ("1.0", False), ("2", False), ("-0.5", False),
])
def test_said_numbers_are_only_the_said_values(grammar_tokenizer, value: str,
                                               admitted: bool) -> None:
    grammar = build_grammar([SAID_MOVE], GrammarOptions())
    assert admits(grammar_tokenizer, grammar, call(f"move{{distance:{value}}}") + TR) is admitted


def test_a_number_without_said_values_is_free(grammar_tokenizer) -> None:
    grammar = build_grammar([SAID_MOVE], GrammarOptions())
    assert admits(grammar_tokenizer, grammar, call("move{distance:0.5,speed:0.25}") + TR)
