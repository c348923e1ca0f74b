"""The ``gemma4-ros`` command: one entry point for every ROS-free job of the package.

Each subcommand is a module of this package and exposes ``add_parser(subparsers)``,
which registers the parser and sets ``handler`` to a function ``(args) -> int`` (the exit code).
Errors of the package (:class:`Gemma4RosError`) are printed as one line with their fix and turn
into exit code 2, so a wrong path or config never ends in a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from gemma4_ros import __version__
from gemma4_ros.cli import ask, doctor, export, gate, index, plan, quantize, replay, run
from gemma4_ros.errors import Gemma4RosError

COMMANDS = (doctor, export, quantize, gate, plan, run, replay, ask, index)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gemma4-ros",
        description="Gemma 4 as the planning and tool-use layer of a robot (ROS-free tools).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args))
    except Gemma4RosError as error:
        print(f"gemma4-ros {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

