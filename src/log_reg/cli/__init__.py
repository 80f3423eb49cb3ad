"""The ``log-reg`` command: one module per subcommand, each using the public API only.

A subcommand module provides ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``; ``COMMANDS`` maps names to modules. With no subcommand, ``log-reg``
(and ``python -m log_reg``) runs ``demo``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from . import demo

__all__ = ["COMMANDS", "main"]

COMMANDS: dict[str, ModuleType] = {"demo": demo}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-parser per entry of ``COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog="log-reg", description="Logistic regression in plain NumPy."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``log-reg`` with ``argv`` (``sys.argv[1:]`` by default); return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    parsed = parser.parse_args(args or ["demo"])
    try:
        status: int = COMMANDS[parsed.command].run(parsed)
    except ValueError as error:  # a user's mistake: one line, no traceback
        print(f"log-reg: error: {error}", file=sys.stderr)
        return 2
    return status
