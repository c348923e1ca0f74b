"""The Gemma 4 chat format, in one place: what a prompt looks like and how it is rendered.

The authority is the model's own ``chat_template.jinja``; when a model directory ships one, the
runtime renders through it (:mod:`gemma4_ros.chat.chat_template`). This module is the same
format written as Python — for model directories without a template (the test fixtures) and as
documentation — and a test keeps it equal to a copy of the E2B/E4B template (2026-07 revision).

A conversation renders as (``⏎`` is a newline; the other line breaks are only for reading)::

    <bos><|turn>system⏎[<|think|>⏎]SYSTEM TEXT<|tool>declaration:…<tool|>…<turn|>⏎
    <|turn>user⏎Go to the dock<|image|><turn|>⏎
    <|turn>model⏎<|tool_call>call:navigate_to{place:<|"|>dock<|"|>}<tool_call|>
    <|tool_response>response:navigate_to{status:<|"|>ok<|"|>}<tool_response|>
    I am at the dock.<turn|>⏎
    <|turn>model⏎                                  ← the generation prompt

* The system turn exists when there is a system (or developer) message, tools, or thinking.
  ``<|think|>`` at its top switches thinking on; thoughts come back as
  ``<|channel>thought⏎…<channel|>`` and are stripped from earlier model turns. With thinking
  off, the 26B/31B templates add an empty ``<|channel>thought⏎<channel|>`` after the generation
  prompt and E2B/E4B do not (``empty_thought_when_off``).
* Declarations: :mod:`gemma4_ros.chat.tool_declarations`. Call arguments and responses: value
  syntax of :mod:`gemma4_ros.chat.tool_syntax`, keys sorted like Jinja ``dictsort``.
* A model turn with calls but no responses yet ends in ``<|tool_response>`` (the model stops on
  that token; the caller appends the response and lets it continue in the same turn). Responses
  come either as ``tool_responses=[{"name", "response"}]`` on the assistant message (Gemma's own
  form) or as OpenAI ``{"role": "tool", "tool_call_id", "content"}`` messages right after it; a
  string response is written ``{value:<|"|>…<|"|>}``.
* Images and audio are one ``<|image|>`` / ``<|audio|>`` per content part; after rendering,
  :func:`expand_media` widens each into ``<|image>`` + N × ``<|image|>`` + ``<image|>`` (N = the
  encoder's soft tokens), as Gemma 4's processor does. Video is not supported.

Messages are OpenAI/transformers-style dicts, the input the template itself takes; the helpers
:func:`system`, :func:`user`, :func:`model`, :func:`tool_call` build them.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from gemma4_ros.chat import special_tokens as tok
from gemma4_ros.chat.message_checks import ChatFormatError, validate_conversation
from gemma4_ros.chat.tool_declarations import render_tool_declaration
from gemma4_ros.chat.tool_syntax import dictsort_items, format_value

Message = Mapping[str, Any]
_MEDIA = {"image": tok.IMAGE, "image_url": tok.IMAGE, "audio": tok.AUDIO, "input_audio": tok.AUDIO}


def system(text: str) -> dict:
    """A system message."""
    return {"role": "system", "content": text}


def user(text: str, *, images: int = 0, audios: int = 0) -> dict:
    """A user message: the text, then one placeholder part per image and per audio clip."""
    parts: list[dict] = [{"type": "text", "text": text}]
    parts += [{"type": "image"}] * images + [{"type": "audio"}] * audios
    return {"role": "user", "content": parts if images or audios else text}


def model(text: str = "", *, calls: Sequence[dict] = (), responses: Sequence[dict] = ()) -> dict:
    """A model message: text, tool calls (:func:`tool_call`) and Gemma-style tool responses."""
    message: dict = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = list(calls)
    if responses:
        message["tool_responses"] = [
            {"name": entry["name"], "response": entry["response"]} for entry in responses
        ]
    return message


def tool_call(name: str, arguments: Mapping[str, Any], call_id: Optional[str] = None) -> dict:
    """One entry of ``tool_calls``."""
    call: dict = {"type": "function", "function": {"name": name, "arguments": dict(arguments)}}
    if call_id is not None:
        call["id"] = call_id
    return call


def render_builtin(
    messages: Sequence[Message],
    tools: Optional[Sequence[Mapping[str, Any]]] = None,
    *,
    add_generation_prompt: bool = True,
    enable_thinking: bool = False,
    empty_thought_when_off: bool = False,
) -> str:
    """Render like Gemma 4's chat template (E2B/E4B; 26B/31B with ``empty_thought_when_off``)."""
    validate_conversation(messages, tools)
    tools = list(tools or [])
    state = _State()
    out = [tok.BOS]
    loop = list(messages)
    has_system = bool(messages) and messages[0]["role"] in ("system", "developer")
    if enable_thinking or tools or has_system:
        out.append(tok.TURN_START + "system\n")
        if enable_thinking:
            out.append(tok.THINK + "\n")
        if has_system:
            out.append(_system_text(messages[0]["content"]))
            loop = loop[1:]
        out += [render_tool_declaration(tool) for tool in tools]
        out.append(tok.TURN_END + "\n")
        state.prev_type = "tool" if tools else ("think" if enable_thinking else None)
    last_user = max((i for i, m in enumerate(loop) if m["role"] == "user"), default=-1)
    for index, message in enumerate(loop):
        if message["role"] != "tool":
            out.append(_render_message(loop, index, last_user, state))
    if add_generation_prompt:
        out.append(_generation_prompt(state.prev_type, enable_thinking, empty_thought_when_off))
    return "".join(out)


