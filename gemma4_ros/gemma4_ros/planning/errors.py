"""Why a planning request produced no plan, as types a node can branch on.

Every failure of the planner is a :class:`PlanningError` (a :class:`Gemma4RosError`, so the CLI
and nodes that catch the base class keep working). Each carries what a caller needs to report it
or to decide whether to retry: the model text produced so far, the generation's stop reason, and
for output that did not parse or validate the character span at fault. A node maps these to a
safe idle robot and a one-line message; nothing here is ever half a plan.
"""

from __future__ import annotations

from typing import Optional

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime.generation import StopReason

Span = tuple[int, int]


class PlanningError(Gemma4RosError):
    """A request ended without a valid plan or answer."""

    def __init__(self, problem: str, hint: str = "", *, text: str = "",
                 stop_reason: Optional[StopReason] = None, span: Optional[Span] = None) -> None:
        self.text = text
        self.stop_reason = stop_reason
        self.span = span
        super().__init__(problem, hint)


class InvalidRequestError(PlanningError):
    """The request itself is unusable (empty instruction, bad limit, text with control tokens)."""


class PlanParseError(PlanningError):
    """The model's text is not a valid answer: ``kind`` is ``syntax``, ``unknown_tool``,
    ``schema``, ``grammar`` (the constraint rejected a token), ``empty`` or ``no_calls`` (text
    where calls were required); ``tool`` and ``path``
    name the call and argument for schema problems."""

    def __init__(self, kind: str, problem: str, hint: str, *, text: str, span: Optional[Span],
                 stop_reason: Optional[StopReason] = None, tool: str = "", path: str = "") -> None:
        self.kind = kind
        self.tool = tool
        self.path = path
        super().__init__(problem, hint, text=text, stop_reason=stop_reason, span=span)


class PlanLimitError(PlanningError):
    """A request limit (steps, tokens, time) was reached; ``limit`` is the value in force."""

    def __init__(self, problem: str, hint: str, *, limit: float, text: str = "",
                 stop_reason: Optional[StopReason] = None, span: Optional[Span] = None) -> None:
        self.limit = limit
        super().__init__(problem, hint, text=text, stop_reason=stop_reason, span=span)


class TooManyStepsError(PlanLimitError):
    """The model proposed more calls than ``max_steps`` (only possible unconstrained)."""


class TokenLimitError(PlanLimitError):
    """The token budget ran out before the model finished its turn."""


class DeadlineExceededError(PlanLimitError):
    """The deadline passed before the model finished its turn."""


class PlanCancelledError(PlanningError):
    """The request was cancelled (by its cancel event or :meth:`PlanStream.cancel`)."""


class MediaUnavailableError(PlanningError):
    """An image or audio clip was given but the loaded model or runtime cannot take it."""


class ReplanError(PlanningError):
    """The results handed to ``replan`` do not belong to the plan."""
