"""From a path to a JSON object, in time and memory proportional to a bounded file size.

``read_document`` refuses, each with a ``ValueError`` that says why:

- anything but a regular file (a directory, a named pipe, a device such as ``/dev/zero``),
  checked on the opened descriptor, which is opened without blocking, so a pipe with no
  writer cannot hang the reader;
- a file larger than ``max_bytes``: at most ``max_bytes + 1`` bytes are ever read;
- a file that does not start as a JSON object (with what it looks like instead: a pickle,
  an image, a CSV), binary data, invalid or truncated JSON, ``NaN``/``Infinity``;
- a key repeated in an object (found with a set: linear in the number of keys);
- nesting deeper than ``MAX_DEPTH`` levels, found before parsing by a pass over the
  brackets outside strings (NumPy, no recursion), so neither ``json`` nor code reading the
  document recurses deeper than that;
- integers too long for Python to read (``sys.get_int_max_str_digits()``, 4300 digits by
  default).

A path that is not a ``str``, ``bytes`` or ``os.PathLike`` (``123`` would open file
descriptor 123) raises ``TypeError``; a file that cannot be opened, ``OSError``.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

import numpy as np

from log_reg.files.model_json import describe, preview

__all__ = ["MAX_DEPTH", "read_document"]

#: Nesting levels a document may have; model files need fewer than ten.
MAX_DEPTH = 32

#: The first bytes of files people mistake for model files, and what they are.
_SIGNATURES = {
    b"\x80": "a Python pickle (log_reg never loads pickles: loading one can run any code)",
    b"\x89PNG": "a PNG image",
    b"PAR1": "a Parquet file",
    b"PK\x03\x04": "a zip archive",
}
_KINDS = {
    stat.S_ISDIR: "a directory",
    stat.S_ISFIFO: "a named pipe",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISSOCK: "a socket",
}
_CHUNK = 1 << 20  # bytes per read, and brackets per step of the depth pass


def read_document(path: Any, *, max_bytes: int) -> dict[str, Any]:
    """The JSON object in the regular file at ``path`` of at most ``max_bytes`` bytes.

    Examples
    --------
    >>> read_document(123, max_bytes=100)
    Traceback (most recent call last):
    ...
    TypeError: path must be a file name (str or os.PathLike); got int 123.
    """
    return _parse(_read(check_path(path), max_bytes))


def check_path(path: Any) -> str | bytes:
    """``path`` as ``os.fspath`` gives it, or a ``TypeError`` for anything but a path."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        shown = f" {describe(path)}" if isinstance(path, (int, float)) else ""
        raise TypeError(
            f"path must be a file name (str or os.PathLike); got {type(path).__name__}{shown}."
        )
    return os.fspath(path)


def _read(path: str | bytes, max_bytes: int) -> bytes:
    """The file's bytes, once it shows itself a regular file that starts as a JSON object."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)  # never blocks: a pipe is refused below, not waited on
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            kind = next((what for test, what in _KINDS.items() if test(mode)), "not a file")
            raise ValueError(f"it is {kind}, not a regular file.")
        file = os.fdopen(descriptor, "rb", buffering=0)
    except BaseException:
        os.close(descriptor)
        raise
    with file:
        head = file.read(64)
        if head.lstrip()[:1] != b"{":
            raise ValueError(_what_it_is(head))
        chunks, size = [head], len(head)
        while size <= max_bytes:
            chunk = file.read(min(_CHUNK, max_bytes + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
    raise ValueError(
        f"it is larger than {max_bytes} bytes, the most a model file may have here "
        "(max_bytes raises the limit)."
    )


def _what_it_is(head: bytes) -> str:
    if not head.strip():
        return "it is empty."
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            return f"it is {what}."
    return f"it is not a JSON object: it starts with {head[:20]!r}, not '{{'."


def _parse(data: bytes) -> dict[str, Any]:
    """The JSON object in ``data``, or a ``ValueError`` that says what is wrong with it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("it holds binary data, not JSON text.") from None
    if _depth(data) > MAX_DEPTH:
        raise ValueError(f"its JSON is nested too deeply (more than {MAX_DEPTH} levels).")
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except _Refused:
        raise
    except json.JSONDecodeError as error:
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated"):
            raise ValueError("it ends in the middle of its JSON document (truncated?).") from None
        raise ValueError(
            f"it is not JSON ({error.msg} at line {error.lineno}, column {error.colno})."
        ) from None
    except ValueError:  # Python's own limit on the digits of an integer
        raise ValueError("it holds an integer too long to read.") from None
    return document  # an object: the text starts with "{" and parsed whole


class _Refused(ValueError):
    """What the parser's hooks raise: already a message for the user."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) < len(pairs):  # some key came twice: name a few of them
        seen: set[str] = set()
        repeated: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                repeated.add(key)
            seen.add(key)
        raise _Refused(f"its JSON repeats the key(s) {preview(sorted(repeated))}.")
    return document


def _no_constant(name: str) -> Any:
    raise _Refused(f"it holds {name}, which is not standard JSON.")


def _depth(data: bytes) -> int:
    """How deep the brackets outside strings nest: ``[[1], {}]`` is 2.

    With escaped backslashes and quotes blanked, every quote left opens or closes a string,
    so a byte is outside strings where the count of quotes before it is even; the depth is
    the running sum of +1 per opening and -1 per closing bracket there. NumPy passes of
    ``_CHUNK`` bytes, the counts carried from one to the next. Exact for any text that
    ``json`` reads as far as its deepest point.
    """
    text = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    quotes = depth = deepest = 0
    for start in range(0, len(text), _CHUNK):
        part = np.frombuffer(text, np.uint8, min(_CHUNK, len(text) - start), start)
        seen = quotes + np.cumsum(part == ord('"'), dtype=np.int64)  # quotes up to each byte
        outside = seen % 2 == 0
        folded = part | 0x20  # "[" -> "{", "]" -> "}": one test for each pair
        steps = (outside & (folded == ord("{"))).astype(np.int64) - (outside & (folded == ord("}")))
        levels = depth + np.cumsum(steps)
        quotes, depth, deepest = int(seen[-1]), int(levels[-1]), max(deepest, int(levels.max()))
    return deepest
