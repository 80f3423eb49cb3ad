"""What a command writes: never one of its inputs, and never reported lost once written.

Two promises, kept for every file a command writes (model files, predictions, plots):

- an output that is one of the command's inputs, or another of its outputs, is refused
  before any work: the same file however it is named (``os.path.samefile``: the same
  device and inode, so a hard link, a symbolic link or ``./x`` are caught as well);
- a Ctrl-C while the file is written waits until it is whole (the write takes moments),
  and a Ctrl-C after it says that the file was written, instead of "interrupted".
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["InterruptedAfterWriting", "refuse_overwriting", "write_then_print"]


class InterruptedAfterWriting(Exception):
    """Ctrl-C after the output was written in full: the message names the file."""


def _same(a: str, b: str) -> bool:
    """Whether paths ``a`` and ``b`` are one file: by inode if both exist, else by name."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet): only the same resolved name is the same file
        return os.path.realpath(a) == os.path.realpath(b)


Files = Sequence[tuple[str, Any]]


def refuse_overwriting(outputs: Files, inputs: Files) -> None:
    """A ``ValueError`` if an output is an input, or two outputs are one file.

    ``outputs`` and ``inputs`` pair what a path is for (``"--out"``, ``"data file"``) with
    the path; None and ``-`` (standard input or output) are no files and are skipped.

    Examples
    --------
    >>> refuse_overwriting([("--out", "data.csv")], [("data file", "./data.csv")])
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --out data.csv is the data file ./data.csv: the command would overwrite ...
    """
    files = [(role, str(path)) for role, path in outputs if path not in (None, "-")]
    sources = [(role, str(path)) for role, path in inputs if path not in (None, "-")]
    for number, (role, path) in enumerate(files):
        for other, source in sources:
            if _same(path, source):
                raise ValueError(
                    f"{role} {path} is the {other} {source}: the command would overwrite its "
                    f"input; choose another {role}."
                )
        for other, target in files[number + 1 :]:
            if _same(path, target):
                raise ValueError(
                    f"{role} {path} and {other} {target} are the same file; choose another {role}."
                )


def write_then_print(write: Callable[[], None], path: str | Path, text: str | None) -> None:
    """Call ``write`` (which writes ``path``), then print ``text`` (None: nothing).

    While ``write`` runs, Ctrl-C (SIGINT) is held, so the file is whole when it ends; a
    held Ctrl-C, or one pressed while ``text`` is printed, then raises
    ``InterruptedAfterWriting`` naming ``path``. Signals can be held only in the main
    thread; elsewhere ``write`` runs as it is.
    """
    held: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    if main:
        signal.signal(signal.SIGINT, lambda number, frame: held.append(number))
    try:
        write()
    finally:
        if main:  # a handler installed outside Python reads as None: restore Python's
            signal.signal(signal.SIGINT, previous or signal.default_int_handler)
    try:
        if held:
            raise KeyboardInterrupt
        if text is not None:
            print(text)
    except KeyboardInterrupt:
        rest = "" if text is None else "; the report was cut short"
        raise InterruptedAfterWriting(
            f"stopped by Ctrl-C after {path} was written in full{rest}."
        ) from None
