"""The Planner: instruction (+ image, + audio) → a typed, schema-valid :class:`Plan`.

It only wires pieces that each do one job: the prompt builder renders Gemma 4's chat format from
the tool registry, the media step asks the encoders for soft tokens, the engine generates under a
grammar constraint (mask, commit, forced tokens), and the total parser turns the text into a Plan
or a typed error; each step carries how sure the model was of its call (planning/confidence.py). Every public call is a :class:`PlanStream` drained, so blocking and streaming
requests share one path. One request at a time per planner (the engine's caches are not shared
between threads); run it on a worker thread, never in a callback that serves sensors or e-stop.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

from gemma4_ros.decoding.call_parser import CallValidator, ParsedTurn
from gemma4_ros.decoding.constraint import ToolCallConstraint
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.planning.answer import Answer, Consultation
from gemma4_ros.planning.confidence import call_confidences, token_pieces
from gemma4_ros.planning.config import PlannerConfig
from gemma4_ros.planning.constraints import ConstraintFactory, Mode, Thinking, hook
from gemma4_ros.planning.errors import InvalidRequestError, PlanningError, ReplanError
from gemma4_ros.planning.media import NO_MEDIA, EncodedInputs, encode_media
from gemma4_ros.planning.parse import parse_answer, plan_from_turn, stop_error
from gemma4_ros.planning.prompt import Context, Media, Prompt, PromptBuilder
from gemma4_ros.planning.stream import PlanStream, ResultT
from gemma4_ros.chat import chat_format
from gemma4_ros.chat.chat_template import ChatFormat
from gemma4_ros.runtime.generation import Engine, Generation, GenerationOptions, StopReason
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import Plan, PlanLatency, PlanSource, ToolCall, ToolResult


@dataclass(frozen=True)
class Limits:
    """The limits in force for one request."""

    max_steps: int
    max_tokens: int
    deadline_s: Optional[float]


@dataclass(frozen=True)
class Stats:
    """What a finished request reports besides its content."""

    prompt_tokens: int
    completion_tokens: int
    latency: PlanLatency
    confidences: tuple[Optional[float], ...] = ()  # one per call, in order (None: unknown)


@dataclass(frozen=True)
class _Request:
    """What finishing a request needs besides the generation."""

    prompt: Prompt
    mode: Mode
    limits: Limits
    started: float
    constraint: Optional[ToolCallConstraint]
    build: Callable[[ParsedTurn, str, Stats], Any]
    validator: Optional[CallValidator] = None  # another tool set's (the copilot's loop)


class Planner:
    """Plans, replans and answers questions with one engine, tokenizer and tool registry."""

    def __init__(self, engine: Engine, tokenizer: Gemma4Tokenizer, registry: ToolRegistry,
                 config: Optional[PlannerConfig] = None, *, chat: Optional[ChatFormat] = None,
                 model_name: Optional[str] = None) -> None:
        self.engine = engine
        self.tokenizer = tokenizer
        self.registry = registry
        self.config = config or PlannerConfig()
        cfg = self.config
        self.prompts = PromptBuilder(registry, chat or ChatFormat(), cfg.system_prompt,
                                     cfg.ask_system_prompt)
        self.validator = CallValidator({spec.name: spec.json_schema() for spec in registry.tools})
        vocab = int(getattr(engine.model, "vocab_size", 0) or tokenizer.vocab_size)
        self.constraints = ConstraintFactory(tokenizer, registry, vocab, cfg.grammar)
        self.model_name = model_name or cfg.model_name or _model_name(engine)
        special = tokenizer.special_ids
        self._stops = (special.turn_end, special.tool_response_start, special.eos)
        self._heads: dict[str, list[int]] = {}
        self._history: OrderedDict[str, tuple[dict, ...]] = OrderedDict()

    def warm_up(self, thinking: Optional[bool] = None) -> None:
        """Do the one-time work now rather than in the first request: build the grammar's view
        of the tokenizer (seconds at 262k tokens), compile the grammar, prefill the constant
        head. Nodes call this when they configure, so the first plan is as fast as the rest."""
        think = self.config.thinking if thinking is None else thinking
        prompt = self.prompts.request("warm up", thinking=think)
        self._reuse_head(prompt.head, self.tokenizer.encode(prompt.text))
        if self.config.constrained:
            mode: Mode = "auto" if self.config.allow_text_answer else "required"
            self.constraints.new(mode, _thinking_mode(prompt, think), self.config.max_steps)

    # --- plans ---------------------------------------------------------------------------
    def plan(self, instruction: str, image: Any = None, audio: Any = None,
             context: Context = None, *, source: PlanSource = PlanSource.TEXT,
             thinking: Optional[bool] = None, max_steps: Optional[int] = None,
             max_tokens: Optional[int] = None, deadline_s: Optional[float] = None,
             cancel: Optional[threading.Event] = None) -> Plan:
        """A validated plan for ``instruction``; raises a :class:`PlanningError` otherwise.

        ``context`` (text or a mapping such as the robot's state) goes into the user turn.
        Limits left at None take the config's; ``deadline_s=math.inf`` means none. ``cancel``
        may be set from any thread. ``thinking`` None takes the config's.
        """
        return self.plan_stream(instruction, image, audio, context, source=source,
                                thinking=thinking, max_steps=max_steps, max_tokens=max_tokens,
                                deadline_s=deadline_s, cancel=cancel).result()

    def plan_stream(self, instruction: str, image: Any = None, audio: Any = None,
                    context: Context = None, *, source: PlanSource = PlanSource.TEXT,
                    thinking: Optional[bool] = None, max_steps: Optional[int] = None,
                    max_tokens: Optional[int] = None, deadline_s: Optional[float] = None,
                    cancel: Optional[threading.Event] = None) -> PlanStream[Plan]:
        """Like :meth:`plan`, as a stream of partial text; ``result()`` gives the plan."""
        started = self.engine.clock()
        limits = self._limits(max_steps, max_tokens, deadline_s, self.config.max_tokens)
        think = self.config.thinking if thinking is None else thinking
        inputs = encode_media(self.engine, image, audio)
        prompt = self.prompts.request(instruction, context=context, thinking=think,
                                      media=inputs.media)
        fields = {"instruction": instruction.strip(), "source": source,
                  "frame_id": self.registry.frame}
        mode: Mode = "auto" if self.config.allow_text_answer else "required"
        return self._start(prompt, mode, think, limits, started, cancel, inputs,
                           lambda turn, text, stats: self._plan(turn, text, stats, prompt, fields),
                           verbatim_source=instruction if audio is None else "")

    def replan(self, plan: Plan, results: list[ToolResult], **options: Any) -> Plan:
        """Feed ``results`` back as Gemma 4 tool responses; the next steps, or a final answer
        (a plan with no steps whose summary is the model's text). Keyword options as
        :meth:`plan` (``source`` defaults to the plan's), plus ``context`` for a first replan
        of a plan this planner did not make."""
        return self.replan_stream(plan, results, **options).result()

    def replan_stream(self, plan: Plan, results: list[ToolResult], *,
                      source: Optional[PlanSource] = None, context: Context = None,
                      thinking: Optional[bool] = None, max_steps: Optional[int] = None,
                      max_tokens: Optional[int] = None, deadline_s: Optional[float] = None,
                      cancel: Optional[threading.Event] = None) -> PlanStream[Plan]:
        """Like :meth:`replan`, as a stream."""
        started = self.engine.clock()
        if not plan.steps:
            raise ReplanError(f"plan {plan.plan_id!r} has no steps, so no results to feed back",
                              "a plan without steps is already the final answer")
        limits = self._limits(max_steps, max_tokens, deadline_s, self.config.max_tokens)
        think = self.config.thinking if thinking is None else thinking
        conversation = self._history.get(plan.plan_id) or (
            chat_format.system(self.config.system_prompt),
            self.prompts.user_turn(plan.instruction, context, Media()))
        prompt = self.prompts.replan(plan, results, conversation, thinking=think)
        fields = {"instruction": plan.instruction, "source": source or plan.source,
                  "frame_id": plan.frame_id}
        mode: Mode = "auto" if self.config.allow_text_answer else "required"
        return self._start(prompt, mode, think, limits, started, cancel, NO_MEDIA,
                           lambda turn, text, stats: self._plan(turn, text, stats, prompt, fields),
                           verbatim_source=(plan.instruction if plan.source is not PlanSource.VOICE
                                            else ""))

    # --- questions -----------------------------------------------------------------------
    def ask(self, question: str, image: Any = None, want_plan: bool = False,
            consulted: Sequence[Consultation] = (), **options: Any) -> Answer:
        """A short grounded text answer (no robot tools; ``consulted`` read-only tools' responses
        before it); with ``want_plan`` also a plan of the question as an instruction (source
        COPILOT), a proposal that is never executed here."""
        answer = self.ask_stream(question, image, consulted=consulted, **options).result()
        if not want_plan:
            return answer
        options.setdefault("source", PlanSource.COPILOT)
        plan = self.plan(question, image, **options)
        return answer.model_copy(update={
            "plan": plan, "prompt_tokens": answer.prompt_tokens + plan.prompt_tokens,
            "completion_tokens": answer.completion_tokens + plan.completion_tokens})

    def answer_room(self, question: str, consulted: Sequence[Consultation] = ()) -> int:
        """Tokens the context leaves for the answer to ``question`` after ``consulted`` (no
        media), so a caller can fit what it consults to the model before asking."""
        prompt = self.prompts.question(question, thinking=self.config.thinking,
                                       consulted=consulted)
        return self.engine.max_context_tokens - len(self.tokenizer.encode(prompt.text))

    def ask_stream(self, question: str, image: Any = None, *, thinking: Optional[bool] = None,
                   max_tokens: Optional[int] = None, deadline_s: Optional[float] = None,
                   cancel: Optional[threading.Event] = None,
                   consulted: Sequence[Consultation] = ()) -> PlanStream[Answer]:
        """Like :meth:`ask` without a plan, as a stream."""
        started = self.engine.clock()
        limits = self._limits(None, max_tokens, deadline_s, self.config.ask_max_tokens)
        think = self.config.thinking if thinking is None else thinking
        inputs = encode_media(self.engine, image, None)
        prompt = self.prompts.question(question, thinking=think, media=inputs.media,
                                       consulted=consulted)

        def answer(turn: ParsedTurn, _: str, stats: Stats) -> Answer:
            return Answer(question=question, text=turn.text, model=self.model_name,
                          prompt_tokens=stats.prompt_tokens,
                          completion_tokens=stats.completion_tokens, latency=stats.latency)

        return self._start(prompt, "text", think, limits, started, cancel, inputs, answer)

    def consult_turn(self, question: str, tools: Sequence[dict[str, Any]],
                     consulted: Sequence[Consultation] = (), *,
                     cancel: Optional[threading.Event] = None) -> Union[Answer, ToolCall]:
        """One turn of the copilot's loop: shown the read-only ``tools`` (declarations: name,
        description, parameters) and what it consulted so far, the model either calls one of
        them (the call is returned, to be run by the caller) or answers. Never a robot tool."""
        started = self.engine.clock()
        limits = self._limits(1, None, None, self.config.ask_max_tokens)
        think = self.config.thinking
        prompt = self.prompts.question(question, thinking=think, consulted=consulted,
                                       declared=tools)
        schemas = [(str(t["name"]), t["parameters"]) for t in tools]
        validator = CallValidator(dict(schemas))

        def turn_result(turn: ParsedTurn, _: str, stats: Stats) -> Union[Answer, ToolCall]:
            if turn.calls:
                return ToolCall(name=turn.calls[0].name, arguments=turn.calls[0].arguments)
            return Answer(question=question, text=turn.text, model=self.model_name,
                          prompt_tokens=stats.prompt_tokens,
                          completion_tokens=stats.completion_tokens, latency=stats.latency)

        stream: PlanStream[Union[Answer, ToolCall]] = self._start(
            prompt, "auto", think, limits, started, cancel, NO_MEDIA, turn_result,
            tools=(schemas, validator))
        return stream.result()

    # --- the shared path -------------------------------------------------------------------
    def _start(self, prompt: Prompt, mode: Mode, thinking: bool, limits: Limits, started: float,
               cancel: Optional[threading.Event], inputs: EncodedInputs,
               build: Callable[[ParsedTurn, str, Stats], Union[ResultT, PlanningError]],
               verbatim_source: str = "",
               tools: Optional[tuple[Sequence[tuple[str, Any]], CallValidator]] = None
               ) -> PlanStream[ResultT]:
        """Generate under the request's constraint; ``verbatim_source`` is the operator's written
        words that the tools' verbatim arguments are copied from (empty for voice: none);
        ``tools`` another tool set than the robot's (schemas and their validator)."""
        ids = self.tokenizer.encode(prompt.text)
        self._reuse_head(prompt.head, ids)
        cancel = cancel if cancel is not None else threading.Event()
        options = self._options(limits, started, cancel, inputs)
        options.score_tokens = mode != "text"  # plans carry a confidence per call; answers none
        constraint = None
        if self.config.constrained:
            thinking_mode = _thinking_mode(prompt, thinking)
            constraint = (self.constraints.for_tools(tools[0], thinking_mode) if tools else
                          self.constraints.new(mode, thinking_mode, limits.max_steps,
                                               verbatim_source))
            hook(options, constraint)
        try:
            generation = self.engine.generate(ids, options)
        except Gemma4RosError as error:
            raise InvalidRequestError(error.problem, error.hint) from None
        request = _Request(prompt, mode, limits, started, constraint, build,
                           tools[1] if tools else None)
        return PlanStream(generation, self.tokenizer.stream_decoder(), cancel, self.engine.clock,
                          started, functools.partial(self._finish, request))

    def _finish(self, request: _Request, done: Generation,
                first_token_s: Optional[float]) -> Any:
        """The finished generation → the request's result, or the PlanningError that says why
        there is none."""
        # <eos> ends the turn like <turn|>, but it is not markup the parser knows: drop it.
        eos = done.stop_reason is StopReason.EOS
        text = self.tokenizer.decode(done.token_ids[:-1] if eos else done.token_ids)
        limits, constraint = request.limits, request.constraint
        error = stop_error(done.stop_reason, text, max_tokens=limits.max_tokens,
                           deadline_s=limits.deadline_s,
                           grammar_error=constraint.error() if constraint is not None else "")
        if error is not None:
            return error
        validator = request.validator or self.validator
        turn = parse_answer(text, validator if request.mode != "text" else None,
                            starts_in_thought=request.prompt.starts_in_thought,
                            max_steps=limits.max_steps, calls_required=request.mode == "required",
                            stop_reason=done.stop_reason)
        if isinstance(turn, PlanningError):
            return turn
        confidences = call_confidences(token_pieces(self.tokenizer, done.token_ids),
                                       done.probabilities, text,
                                       [call.span for call in turn.calls]) if turn.calls else ()
        total = self.engine.clock() - request.started
        latency = PlanLatency(time_to_first_token_s=first_token_s or total, total_s=total)
        return request.build(turn, text, Stats(done.prompt_tokens, len(done.token_ids), latency,
                                               confidences))

    def _plan(self, turn: ParsedTurn, text: str, stats: Stats, prompt: Prompt,
              fields: dict[str, Any]) -> Union[Plan, PlanningError]:
        plan = plan_from_turn(turn, text, model=self.model_name, prompt_tokens=stats.prompt_tokens,
                              completion_tokens=stats.completion_tokens, latency=stats.latency,
                              confidences=stats.confidences, **fields)
        if isinstance(plan, Plan) and plan.steps and self.config.history_entries:
            self._history[plan.plan_id] = prompt.messages
            while len(self._history) > self.config.history_entries:
                self._history.popitem(last=False)
        return plan

    def _options(self, limits: Limits, started: float, cancel: threading.Event,
                 inputs: EncodedInputs) -> GenerationOptions:
        timeout = None
        if limits.deadline_s is not None:
            timeout = max(0.0, limits.deadline_s - (self.engine.clock() - started))
        extra: dict[str, Any] = {"media": inputs.encoded} if inputs.encoded else {}
        return GenerationOptions(max_new_tokens=limits.max_tokens, stop_token_ids=self._stops,
                                 timeout_s=timeout, cancel=cancel, **extra)

    def _reuse_head(self, head: str, ids: list[int]) -> None:
        """Prefill the constant head once; later requests start from a copy of its cache."""
        if not head or self.engine.prefix_cache.capacity == 0:
            return
        head_ids = self._heads.get(head)
        if head_ids is None:
            head_ids = self._heads[head] = self.tokenizer.encode(head)
        if ids[: len(head_ids)] == head_ids:
            self.engine.prefix_cache.add(head_ids)

    def _limits(self, max_steps: Optional[int], max_tokens: Optional[int],
                deadline_s: Optional[float], default_tokens: int) -> Limits:
        steps = self.config.max_steps if max_steps is None else max_steps
        tokens = default_tokens if max_tokens is None else max_tokens
        deadline = self.config.deadline_s if deadline_s is None else deadline_s
        if not 1 <= steps <= 64:
            raise InvalidRequestError(f"max_steps is {steps}", "use 1 to 64")
        if tokens < 1:
            raise InvalidRequestError(f"max_tokens is {tokens}", "use a positive token budget")
        if deadline is not None and not deadline > 0:
            raise InvalidRequestError(f"deadline_s is {deadline}",
                                      "use a positive number of seconds, or math.inf for none")
        return Limits(steps, tokens, None if deadline == math.inf else deadline)


def _thinking_mode(prompt: Prompt, thinking: bool) -> Thinking:
    if prompt.starts_in_thought:
        return "open"
    return "on" if thinking else "off"


def _model_name(engine: Engine) -> str:
    """The model directory's name (and weights variant) when the model has one."""
    files = getattr(engine.model, "files", None)
    root = getattr(files, "root", None)
    if root is None:
        return type(engine.model).__name__
    variant = getattr(files, "variant", "")
    return Path(root).name + (f" ({variant})" if variant else "")
