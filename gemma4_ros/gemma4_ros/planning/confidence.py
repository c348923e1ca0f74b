"""How sure the model was of each call: the lowest probability among the call's sampled tokens.

The generation loop gives every sampled token its probability under the distribution it was
drawn from — after the grammar mask and the temperature (:meth:`Sampler.probability`). A call
owns the tokens whose text lies in its ``<|tool_call>…<tool_call|>`` block (the call parser's
span), the opening marker included: choosing to call a tool at all is part of the call.

* Forced tokens (the grammar left one choice) are skipped: the model's belief played no part.
* The minimum, not the mean or the product: one unsure choice — a digit of a distance, which
  place — is what makes a call wrong, and neither a long call's many sure tokens (mean) nor its
  mere length (product) should move the figure.
* A call whose every token was forced is 1.0: nothing was left to the model.
* When the tokens cannot be placed in the parsed text (their pieces do not spell it), each call's
  confidence is unknown (None), which the gate treats as unsure — never as sure.
"""

from __future__ import annotations

from collections.abc import Sequence

from gemma4_ros.chat.tokenizer import Gemma4Tokenizer

Span = tuple[int, int]


def token_pieces(tokenizer: Gemma4Tokenizer, token_ids: Sequence[int]) -> list[str]:
    """The text each token adds, in order (a character split over byte tokens lands on the
    token that completes it); joined, they spell the decoded text."""
    decoder = tokenizer.stream_decoder()
    pieces = [decoder.push(token) for token in token_ids]
    if pieces:
        pieces[-1] += decoder.finish()
    return pieces


def call_confidences(pieces: Sequence[str], probabilities: Sequence[float | None], text: str,
                     spans: Sequence[Span]) -> tuple[float | None, ...]:
    """One confidence per call span of ``text`` (the parsed text of the tokens whose pieces and
    probabilities are given): the lowest probability among its sampled tokens."""
    if len(pieces) != len(probabilities) or not "".join(pieces).startswith(text):
        return (None,) * len(spans)
    lowest = [1.0] * len(spans)
    start = 0
    for piece, probability in zip(pieces, probabilities):
        end = start + len(piece)
        if probability is not None:
            for k, (first, stop) in enumerate(spans):
                if _inside(start, end, first, stop):
                    lowest[k] = min(lowest[k], probability)
        start = end
    return tuple(lowest)


def _inside(start: int, end: int, first: int, stop: int) -> bool:
    """Whether a token's text [start, end) overlaps [first, stop); a token that added no text
    yet (an incomplete character) belongs where its text will appear."""
    if start == end:
        return first <= start < stop
    return start < stop and end > first