def expand_media(
    text: str, image_tokens: Sequence[int] = (), audio_tokens: Sequence[int] = ()
) -> str:
    """Widen the i-th ``<|image|>`` to ``<|image>`` + image_tokens[i] × ``<|image|>`` +
    ``<image|>`` (likewise audio); the counts must match the placeholders exactly."""
    text = _expand(text, tok.IMAGE, tok.IMAGE_START, tok.IMAGE_END, image_tokens, "image")
    return _expand(text, tok.AUDIO, tok.AUDIO_START, tok.AUDIO_END, audio_tokens, "audio")


class _State:
    """What the template tracks across messages (its ``ns`` namespace)."""

    def __init__(self) -> None:
        self.prev_type: Optional[str] = None
        self.prev_non_tool_role: Optional[str] = None


def _render_message(loop: Sequence[Message], index: int, last_user: int, state: _State) -> str:
    message = loop[index]
    state.prev_type = None
    role = "model" if message["role"] == "assistant" else message["role"]
    out = []
    if not (role == "model" and state.prev_non_tool_role == "assistant"):
        out.append(tok.TURN_START + role + "\n")
    thought = message.get("reasoning") or message.get("reasoning_content")
    if thought and index > last_user:
        out.append(tok.CHANNEL_START + "thought\n" + thought + "\n" + tok.CHANNEL_END)
    calls = message.get("tool_calls") or []
    out += [_render_call(call["function"]) for call in calls]
    if calls:
        state.prev_type = "tool_call"
    responses = _responses(loop, index)
    out += responses
    if responses:
        state.prev_type = "tool_response"
    content = _content(message.get("content"), role)
    out.append(content)
    out.append(_turn_close(loop, index, state, bool(responses), bool(content.strip())))
    state.prev_non_tool_role = message["role"]
    return "".join(out)


def _turn_close(
    loop: Sequence[Message], index: int, state: _State, answered: bool, has_content: bool
) -> str:
    """How a message ends: ``<|tool_response>`` (awaiting results), nothing (the model turn
    continues in the next message or generation), or ``<turn|>``."""
    message = loop[index]
    following = [m["role"] for m in loop[index + 1 :] if m["role"] != "tool"]
    next_role = following[0] if following else None
    continues = (
        message["role"] == "assistant"
        and next_role == "assistant"
        and (not message.get("tool_calls") or answered)
    )
    if state.prev_type == "tool_call" and not answered:
        return tok.TOOL_RESPONSE_START
    if continues or (answered and not has_content and next_role is None):
        return ""
    return tok.TURN_END + "\n"


