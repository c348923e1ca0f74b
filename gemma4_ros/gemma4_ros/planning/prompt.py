"""Planning prompts in Gemma 4's chat format: a constant head, the request, the replan transcript.

A planning prompt is::

    <bos><|turn>system⏎[<|think|>⏎]SYSTEM PROMPT<|tool>declaration:…<tool|>…<turn|>⏎  ← head
    <|turn>user⏎[Context: …⏎]INSTRUCTION[<|image>…<image|>]<turn|>⏎
    <|turn>model⏎                                                           ← generation prompt

The head depends only on the registry, the system prompt and the thinking flag, so its KV cache
is computed once and reused (the planner registers it with the engine's prefix cache); the
request varies after it. Replanning continues the same model turn: the calls the model made,
then one ``<|tool_response>response:NAME{…}<tool_response|>`` per call, then generation resumes
in that turn (Gemma 4's own multi-turn tool loop). Rendering goes through the model's own chat
template when its directory has one (:class:`ChatFormat`), so a model trained on another prompt
shape (the demo model has no system turn) gets exactly what it was trained on; the head is then
only reused when it really is a prefix of the rendered request.

Per request only the request itself is rendered: the tool declarations are checked once when the
builder is made (:func:`check_tools`), and each head is rendered once and remembered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

from gemma4_ros.planning.answer import Consultation
from gemma4_ros.planning.errors import InvalidRequestError, ReplanError
from gemma4_ros.chat import chat_format
from gemma4_ros.chat import special_tokens as tok
from gemma4_ros.chat.chat_template import ChatFormat
from gemma4_ros.chat.message_checks import ChatFormatError, CheckedTools, check_tools
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import Plan, ResultStatus, ToolResult

Context = Union[str, Mapping[str, Any], None]
Messages = list[dict]
_OPEN_THOUGHT = tok.CHANNEL_START + "thought\n"
_HEADS_KEPT = 8  # (first message, tools, thinking) combinations: plan, ask, replan, × thinking


@dataclass(frozen=True)
class Prompt:
    """A rendered prompt: ``text`` (media expanded, ``<bos>`` included), the constant ``head``
    to prefill once ("" when the template has none that prefixes ``text``), the conversation it
    came from (replan continues it), and whether the answer starts inside an open thought."""

    text: str
    head: str
    messages: tuple[dict, ...]
    starts_in_thought: bool


@dataclass(frozen=True)
class Media:
    """Soft-token counts of the request's images and audio clips, in order (from the encoders)."""

    image_tokens: tuple[int, ...] = ()
    audio_tokens: tuple[int, ...] = ()


