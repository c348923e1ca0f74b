"""ROS 2 name rules for topics, services, actions, namespaces and node names.

A name that the bus accepts must also be accepted by ROS, otherwise a pipeline that runs
standalone fails on the first ROS launch. So the rules are ROS's (see the ROS 2 design article
"Topic and Service name mapping"): tokens of letters, digits and underscores that do not start
with a digit, separated by single slashes, no trailing slash; ``~`` only first, meaning the
node's private namespace. ``{substitutions}`` are not supported here.
"""

from __future__ import annotations

import re

from gemma4_ros.bus.errors import InvalidNameError

_TOKEN = r"[A-Za-z_][A-Za-z0-9_]*"
_RELATIVE = re.compile(rf"{_TOKEN}(/{_TOKEN})*")
_NODE = re.compile(_TOKEN)
_RULES = "tokens of letters, digits and '_' not starting with a digit, joined by single '/'"


def validate_node_name(name: str) -> str:
    """A node name is one token: no slashes, no namespace."""
    if not _NODE.fullmatch(name):
        raise InvalidNameError(f"invalid node name {name!r}", f"use one token: {_RULES}")
    return name


def validate_namespace(namespace: str) -> str:
    """An absolute namespace such as ``/`` or ``/robot1/arm``."""
    if namespace != "/" and not (namespace.startswith("/") and _RELATIVE.fullmatch(namespace[1:])):
        raise InvalidNameError(
            f"invalid namespace {namespace!r}", f"use '/' or an absolute name of {_RULES}"
        )
    return namespace


def resolve_name(name: str, namespace: str = "/", node: str | None = None) -> str:
    """The fully qualified form of ``name`` as seen from ``node`` in ``namespace``.

    ``/a/b`` stays as it is, ``a/b`` goes under the namespace, ``~/a`` under the node.
    """
    validate_namespace(namespace)
    base, given = namespace.rstrip("/"), name
    if name == "~" or name.startswith("~/"):
        if node is None:
            raise InvalidNameError(
                f"private name {name!r} used outside a node",
                "create the endpoint on bus.node(name) or use a relative or absolute name",
            )
        base = f"{base}/{validate_node_name(node)}"
        if name == "~":
            return base
        name = name[2:]
    elif name.startswith("/"):
        base, name = "", name[1:]
    if not _RELATIVE.fullmatch(name):
        raise InvalidNameError(f"invalid name {given!r}", f"use {_RULES}")
    return f"{base}/{name}"