def _responses(loop: Sequence[Message], index: int) -> list[str]:
    """Tool response blocks: Gemma-style ``tool_responses`` or the OpenAI ``tool`` messages that
    follow a message with calls. Without call ids every response takes the last call's name —
    the template's rule, kept so both renderers agree."""
    message = loop[index]
    if message.get("tool_responses"):
        return [
            _response(entry.get("name") or "unknown", entry["response"])
            for entry in message["tool_responses"]
        ]
    if not message.get("tool_calls"):
        return []
    blocks = []
    for follow in loop[index + 1 :]:
        if follow["role"] != "tool":
            break
        name = follow.get("name") or "unknown"
        for call in message["tool_calls"]:
            if call.get("id") == follow.get("tool_call_id"):
                name = call["function"]["name"]
        body = follow.get("content")
        if isinstance(body, list):
            text = "".join(part.get("text", "") for part in body if part.get("type") == "text")
            media = "".join(_MEDIA.get(part.get("type"), "") for part in body)
            blocks.append(_response(name, text) + media)
        else:
            blocks.append(_response(name, body))
    return blocks


def _render_call(function: Mapping[str, Any]) -> str:
    arguments = function.get("arguments") or {}
    body = ",".join(key + ":" + format_value(value) for key, value in dictsort_items(arguments))
    return tok.TOOL_CALL_START + "call:" + function["name"] + "{" + body + "}" + tok.TOOL_CALL_END


def _response(name: str, response: Any) -> str:
    if isinstance(response, Mapping):
        body = ",".join(key + ":" + format_value(value) for key, value in dictsort_items(response))
    else:
        body = "value:" + format_value(response)
    return tok.TOOL_RESPONSE_START + "response:" + name + "{" + body + "}" + tok.TOOL_RESPONSE_END


def _content(content: Any, role: str) -> str:
    if isinstance(content, str):
        return _strip_thinking(content) if role == "model" else content.strip()
    pieces = []
    for part in content or []:
        if part.get("type") == "text":
            text = part["text"]
            pieces.append(_strip_thinking(text) if role == "model" else text.strip())
        else:
            pieces.append(_MEDIA.get(part.get("type"), ""))
    return "".join(pieces)


def _system_text(content: Any) -> str:
    if isinstance(content, str):
        return content.strip()
    return "".join(part["text"].strip() + " " for part in content)


def _strip_thinking(text: str) -> str:
    """Drop ``<|channel>…<channel|>`` blocks from an earlier model turn, then trim."""
    kept = []
    for part in text.split(tok.CHANNEL_END):
        kept.append(part.split(tok.CHANNEL_START)[0])
    return "".join(kept).strip()


def _generation_prompt(prev_type: Optional[str], thinking: bool, empty_thought: bool) -> str:
    if prev_type not in ("tool_response", "tool_call"):
        closed = tok.CHANNEL_START + "thought\n" + tok.CHANNEL_END
        return tok.TURN_START + "model\n" + (closed if empty_thought and not thinking else "")
    if prev_type == "tool_response" and thinking:
        return tok.CHANNEL_START + "thought\n"
    return ""


def _expand(
    text: str, placeholder: str, start: str, end: str, counts: Sequence[int], kind: str
) -> str:
    pieces = text.split(placeholder)
    if len(pieces) - 1 != len(counts):
        raise ChatFormatError(
            f"the prompt has {len(pieces) - 1} {kind} placeholder(s) but {len(counts)} {kind}(s) "
            "were given",
            f"pass one soft-token count per {kind} part, in order",
        )
    out = [pieces[0]]
    for count, piece in zip(counts, pieces[1:]):
        if count < 1:
            raise ChatFormatError(
                f"{kind} soft-token count must be ≥ 1, got {count}",
                "use the encoder's output length",
            )
        out.append(start + placeholder * count + end + piece)
    return "".join(out)