class PromptBuilder:
    """Renders planning, question and replan prompts for one tool registry and chat format."""

    def __init__(self, registry: ToolRegistry, chat: ChatFormat, system_prompt: str,
                 ask_system_prompt: str) -> None:
        self.registry = registry
        self.chat = chat
        self.system_prompt = system_prompt
        self.ask_system_prompt = ask_system_prompt
        self.declarations: CheckedTools = check_tools(
            [{"type": "function", "function": spec.declaration()} for spec in registry.tools])
        self._heads: dict[tuple[str, bool, bool], str] = {}

    def request(self, instruction: str, *, context: Context = None, thinking: bool = False,
                media: Media = Media()) -> Prompt:
        """The prompt that asks for a plan of ``instruction``."""
        turn = self.user_turn(instruction, context, media)
        return self.render([chat_format.system(self.system_prompt), turn], self.declarations,
                           thinking, media)

    def question(self, question: str, *, thinking: bool = False, media: Media = Media(),
                 consulted: Sequence[Consultation] = (),
                 declared: Sequence[dict[str, Any]] = ()) -> Prompt:
        """The prompt of ``ask``: its own system turn, no robot tools; each consultation is a
        call of its (declared) read-only tool with the tool's response, the answer after.
        ``declared`` read-only tools are declared too, so the model may call them next."""
        turn = self.user_turn(question, None, media)
        messages = [chat_format.system(self.ask_system_prompt), turn]
        shown = {d["name"]: d for d in [*declared, *(c.declaration for c in consulted)]}
        declarations = [{"type": "function", "function": d} for d in shown.values()] or None
        if consulted:
            calls = [chat_format.tool_call(c.name, c.arguments) for c in consulted]
            responses = [{"name": c.name, "response": c.response} for c in consulted]
            messages.append(chat_format.model(calls=calls, responses=responses))
        return self.render(messages, declarations, thinking, media)

    def replan(self, plan: Plan, results: Sequence[ToolResult], conversation: Sequence[dict],
               *, thinking: bool = False) -> Prompt:
        """``conversation`` (what led to ``plan``) continued by its calls and their results."""
        responses = tool_responses(plan, results)
        calls = [chat_format.tool_call(step.call.name, step.call.arguments, step.call.id)
                 for step in plan.steps]
        messages = [*conversation, chat_format.model(calls=calls, responses=responses)]
        return self.render(messages, self.declarations, thinking, Media())

    def user_turn(self, text: str, context: Context, media: Media) -> dict:
        if not text.strip():
            raise InvalidRequestError("the instruction is empty", "say what the robot should do")
        body = f"Context: {_context_text(context)}\n{text.strip()}" if context else text.strip()
        return chat_format.user(body, images=len(media.image_tokens),
                                audios=len(media.audio_tokens))

    def render(self, messages: Sequence[dict], tools: Optional[Sequence[dict]], thinking: bool,
               media: Media) -> Prompt:
        """Render, expand media, and find the constant head (system turn + declarations)."""
        try:
            text = self.chat.render(messages, tools, enable_thinking=thinking)
            text = chat_format.expand_media(text, media.image_tokens, media.audio_tokens)
            head = self._head(messages[0], tools, thinking)
        except ChatFormatError as error:
            raise InvalidRequestError(error.problem, error.hint) from None
        return Prompt(text, head if text.startswith(head) and head != text else "",
                      tuple(messages), text.endswith(_OPEN_THOUGHT))

    def _head(self, first: dict, tools: Optional[Sequence[dict]], thinking: bool) -> str:
        """The first message rendered alone (no generation prompt): rendered once per first
        message, thinking flag and tool set — this builder's declarations or none; other tool
        lists are rendered every time, as nothing says they stay the same."""
        if tools is not None and tools is not self.declarations:
            return self._render_head(first, tools, thinking)
        key = (json.dumps(first, sort_keys=True, default=str), tools is not None, thinking)
        head = self._heads.get(key)
        if head is None:
            head = self._heads[key] = self._render_head(first, tools, thinking)
            while len(self._heads) > _HEADS_KEPT:
                del self._heads[next(iter(self._heads))]
        return head

    def _render_head(self, first: dict, tools: Optional[Sequence[dict]], thinking: bool) -> str:
        return self.chat.render([first], tools, add_generation_prompt=False,
                                enable_thinking=thinking)


def tool_responses(plan: Plan, results: Sequence[ToolResult]) -> list[dict]:
    """One Gemma 4 tool response per step, in step order; steps without a result are NOT_RUN.

    Results are matched by ``call_id``; a result for no step of the plan, or from another plan,
    is an error rather than something to guess about.
    """
    by_call = {step.call.id: step for step in plan.steps}
    found: dict[str, ToolResult] = {}
    for result in results:
        if result.plan_id and result.plan_id != plan.plan_id:
            raise ReplanError(f"result for call {result.call_id!r} belongs to plan "
                              f"{result.plan_id!r}, not {plan.plan_id!r}",
                              "pass the results of this plan only")
        if result.call_id not in by_call:
            raise ReplanError(f"result names call {result.call_id!r}, which is not in plan "
                              f"{plan.plan_id!r} (calls: {', '.join(by_call) or 'none'})",
                              "set ToolResult.call_id to the id of the step's ToolCall")
        found[result.call_id] = result
    return [{"name": step.call.name, "response": _response(found.get(step.call.id))}
            for step in plan.steps]


def _response(result: Optional[ToolResult]) -> dict:
    """What the model reads for one call: status, then the result or the error."""
    if result is None:
        return {"status": "NOT_RUN", "error": "not executed: an earlier step did not succeed"}
    body: dict[str, Any] = {"status": result.status.value}
    if result.result is not None:
        body["result"] = result.result
    if result.error or result.status is not ResultStatus.SUCCEEDED:
        body["error"] = result.error or result.status.value.lower()
    return body


def _context_text(context: Context) -> str:
    if isinstance(context, Mapping):
        return json.dumps(dict(context), sort_keys=True, separators=(", ", ": "), default=str)
    return str(context).strip()
