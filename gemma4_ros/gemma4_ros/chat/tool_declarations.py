"""Tool declarations in Gemma 4's own syntax, rendered from a tool's JSON Schema.

A tool ``{"type": "function", "function": {"name", "description", "parameters"}}`` becomes::

    <|tool>declaration:navigate_to{description:<|"|>Drive to a named place<|"|>,parameters:{
    properties:{place:{description:<|"|>Where<|"|>,enum:[<|"|>dock<|"|>,<|"|>lab<|"|>],
    type:<|"|>STRING<|"|>},speed:{type:<|"|>NUMBER<|"|>}},required:[<|"|>place<|"|>],
    type:<|"|>OBJECT<|"|>}}<tool|>

(one line in reality). This follows the macros ``format_function_declaration`` and
``format_parameters`` of Gemma 4's ``chat_template.jinja`` (E2B/E4B, 2026-07 revision) field for
field, including what they leave out — read them before changing anything here:

* properties in ``dictsort`` order (case-insensitive), keys bare; per property, in this order:
  ``description``, then ``enum`` (strings only) or ``items`` (arrays), ``nullable:true``, nested
  ``properties`` and ``required`` (objects), and always ``type`` last, upper-cased;
* ``minimum``/``maximum``/``maxLength``/``default`` of a scalar property are *not* shown to the
  model (only array ``items`` list every key they have) — range checks belong to the validator;
* ``parameters:{`` is closed only by its ``type``: a schema without ``"type": "object"``
  produces an unbalanced declaration in the real template too, so give every schema a type.
"""

from __future__ import annotations

from typing import Any, Mapping

from gemma4_ros.chat.special_tokens import STRING_DELIM, TOOL_END, TOOL_START
from gemma4_ros.chat.tool_syntax import dictsort_items, format_sequence_of_strings, format_value

_STANDARD_KEYS = ("description", "type", "properties", "required", "nullable")


def render_tool_declaration(tool: Mapping[str, Any]) -> str:
    """``<|tool>declaration:NAME{...}<tool|>`` for one OpenAI-style tool entry."""
    return TOOL_START + _declaration(tool["function"]).strip() + TOOL_END


def _declaration(function: Mapping[str, Any]) -> str:
    description = _quoted(function.get("description", ""))
    text = "declaration:" + function["name"] + "{description:" + description
    params = function.get("parameters")
    if params:
        text += ",parameters:{"
        if params.get("properties"):
            text += "properties:{" + _parameters(params["properties"]) + "},"
        if params.get("required"):
            text += "required:" + format_sequence_of_strings(params["required"]) + ","
        if params.get("type"):
            text += "type:" + _quoted(_upper(params["type"])) + "}"
    if "response" in function:
        response = function["response"]
        text += ",response:{"
        if response.get("description"):
            text += "description:" + _quoted(response["description"]) + ","
        if _upper(response.get("type")) == "OBJECT":
            text += "type:" + _quoted("OBJECT") + "}"
    return text + "}"


def _parameters(properties: Mapping[str, Any], filter_keys: bool = False) -> str:
    """``key:{...}`` for each property, comma-separated (the template's ``format_parameters``)."""
    parts = []
    for key, value in dictsort_items(properties):
        if filter_keys and key in _STANDARD_KEYS:
            continue
        parts.append(key + ":{" + ",".join(_property_fields(value)) + "}")
    return ",".join(parts)


def _property_fields(value: Mapping[str, Any]) -> list[str]:
    fields = []
    if value.get("description"):
        fields.append("description:" + _quoted(value["description"]))
    kind = _upper(value.get("type"))
    if kind == "STRING" and value.get("enum"):
        fields.append("enum:" + format_value(value["enum"], quote_keys=True))
    elif kind == "ARRAY" and isinstance(value.get("items"), Mapping) and value["items"]:
        fields.append("items:{" + _items(value["items"]) + "}")
    if value.get("nullable"):
        fields.append("nullable:true")
    if kind == "OBJECT":
        if isinstance(value.get("properties"), Mapping):
            fields.append("properties:{" + _parameters(value["properties"]) + "}")
        else:
            fields.append("properties:{" + _parameters(value, filter_keys=True) + "}")
        if value.get("required"):
            fields.append("required:" + format_sequence_of_strings(value["required"]))
    fields.append("type:" + _quoted(kind))
    return fields


def _items(items: Mapping[str, Any]) -> str:
    """An array's ``items`` schema: every key, values in value syntax with quoted keys."""
    parts = []
    for key, value in dictsort_items(items):
        if value is None:
            continue
        if key == "properties":
            inner = _parameters(value) if isinstance(value, Mapping) else ""
            parts.append("properties:{" + inner + "}")
        elif key == "required":
            parts.append("required:" + format_sequence_of_strings(value))
        elif key == "type":
            kinds = value.upper() if isinstance(value, str) else [str(k).upper() for k in value]
            parts.append("type:" + format_value(kinds, quote_keys=True))
        else:
            parts.append(key + ":" + format_value(value, quote_keys=True))
    return ",".join(parts)


def _upper(value: Any) -> str:
    """Jinja's ``value | upper``: missing → "", anything else through ``str``."""
    return "" if value is None else str(value).upper()


def _quoted(text: Any) -> str:
    return STRING_DELIM + str(text) + STRING_DELIM
