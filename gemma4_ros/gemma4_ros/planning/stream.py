"""A running request: partial text per token while it decodes, the typed result at the end.

The planner's blocking calls are this stream drained; nodes iterate it to publish feedback (an
action's partial text) and call :meth:`PlanStream.cancel` from any thread to stop it at the next
token. Whatever happens, :meth:`PlanStream.result` gives a validated result or raises one
:class:`PlanningError` — a half-decoded plan is never handed out.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Generic, Iterator, Optional, TypeVar, Union

from gemma4_ros.planning.errors import PlanningError
from gemma4_ros.runtime.generation import Generation
from gemma4_ros.chat.tokenizer import StreamDecoder

ResultT = TypeVar("ResultT")
#: Turns the finished generation and the time to first token (seconds, None when no token came)
#: into the result or the error.
Finisher = Callable[[Generation, Optional[float]], Union[ResultT, PlanningError]]


@dataclass(frozen=True)
class TokenDelta:
    """One generated token: ``text`` is what it adds to the visible text (may be "" while a
    multi-byte character is incomplete); ``forced`` tokens came from the grammar unsampled."""

    token_id: int
    text: str
    forced: bool
    index: int


class PlanStream(Generic[ResultT]):
    """Iterate for :class:`TokenDelta`; then :meth:`result`. Single use, one consumer."""

    def __init__(self, generation: Generation, decoder: StreamDecoder, cancel: threading.Event,
                 clock: Callable[[], float], started: float, finish: Finisher[ResultT]) -> None:
        self._generation = generation
        self._decoder = decoder
        self._cancel = cancel
        self._clock = clock
        self._started = started
        self._finish = finish
        self._pieces: list[str] = []
        self._first_token_s: Optional[float] = None
        self._outcome: Union[ResultT, PlanningError, None] = None
        self._done = False

    def __iter__(self) -> Iterator[TokenDelta]:
        if self._done:
            return
        for event in self._generation:
            if self._first_token_s is None:
                self._first_token_s = self._clock() - self._started
            piece = self._decoder.push(event.token_id)
            self._pieces.append(piece)
            yield TokenDelta(event.token_id, piece, event.forced, event.index)
        self._pieces.append(self._decoder.finish())
        self._done = True

    def cancel(self) -> None:
        """Stop at the next token (thread-safe); :meth:`result` then raises PlanCancelledError."""
        self._cancel.set()

    @property
    def text(self) -> str:
        """The text generated so far (markup included)."""
        return "".join(self._pieces)

    def result(self) -> ResultT:
        """Run to the end if needed; the validated result, or raise its PlanningError."""
        for _ in self:
            pass
        if self._outcome is None:
            self._outcome = self._finish(self._generation, self._first_token_s)
        if isinstance(self._outcome, PlanningError):
            raise self._outcome
        return self._outcome
