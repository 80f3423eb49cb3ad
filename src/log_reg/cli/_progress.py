"""A progress line for long fits: iteration, loss and gradient, redrawn in place on stderr.

Shown only when standard error is a terminal (a log file or a pipe gets nothing), only
once the fit has run for about a second (short fits stay silent), and at most ten times
a second (redrawing costs more than an iteration of a small problem).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

__all__ = ["Progress", "attach"]


class Progress:
    """A solver callback: give it to the estimator, call ``close`` (or use ``with``) after.

    Parameters
    ----------
    stream : text stream
        Where to draw (standard error); nothing is drawn unless ``stream.isatty()``.
    enabled : bool
        False (``--quiet``) silences it.
    delay, interval : float
        Seconds before the first line, and at least between two lines.
    clock : callable
        Seconds, monotonic (``time.monotonic``; tests pass a fake one).

    Examples
    --------
    >>> import io, types
    >>> class Terminal(io.StringIO):
    ...     def isatty(self):
    ...         return True
    >>> stream, ticks = Terminal(), iter([0.0, 0.5, 1.2])
    >>> progress = Progress(stream, clock=lambda: next(ticks))
    >>> progress(types.SimpleNamespace(iteration=1, loss=0.69, optimality=0.2))  # at 0.5 s
    >>> progress(types.SimpleNamespace(iteration=2, loss=0.41, optimality=0.01))  # at 1.2 s
    >>> stream.getvalue()
    '\\riteration 2   loss 0.41   max |gradient| 1.0e-02\\x1b[K'
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        enabled: bool = True,
        delay: float = 1.0,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream, self._clock = stream, clock
        self._active = enabled and stream.isatty()
        self._delay, self._interval = delay, interval
        self._start = clock()
        self._drawn_at: float | None = None

    def __call__(self, info: Any) -> None:
        """Draw ``info.iteration``, ``info.loss`` and ``info.optimality`` if it is time to."""
        if not self._active:
            return
        now = self._clock()
        if now - self._start < self._delay:
            return
        if self._drawn_at is not None and now - self._drawn_at < self._interval:
            return
        self._drawn_at = now
        line = f"iteration {info.iteration}   loss {info.loss:.6g}   "
        line += f"max |gradient| {info.optimality:.1e}"
        self._stream.write(f"\r{line}\x1b[K")  # back to the line's start; clear the rest
        self._stream.flush()

    def close(self) -> None:
        """Erase the line, if one was drawn, so the report starts on a clean line."""
        if self._drawn_at is not None:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._drawn_at = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def attach(model: Any, callback: Callable[[Any], None]) -> bool:
    """Give ``callback`` to ``model`` if it takes one (a ``callback`` parameter); say whether."""
    if "callback" not in model.get_params():
        return False
    model.set_params(callback=callback)
    return True
