"""What the demo model reads and writes, rendered by the runtime's own Gemma 4 chat format.

The demo model is trained on the shortest real Gemma 4 conversation: one user turn, no system
turn and no tool declarations (the model knows its tools from training, and a 700-token
declaration block would make every training step many times dearer)::

    <bos><|turn>user⏎go to the kitchen and wait 5 seconds<turn|>⏎<|turn>model⏎

and it answers in Gemma 4's own syntax, ending where a real model stops::

    <|tool_call>call:navigate_to{place:<|"|>kitchen<|"|>}<tool_call|><|tool_call>call:wait{seconds:5}<tool_call|><|tool_response>

or, for a request no tool can do, with the refusal text and ``<turn|>``. The planner must render
exactly :func:`render_prompt` for it: the shipped ``chat_template.jinja`` does so by leaving out
the system turn (see :mod:`gemma4_ros.demo.template`).
"""

from __future__ import annotations

from gemma4_ros.demo.corpus import Example
from gemma4_ros.demo.refusals import REFUSAL_TEXTS
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat import chat_format


def render_prompt(command: str) -> str:
    """The prompt text for one operator command, up to and including ``<|turn>model⏎``."""
    return chat_format.render_builtin([chat_format.user(command)])


def render_target(example: Example) -> str:
    """The model's answer for ``example``, up to and including the token it stops on."""
    if example.calls:
        calls = [chat_format.tool_call(c.name, dict(c.arguments)) for c in example.calls]
        reply = chat_format.model(calls=calls)
    else:
        reply = chat_format.model(example.reply or REFUSAL_TEXTS["no_tool"])
    conversation = [chat_format.user(example.command), reply]
    full = chat_format.render_builtin(conversation, add_generation_prompt=False)
    prompt = render_prompt(example.command)
    if not full.startswith(prompt):
        raise Gemma4RosError(
            f"the chat format renders an answer that does not extend its prompt: {full[:80]!r}",
            "gemma4_ros.chat.chat_format changed; update gemma4_ros.demo.prompt to match")
    return full[len(prompt):].rstrip("\n")
