"""Pick the prompt renderer for a model directory: its own chat template if it ships one.

Real Gemma 4 checkpoints and the public ONNX exports ship ``chat_template.jinja``; Google has
revised it several times (tool-call loops, thinking order) and the 26B/31B variant differs from
E2B/E4B. Rendering through the file in the model directory therefore beats any copy in code. It
runs in Jinja's immutable sandbox with the settings transformers uses (``trim_blocks``,
``lstrip_blocks``, ``loopcontrols``, ``raise_exception``), so the text equals what
``apply_chat_template`` would produce. Directories without a template (test fixtures) fall back
to :func:`gemma4_ros.chat.chat_format.render_builtin`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from gemma4_ros.chat import special_tokens as tok
from gemma4_ros.chat.chat_format import render_builtin
from gemma4_ros.chat.message_checks import ChatFormatError, validate_conversation

TEMPLATE_FILE = "chat_template.jinja"
TOKENIZER_CONFIG_FILE = "tokenizer_config.json"


class ChatFormat:
    """Renders conversations for one model: through its template, or built in."""

    def __init__(
        self,
        template_text: Optional[str] = None,
        source: str = "built-in Gemma 4 format",
        *,
        empty_thought_when_off: bool = False,
    ) -> None:
        self.source = source
        self._empty_thought = empty_thought_when_off
        self._template = _compile(template_text, source) if template_text is not None else None

    @classmethod
    def from_template_file(cls, path: Union[str, Path]) -> "ChatFormat":
        """Use the Jinja template in ``path``."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ChatFormatError(
                f"{path}: cannot read chat template ({error})", "check the file's permissions"
            ) from error
        return cls(text, str(path))

    @classmethod
    def from_model_dir(
        cls, model_dir: Union[str, Path], *, empty_thought_when_off: bool = False
    ) -> "ChatFormat":
        """``chat_template.jinja``, else ``tokenizer_config.json``'s ``chat_template``, else
        built in (``empty_thought_when_off`` applies to the built-in format only)."""
        model_dir = Path(model_dir)
        if (model_dir / TEMPLATE_FILE).is_file():
            return cls.from_template_file(model_dir / TEMPLATE_FILE)
        embedded = _template_from_tokenizer_config(model_dir / TOKENIZER_CONFIG_FILE)
        if embedded is not None:
            return cls(embedded, f"{model_dir / TOKENIZER_CONFIG_FILE}: chat_template")
        return cls(empty_thought_when_off=empty_thought_when_off)

    @property
    def uses_template(self) -> bool:
        """Whether a Jinja template (rather than the built-in renderer) is in use."""
        return self._template is not None

    def render(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Optional[Sequence[Mapping[str, Any]]] = None,
        *,
        add_generation_prompt: bool = True,
        enable_thinking: bool = False,
    ) -> str:
        """The prompt text, ``<bos>`` included: encode it with ``add_bos=False``."""
        if self._template is None:
            return render_builtin(
                messages,
                tools,
                add_generation_prompt=add_generation_prompt,
                enable_thinking=enable_thinking,
                empty_thought_when_off=self._empty_thought,
            )
        validate_conversation(messages, tools)
        variables = {
            "messages": [dict(message) for message in messages],
            "tools": [dict(tool) for tool in tools] if tools else None,
            "add_generation_prompt": add_generation_prompt,
            "enable_thinking": enable_thinking,
            "bos_token": tok.BOS,
            "eos_token": tok.EOS,
            "pad_token": tok.PAD,
            "unk_token": tok.UNK,
        }
        try:
            return self._template.render(**variables)
        except jinja2.TemplateError as error:
            raise ChatFormatError(
                f"{self.source}: rendering failed ({error})",
                "check the messages against the template (OpenAI-style dicts), or render with the "
                "built-in format by removing the template",
            ) from error


def _compile(text: str, source: str) -> jinja2.Template:
    environment = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
    )
    environment.globals["raise_exception"] = _raise_from_template
    environment.filters["tojson"] = _tojson
    try:
        return environment.from_string(text)
    except jinja2.TemplateSyntaxError as error:
        raise ChatFormatError(
            f"{source}: line {error.lineno}: invalid Jinja ({error.message})",
            "restore the chat template shipped with the model",
        ) from error


def _raise_from_template(message: str) -> None:
    raise jinja2.TemplateError(message)


def _tojson(value: Any, indent: Optional[int] = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _template_from_tokenizer_config(path: Path) -> Optional[str]:
    """The ``chat_template`` of an older-layout ``tokenizer_config.json`` (a string, or a list of
    named templates of which ``default`` is used)."""
    if not path.is_file():
        return None
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ChatFormatError(
            f"{path}: not readable JSON ({error})", "restore the file shipped with the model"
        ) from error
    template = config.get("chat_template") if isinstance(config, dict) else None
    if isinstance(template, list):
        entries = [entry for entry in template if isinstance(entry, dict)]
        named = {entry.get("name"): entry.get("template") for entry in entries}
        template = named.get("default")
    return template if isinstance(template, str) else None
