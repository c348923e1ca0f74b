"""Model text → a validated answer, totally: every text yields a turn or a typed PlanningError.

Two questions, asked in order. Did the generation end properly? A stop by cancel, deadline, token
budget or grammar rejection is reported as such, with the text so far, even if that text would
parse. Then, is the text a valid answer? The decoding layer's total call parser splits it and
re-validates every call against its tool's full JSON Schema (ranges, lengths — what a grammar may
not hold, and everything when decoding ran unconstrained); the planner adds its own rules (no
more than ``max_steps`` calls, not empty, no calls where only text was asked for). Nothing here
raises on model output: callers get values and decide whether to raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, Union

from pydantic import ValidationError

from gemma4_ros.decoding.call_parser import (CallValidator, ParsedTurn, ToolCallError,
                                             parse_turn)
from gemma4_ros.planning.errors import (DeadlineExceededError, PlanCancelledError, PlanningError,
                                        PlanParseError, TokenLimitError, TooManyStepsError)
from gemma4_ros.runtime.generation import StopReason
from gemma4_ros.types import Plan, PlanStep, ToolCall

Outcome = Union[ParsedTurn, PlanningError]
_TEXT_ONLY_HINT = "ask for a plan (want_plan=True) to get tool calls"


def stop_error(reason: Optional[StopReason], text: str, *, max_tokens: int,
               deadline_s: Optional[float], grammar_error: str = "") -> Optional[PlanningError]:
    """The error for a generation that did not end at the end of its turn, else None."""
    if reason in (StopReason.EOS, StopReason.STOP_TOKEN):
        return None
    if reason is StopReason.CANCELLED:
        return PlanCancelledError("the request was cancelled before the model finished",
                                  "send the request again when wanted", text=text,
                                  stop_reason=reason)
    if reason is StopReason.DEADLINE:
        return DeadlineExceededError(
            f"the deadline of {deadline_s} s passed before the model finished its turn",
            "raise deadline_s, shorten the prompt, or use a faster model or provider",
            limit=deadline_s or 0.0, text=text, stop_reason=reason)
    if reason is StopReason.MAX_TOKENS:
        return TokenLimitError(
            f"the model used all {max_tokens} tokens before finishing its turn",
            "raise max_tokens, or lower the grammar caps (max_text_chars, string_chars_cap)",
            limit=max_tokens, text=text, stop_reason=reason, span=(0, len(text)))
    problem = grammar_error or "every token was masked"
    return PlanParseError("grammar", f"constrained decoding stopped: {problem}",
                          "report the tool schemas and the model output; this is a decoding bug",
                          text=text, span=(0, len(text)), stop_reason=reason)


def parse_answer(text: str, validator: Optional[CallValidator], *, starts_in_thought: bool = False,
                 max_steps: int = 64, calls_required: bool = False,
                 stop_reason: Optional[StopReason] = None) -> Outcome:
    """The turn in ``text`` when valid; ``validator`` None means tool calls are not allowed,
    ``calls_required`` that a text answer alone is not enough."""
    turn = parse_turn(text, starts_in_thought)
    if isinstance(turn, ToolCallError):
        return _from_call_error(turn, text, stop_reason)
    if turn.calls and validator is None:
        return PlanParseError("syntax", "the answer contains tool calls where only text was asked "
                              "for", _TEXT_ONLY_HINT, text=text, span=turn.calls[0].span,
                              stop_reason=stop_reason)
    errors = validator.errors(turn) if validator is not None else []
    if errors:
        return _from_call_error(errors[0], text, stop_reason)
    if len(turn.calls) > max_steps:
        first_extra = turn.calls[max_steps].span
        return TooManyStepsError(f"the model proposed {len(turn.calls)} steps; at most "
                                 f"{max_steps} are allowed",
                                 "raise max_steps or split the instruction", limit=max_steps,
                                 text=text, stop_reason=stop_reason,
                                 span=(first_extra[0], turn.calls[-1].span[1]))
    if calls_required and not turn.calls:
        return PlanParseError("no_calls", "the model answered without calling any tool",
                              "rephrase the instruction, or set allow_text_answer to accept text "
                              "answers", text=text, span=(0, len(text)), stop_reason=stop_reason)
    if not turn.calls and not turn.text:
        return PlanParseError("empty", "the model answered with neither tool calls nor text",
                              "rephrase the instruction or check the model and prompt",
                              text=text, span=(0, len(text)), stop_reason=stop_reason)
    return turn


def plan_from_turn(turn: ParsedTurn, text: str, confidences: Sequence[Optional[float]] = (),
                   **fields: Any) -> Union[Plan, PlanningError]:
    """The Plan of a valid turn (its text becomes the summary); ``confidences`` are the calls'
    (missing ones are unknown, None); ``fields`` fill the rest."""
    known = list(confidences)[:len(turn.calls)]
    known += [None] * (len(turn.calls) - len(known))
    try:
        steps = tuple(PlanStep(index=i, call=ToolCall(name=call.name, arguments=call.arguments),
                               confidence=confidence)
                      for i, (call, confidence) in enumerate(zip(turn.calls, known)))
        return Plan(steps=steps, summary=turn.text, **fields)
    except ValidationError as error:
        return PlanParseError("schema", f"the plan does not validate: {error.errors()[0]['msg']}",
                              "constrain decoding or re-plan", text=text, span=(0, len(text)))


def parse_plan(text: str, validator: CallValidator, *, starts_in_thought: bool = False,
               max_steps: int = 64, calls_required: bool = False,
               **fields: Any) -> Union[Plan, PlanningError]:
    """Any text → a validated :class:`Plan` or a :class:`PlanningError` (never raises)."""
    turn = parse_answer(text, validator, starts_in_thought=starts_in_thought, max_steps=max_steps,
                        calls_required=calls_required)
    if isinstance(turn, PlanningError):
        return turn
    return plan_from_turn(turn, text, **fields)


def _from_call_error(error: ToolCallError, text: str,
                     stop_reason: Optional[StopReason]) -> PlanParseError:
    return PlanParseError(error.kind, error.problem, error.hint, text=text, span=error.span,
                          stop_reason=stop_reason, tool=error.tool, path=error.path)
