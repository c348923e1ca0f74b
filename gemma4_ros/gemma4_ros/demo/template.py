"""The demo model's ``chat_template.jinja``: Gemma 4's turns without the system turn.

The runtime renders every prompt through the model directory's own template when there is one
(:mod:`gemma4_ros.chat.chat_template`), so shipping this file is how the planner feeds the demo
model exactly the prompt it was trained on (:func:`gemma4_ros.demo.prompt.render_prompt`) without
knowing it is a demo model: system and developer messages, tool declarations and the thinking
switch are left out — the model learned its tools in training, and a declaration block it never
saw would only confuse it. User and model turns, tool calls and tool responses are written as
Gemma 4 writes them (a test keeps this equal to the built-in renderer on such conversations).
"""

from __future__ import annotations

from pathlib import Path

TEMPLATE_FILE = "chat_template.jinja"

CHAT_TEMPLATE = """\
{#- gemma4_ros demo planner: Gemma 4 turns without a system turn (see gemma4_ros.demo.template) -#}
{%- macro value(v) -%}
{%- if v is string -%}<|"|>{{ v }}<|"|>
{%- elif v is mapping -%}{{ '{' }}{%- for k, x in v | dictsort -%}{{ k }}:{{ value(x) }}{{ ',' if not loop.last }}{%- endfor -%}{{ '}' }}
{%- elif v is true -%}true
{%- elif v is false -%}false
{%- elif v is none -%}null
{%- elif v is sequence -%}[{%- for x in v -%}{{ value(x) }}{{ ',' if not loop.last }}{%- endfor -%}]
{%- else -%}{{ v }}
{%- endif -%}
{%- endmacro -%}
{%- macro response(name, body) -%}
<|tool_response>response:{{ name }}{{ value(body) if body is mapping else '{value:' ~ value(body) ~ '}' }}<tool_response|>
{%- endmacro -%}
{%- macro text(content) -%}
{%- if content is string -%}{{ content | trim }}
{%- else -%}{%- for part in content or [] if part.type == 'text' -%}{{ part.text | trim }}{%- endfor -%}
{%- endif -%}
{%- endmacro -%}
{{- bos_token -}}
{%- set ns = namespace(prev=none, last_role=none) -%}
{%- for m in messages if m.role in ['user', 'assistant'] or m.role == 'tool' -%}
{%- if m.role == 'user' -%}
<|turn>user{{ '\\n' }}{{ text(m.content) }}<turn|>{{ '\\n' }}
{%- set ns.prev = none -%}{%- set ns.last_role = 'user' -%}
{%- elif m.role == 'assistant' -%}
{%- if ns.last_role != 'assistant' -%}<|turn>model{{ '\\n' }}{%- endif -%}
{%- set calls = m.tool_calls or [] -%}
{%- for c in calls -%}<|tool_call>call:{{ c.function.name }}{{ value(c.function.arguments or {}) }}<tool_call|>{%- endfor -%}
{%- set ns.prev = 'tool_call' if calls else none -%}
{%- set st = namespace(answered=false, next=none, done=false) -%}
{%- for r in m.tool_responses or [] -%}{{ response(r.name or 'unknown', r.response) }}{%- set st.answered = true -%}{%- endfor -%}
{%- for f in messages[loop.index0 + 1:] if not st.done -%}
{%- if f.role != 'tool' -%}{%- set st.next = f.role -%}{%- set st.done = true -%}
{%- elif calls and not m.tool_responses -%}
{%- set who = namespace(name=f.name or 'unknown') -%}
{%- for c in calls if c.id is defined and c.id == f.tool_call_id -%}{%- set who.name = c.function.name -%}{%- endfor -%}
{{ response(who.name, f.content) }}{%- set st.answered = true -%}
{%- endif -%}
{%- endfor -%}
{%- if st.answered -%}{%- set ns.prev = 'tool_response' -%}{%- endif -%}
{%- set body = text(m.content) -%}
{{ body }}
{%- if ns.prev == 'tool_call' -%}<|tool_response>
{%- elif st.next == 'assistant' and (not calls or st.answered) -%}
{%- elif st.answered and not body | trim and st.next is none -%}
{%- else -%}<turn|>{{ '\\n' }}
{%- endif -%}
{%- set ns.last_role = 'assistant' -%}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt and ns.prev not in ['tool_response', 'tool_call'] -%}<|turn>model{{ '\\n' }}{%- endif -%}
"""


def write_chat_template(directory: Path) -> Path:
    """Write ``chat_template.jinja`` into a model directory; returns its path."""
    path = Path(directory) / TEMPLATE_FILE
    path.write_text(CHAT_TEMPLATE, encoding="utf-8")
    return path
