"""The type checks every endpoint makes, so each error reads the same and names the endpoint."""

from __future__ import annotations

from typing import Any

from gemma4_ros.bus.errors import BusError, MessageTypeError


def check_types(where: str, *types: Any) -> None:
    """Endpoint declarations take classes: ``bool``, ``str``, a pydantic model..."""
    for kind in types:
        if not isinstance(kind, type):
            raise BusError(f"{where}: {kind!r} is not a type",
                           "pass classes, e.g. bool, str or a pydantic model")


def check_instance(value: object, expected: type, where: str, hint: str = "") -> None:
    """``value`` is an ``expected``; subclasses count, as ``isinstance`` says."""
    if not isinstance(value, expected):
        raise MessageTypeError(where, expected, type(value), hint)


def check_agreement(
    where: str, parts: tuple[str, ...], mine: tuple[type, ...], theirs: tuple[type, ...]
) -> None:
    """A client's declared types must be its server's, part by part."""
    for part, own, their in zip(parts, mine, theirs):
        if own is not their:
            raise MessageTypeError(f"{part} type of {where} disagrees with its server's",
                                   their, own, "give the client the server's types")
