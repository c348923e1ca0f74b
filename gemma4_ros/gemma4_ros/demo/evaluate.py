"""Scoring the demo model's answers against the corpus: exact match and argument accuracy.

Shared by the training script (greedy decoding in torch) and the full-path bench (ONNX runtime
and constrained decoding), so both report the same two numbers:

* **exact match** — the answer's calls equal the expected calls, in order (numbers compared as
  numbers, so ``2`` equals ``2.0``); for a refusal, the answer makes no call at all;
* **argument accuracy** — over every expected slot, the fraction answered right. A slot is one
  argument of one expected call (right when the call at the same position has the same tool and
  an equal value); a call without arguments is one slot (right when the tool matches); a refusal
  is one slot (right when no call is made).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gemma4_ros.demo.corpus import Example
from gemma4_ros.demo.steps import Call
from gemma4_ros.chat.special_tokens import TOOL_CALL_END, TOOL_CALL_START
from gemma4_ros.chat.tool_syntax import ToolSyntaxError, parse_arguments

CALL_PREFIX = "call:"


def parse_calls(answer: str) -> list[Call] | None:
    """The calls in a decoded answer, in order; None when a call is malformed (scores as wrong)."""
    calls = []
    for chunk in answer.split(TOOL_CALL_START)[1:]:
        body, closed, _ = chunk.partition(TOOL_CALL_END)
        if not closed or not body.startswith(CALL_PREFIX) or "{" not in body:
            return None
        name, brace, arguments = body[len(CALL_PREFIX):].partition("{")
        try:
            calls.append(Call(name, parse_arguments(brace + arguments)))
        except ToolSyntaxError:
            return None
    return calls


@dataclass
class Scores:
    """Running totals; ``by_kind`` splits exact matches by step count ("refusal", "1", "2"...)."""

    n: int = 0
    exact: int = 0
    slots: int = 0
    slots_right: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)

    @property
    def exact_match(self) -> float:
        return self.exact / self.n if self.n else 0.0

    @property
    def args_accuracy(self) -> float:
        return self.slots_right / self.slots if self.slots else 0.0

    def add(self, example: Example, answer: str) -> bool:
        """Score one decoded answer; returns whether it was an exact match."""
        return self.add_calls(example, parse_calls(answer))

    def add_calls(self, example: Example, predicted: list[Call] | None) -> bool:
        """Score the calls a model made (None: no valid answer at all); True on exact match."""
        right = predicted is not None and _same_calls(example.calls, predicted)
        slots, slots_right = _slots(example.calls, predicted or [])
        if predicted is None and not example.calls:
            slots_right = 0
        self.n += 1
        self.exact += right
        self.slots += slots
        self.slots_right += slots_right
        kind = "refusal" if example.is_refusal else str(len(example.calls))
        tally = self.by_kind.setdefault(kind, [0, 0])
        tally[0] += right
        tally[1] += 1
        return right

    def summary(self) -> dict[str, Any]:
        kinds = {k: round(v[0] / v[1], 4) for k, v in sorted(self.by_kind.items())}
        return {"exact_match": round(self.exact_match, 4),
                "args_accuracy": round(self.args_accuracy, 4), "n": self.n, "by_kind": kinds}


def score(examples: Sequence[Example], answers: Sequence[str]) -> Scores:
    scores = Scores()
    for example, answer in zip(examples, answers, strict=True):
        scores.add(example, answer)
    return scores


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _same_args(expected: Mapping[str, Any], got: Mapping[str, Any]) -> bool:
    return expected.keys() == got.keys() and all(_equal(v, got[k]) for k, v in expected.items())


def _same_calls(expected: Sequence[Call], got: Sequence[Call]) -> bool:
    return len(expected) == len(got) and all(
        e.name == g.name and _same_args(e.arguments, g.arguments) for e, g in zip(expected, got))


def _slots(expected: Sequence[Call], got: Sequence[Call]) -> tuple[int, int]:
    if not expected:
        return 1, int(not got)
    total = right = 0
    for index, call in enumerate(expected):
        other = got[index] if index < len(got) else None
        same_tool = other is not None and other.name == call.name
        if not call.arguments:
            total += 1
            right += same_tool
            continue
        for key, value in call.arguments.items():
            total += 1
            right += (other is not None and same_tool and key in other.arguments
                      and _equal(value, other.arguments[key]))
    return total, right
