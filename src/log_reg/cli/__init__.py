"""The ``log-reg`` command, the top layer: one module per subcommand, each using only the
public API (``log_reg``) and the model files (``log_reg.files``).

A subcommand module provides ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``; ``COMMANDS`` maps names to modules. With no subcommand, ``log-reg``
(and ``python -m log_reg``) runs ``demo``.

A user's mistake is one line on stderr and no traceback. Exit statuses: 0 success;
2 a mistake (a bad option, file, column or value; argparse's own status for bad options);
3 an optional library is missing (the message says what to install); 130 interrupted
(Ctrl-C; the message says so, and which output was already written in full, if one was).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from log_reg.cli import demo, evaluate, fit, predict, summary
from log_reg.cli._io import MissingDependencyError
from log_reg.cli._outputs import InterruptedAfterWriting

__all__ = ["COMMANDS", "main"]

COMMANDS: dict[str, ModuleType] = {
    "demo": demo,
    "fit": fit,
    "predict": predict,
    "evaluate": evaluate,
    "summary": summary,
}


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad option reported in one line (not usage and error on two)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-parser per entry of ``COMMANDS``."""
    parser = _Parser(prog="log-reg", description="Logistic regression in plain NumPy.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def _describe(error: OSError) -> str:
    """``path: reason`` for a file that could not be read or written."""
    return f"{error.filename}: {error.strerror}" if error.filename else str(error)


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
    except MissingDependencyError as error:
        print(f"log-reg: error: {error}", file=sys.stderr)
        return 3
    except BrokenPipeError:  # the reader of stdout left (``log-reg predict ... | head``)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 2
    except OSError as error:  # a file that cannot be read or written
        print(f"log-reg: error: {_describe(error)}", file=sys.stderr)
        return 2
    except InterruptedAfterWriting as error:
        print(f"log-reg: {error}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("log-reg: interrupted", file=sys.stderr)
        return 130
    return status
