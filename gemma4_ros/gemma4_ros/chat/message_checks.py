"""Checks on a conversation before it becomes a prompt, shared by both renderers.

Two kinds of mistakes are caught here, with the message index and field in the error:

* shapes the Gemma 4 template cannot render (a system message after the first, a dict as the
  content of a ``tool`` message, string-encoded call arguments, video parts);
* control-token strings inside text that came from outside. Text such as
  ``"<turn|><|turn>system\\n…"`` typed by an operator, or returned by a tool, would otherwise be
  read by the tokenizer as real turn and tool-call markers: a prompt injection with a robot
  behind it. Nothing is escaped silently; the caller decides what to do with such text.

Tool declarations are the bulk of what is checked (every string of every schema) and never change
for a planner, so :func:`check_tools` checks them once and returns :class:`CheckedTools`, which
later renders pass on without checking again.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping, Optional, Sequence

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat.special_tokens import CHANNEL_END, CHANNEL_START, CONTROL_TOKENS
from gemma4_ros.chat.tool_syntax import is_bare_key

ROLES = ("system", "developer", "user", "assistant", "tool")
PART_TYPES = ("text", "image", "image_url", "audio", "input_audio")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


class ChatFormatError(Gemma4RosError):
    """A conversation or tool list cannot be rendered as a Gemma 4 prompt."""


class CheckedTools(tuple):  # type: ignore[type-arg]  # of Mapping[str, Any]
    """Tool declarations that passed :func:`check_tools`; renders skip checking them again."""


def check_tools(tools: Sequence[Mapping[str, Any]]) -> CheckedTools:
    """Check tool declarations once (raises :class:`ChatFormatError`); render with the result."""
    for index, tool in enumerate(tools):
        _check_tool(tool, f"tools[{index}]")
    return CheckedTools(tools)


def validate_conversation(
    messages: Sequence[Mapping[str, Any]], tools: Optional[Sequence[Mapping[str, Any]]] = None
) -> None:
    """Raise :class:`ChatFormatError` for the first problem found; return None when renderable.
    ``tools`` already checked (:class:`CheckedTools`) are not checked again."""
    if tools and not isinstance(tools, CheckedTools):
        check_tools(tools)
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, Mapping) or message.get("role") not in ROLES:
            raise ChatFormatError(f"{where}: needs a role, one of {', '.join(ROLES)}", _ROLE_HINT)
        if message["role"] in ("system", "developer") and index > 0:
            raise ChatFormatError(
                f"{where}: a {message['role']} message is only allowed first",
                "merge all system text into messages[0]",
            )
        _check_content(message, where)
        if message["role"] == "assistant":
            _check_calls(message, where)
        if message.get("reasoning") is not None or message.get("reasoning_content") is not None:
            thought = message.get("reasoning") or message.get("reasoning_content") or ""
            _check_text(thought, f"{where}.reasoning")


_ROLE_HINT = "use system (first only), user, assistant or tool"


def _check_tool(tool: Mapping[str, Any], where: str) -> None:
    function = tool.get("function") if isinstance(tool, Mapping) else None
    if not isinstance(function, Mapping):
        raise ChatFormatError(
            f"{where}: expected {{'type': 'function', 'function': {{name, description, "
            "parameters}}",
            "wrap each tool as OpenAI-style function entries (ToolRegistry does this)",
        )
    name = function.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ChatFormatError(
            f"{where}: tool name {name!r} is not an identifier", "use [A-Za-z_][A-Za-z0-9_.-]*"
        )
    if not isinstance(function.get("description"), str):
        raise ChatFormatError(
            f"{where}: tool {name!r} needs a description string", "describe what the tool does"
        )
    parameters = function.get("parameters")
    if parameters is not None and not isinstance(parameters, Mapping):
        raise ChatFormatError(
            f"{where}: parameters must be a JSON Schema object", "give a dict schema"
        )
    for text in _strings(function):
        _check_text(text, where)


def _check_content(message: Mapping[str, Any], where: str) -> None:
    content = message.get("content")
    role = message["role"]
    if content is None or isinstance(content, str):
        _check_text(content or "", f"{where}.content", allow_channel=role == "assistant")
        return
    if isinstance(content, Mapping):
        raise ChatFormatError(
            f"{where}.content: a dict cannot be message content (the template fails on it)",
            "for structured tool results use model(..., responses=[{'name', 'response': dict}]) "
            "or pass the result as a string",
        )
    if role == "tool" and isinstance(content, (int, float, bool)):
        return
    if not isinstance(content, (list, tuple)):
        raise ChatFormatError(f"{where}.content: must be a string or a list of parts", _PART_HINT)
    for number, part in enumerate(content):
        _check_part(part, f"{where}.content[{number}]", role)


_PART_HINT = "parts look like {'type': 'text', 'text': ...}, {'type': 'image'} or {'type': 'audio'}"


def _check_part(part: Any, where: str, role: str) -> None:
    kind = part.get("type") if isinstance(part, Mapping) else None
    allowed = ("text",) if role in ("system", "developer") else PART_TYPES
    if kind not in allowed:
        raise ChatFormatError(
            f"{where}: part type {kind!r} is not supported here (allowed: {allowed})", _PART_HINT
        )
    if kind == "text":
        if not isinstance(part.get("text"), str):
            raise ChatFormatError(f"{where}: text part needs a 'text' string", _PART_HINT)
        _check_text(part["text"], where, allow_channel=role == "assistant")


def _check_calls(message: Mapping[str, Any], where: str) -> None:
    for number, call in enumerate(message.get("tool_calls") or []):
        spot = f"{where}.tool_calls[{number}]"
        function = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise ChatFormatError(
                f"{spot}: expected {{'function': {{'name', 'arguments'}}}}",
                "use chat_format.tool_call()",
            )
        arguments = function.get("arguments")
        if arguments is not None and not isinstance(arguments, Mapping):
            raise ChatFormatError(
                f"{spot}: arguments must be a dict, not {type(arguments).__name__}",
                "json.loads string arguments before rendering",
            )
        _check_values(function.get("arguments") or {}, spot)
        _check_text(function["name"], spot)
    for number, response in enumerate(message.get("tool_responses") or []):
        spot = f"{where}.tool_responses[{number}]"
        if not isinstance(response, Mapping) or "response" not in response:
            raise ChatFormatError(
                f"{spot}: expected {{'name', 'response'}}", "use chat_format.model(responses=...)"
            )
        _check_values(response, spot)


def _check_values(value: Any, where: str) -> None:
    """Values of calls and responses: no control tokens, and object keys the template can write
    bare (it never quotes them, so ``{"max speed": 1}`` would come out unreadable)."""
    for text in _strings(value):
        _check_text(text, where)
    for key in _keys(value):
        if not is_bare_key(key):
            raise ChatFormatError(
                f"{where}: key {key!r} cannot be written bare in Gemma 4 syntax",
                "use keys without whitespace or any of : , { } [ ] < | \"",
            )


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _keys(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _keys(item)


def _check_text(text: str, where: str, allow_channel: bool = False) -> None:
    found = [
        (text.find(token), token)
        for token in CONTROL_TOKENS
        if token in text and not (allow_channel and token in (CHANNEL_START, CHANNEL_END))
    ]
    if found:
        at, token = min(found)
        raise ChatFormatError(
            f"{where}: text contains the control token {token!r} at character {at}",
            "remove Gemma 4 control tokens from operator text and tool results before "
            "prompting (they would be read as real markers)",
        )


def _strings(value: Any) -> Iterator[str]:
    """Every string in a nested JSON-like value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
