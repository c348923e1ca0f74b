"""The demo chat template: Gemma 4's turns, no system turn, equal to the built-in renderer."""

from __future__ import annotations

import pytest
from gemma4_ros.demo.prompt import render_prompt
from gemma4_ros.demo.template import CHAT_TEMPLATE, write_chat_template
from gemma4_ros.chat import chat_format as cf
from gemma4_ros.chat.chat_template import ChatFormat

CONVERSATIONS = [
    [cf.user("go to the kitchen")],
    [cf.user("go"), cf.model(calls=[cf.tool_call("move", {"distance": 1.5, "speed": 0.2})])],
    [cf.user("go"), cf.model(calls=[cf.tool_call("navigate_to", {"place": "lab"})],
                             responses=[{"name": "navigate_to", "response": {"ok": True, "n": 3}}])],
    [cf.user("look"), cf.model(calls=[cf.tool_call("inspect", {"target": "door", "question": "open?"},
                                                    call_id="c1")]),
     {"role": "tool", "tool_call_id": "c1", "content": "it is open"}],
    [cf.user("halt"), cf.model(calls=[cf.tool_call("stop", {}, call_id="c1")]),
     {"role": "tool", "tool_call_id": "c1", "content": "ok"}, cf.model("done"), cf.user("again")],
    [cf.user("hi"), cf.model("sorry, no."), cf.user("ok")],
    [cf.user("hi"), cf.model("a"), cf.model("b")],
    [cf.user("list"), cf.model(calls=[cf.tool_call("x", {"v": [1, "a", None, False]})])],
]


@pytest.fixture(scope="module")
def demo_format() -> ChatFormat:
    return ChatFormat(CHAT_TEMPLATE, "demo template")


@pytest.mark.parametrize("conversation", CONVERSATIONS)
@pytest.mark.parametrize("generation", [True, False])
def test_equals_builtin_without_system_turn(demo_format: ChatFormat, conversation: list,
                                            generation: bool) -> None:
    assert demo_format.render(conversation, add_generation_prompt=generation) == \
        cf.render_builtin(conversation, add_generation_prompt=generation)


def test_planner_prompt_is_the_training_prompt(demo_format: ChatFormat, tmp_path) -> None:
    tools = [{"type": "function", "function": {"name": "stop", "description": "Stop.",
                                               "parameters": {"type": "object", "properties": {}}}}]
    messages = [cf.system("You plan for a robot."), cf.user("go to the lab")]
    rendered = demo_format.render(messages, tools, enable_thinking=True)
    assert rendered == render_prompt("go to the lab")
    assert "<|tool>" not in rendered and "<|think|>" not in rendered
    written = ChatFormat.from_model_dir(write_chat_template(tmp_path).parent)
    assert written.render(messages, tools) == rendered
