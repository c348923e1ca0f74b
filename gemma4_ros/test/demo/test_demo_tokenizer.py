"""The demo tokenizer: exact round trip, one token per structure piece, Gemma 4 control tokens."""

from __future__ import annotations

import pytest
from gemma4_ros.demo.corpus import Corpus
from gemma4_ros.demo.prompt import render_prompt, render_target
from gemma4_ros.demo.tokenizer import build_tokenizer, save_tokenizer, structure_tokens
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat.special_tokens import SPECIAL_TOKENS
from gemma4_ros.tools import ToolRegistry
from tokenizers import Tokenizer


@pytest.fixture(scope="module")
def tokenizer(corpus: Corpus, registry: ToolRegistry) -> Tokenizer:
    texts = [render_prompt(e.command) + render_target(e) for e in corpus.train]
    return build_tokenizer(texts, registry, vocab_size=900)


def _round_trip(tokenizer: Tokenizer, text: str) -> str:
    return tokenizer.decode(tokenizer.encode(text).ids, skip_special_tokens=False)


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_every_target_and_prompt_round_trips(tokenizer: Tokenizer, corpus: Corpus, split: str) -> None:
    for example in getattr(corpus, split):
        for text in (render_target(example), render_prompt(example.command)):
            assert _round_trip(tokenizer, text) == text


def test_heldout_has_no_unknown_tokens(tokenizer: Tokenizer, corpus: Corpus) -> None:
    unk = tokenizer.token_to_id("<unk>")
    for example in corpus.heldout:
        assert unk not in tokenizer.encode(render_prompt(example.command)).ids


def test_unseen_words_fall_back_to_pieces(tokenizer: Tokenizer) -> None:
    text = "say zyxwvut quorble"
    encoding = tokenizer.encode(text)
    assert tokenizer.token_to_id("<unk>") not in encoding.ids
    assert _round_trip(tokenizer, text) == text


def test_control_tokens_keep_gemma_ids_and_strings(tokenizer: Tokenizer) -> None:
    assert [tokenizer.token_to_id(t) for t in ("<pad>", "<eos>", "<bos>", "<unk>")] == [0, 1, 2, 3]
    for token in SPECIAL_TOKENS.values():
        assert tokenizer.encode(token).tokens == [token]


def test_calls_are_few_tokens(tokenizer: Tokenizer, registry: ToolRegistry) -> None:
    for token in structure_tokens(registry):
        assert tokenizer.encode(token).tokens == [token]
    call = '<|tool_call>call:move{distance:-1.5,speed:0.2}<tool_call|>'
    assert tokenizer.encode(call).tokens == [
        "<|tool_call>", "call:move", "{distance:", "-", "1", ".", "5", ",speed:", "0", ".", "2", "}",
        "<tool_call|>"]


def test_argument_token_does_not_fire_inside_words(tokenizer: Tokenizer) -> None:
    assert "{text:" not in tokenizer.encode("say the context: fine").tokens


def test_lower_cases_input(tokenizer: Tokenizer) -> None:
    assert tokenizer.encode("GO To The Kitchen").ids == tokenizer.encode("go to the kitchen").ids


def test_llguidance_reads_it(tokenizer: Tokenizer, tmp_path) -> None:
    llguidance = pytest.importorskip("llguidance")
    path = save_tokenizer(tokenizer, tmp_path)
    ll = llguidance.LLTokenizer(path.read_text(encoding="utf-8"),
                                eos_token=tokenizer.token_to_id("<turn|>"))
    text = 'say hi<|tool_call>call:wait{seconds:5}<tool_call|>'
    assert ll.decode_str(tokenizer.encode(text).ids) == text


def test_too_small_vocabulary_is_refused(registry: ToolRegistry) -> None:
    with pytest.raises(Gemma4RosError, match="vocab_size"):
        build_tokenizer(["go"], registry, vocab_size=50)
