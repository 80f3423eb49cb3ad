"""Files written whole or not at all: the one way log_reg writes a file (models, CLI output)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then move it onto ``path``.

    ``os.replace`` is atomic on POSIX and Windows: readers see the old file or the new
    one, never a mix; on any failure the temporary file is removed. A target that is not a
    regular file or folder (``/dev/null``, a named pipe) is written directly.
    """
    target = Path(path)
    if target.exists() and not target.is_file() and not target.is_dir():
        target.write_bytes(data)  # /dev/null, a named pipe: a stream, nothing to replace
        return
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as error:  # name the file the caller asked for, not the temporary one
        raise OSError(error.errno, error.strerror, os.fspath(target)) from None
