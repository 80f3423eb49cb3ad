"""A progress bar for long fits: iteration out of ``max_iter``, loss and gradient, on stderr.

Drawn by rich (``rich.progress``), only when standard error is a terminal (a log file or a
pipe gets nothing), only once the fit has run for about a second (short fits stay silent),
and at most ten times a second (redrawing costs more than an iteration of a small
problem); it is erased when the fit ends, so the report starts on a clean line. Rich is
imported only when the bar is first drawn.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

from log_reg.cli._io import require

__all__ = ["Progress", "attach"]


class Progress:
    """A solver callback: give it to the estimator, call ``close`` (or use ``with``) after.

    Parameters
    ----------
    stream : text stream
        Where to draw (standard error); nothing is drawn unless ``stream.isatty()``.
    total : int
        The iterations the fit may take (``max_iter``): the bar's length.
    enabled : bool
        False (``--quiet``) silences it.
    delay, interval : float
        Seconds before the first drawing, and at least between two.
    clock : callable
        Seconds, monotonic (``time.monotonic``; tests pass a fake one).

    Examples
    --------
    >>> import io, types
    >>> class Terminal(io.StringIO):
    ...     def isatty(self):
    ...         return True
    >>> stream, ticks = Terminal(), iter([0.0, 0.5, 1.2])
    >>> with Progress(stream, total=10, clock=lambda: next(ticks)) as progress:
    ...     progress(types.SimpleNamespace(iteration=1, loss=0.69, optimality=0.2))  # at 0.5 s
    ...     progress(types.SimpleNamespace(iteration=2, loss=0.41, optimality=0.01))  # at 1.2 s
    >>> "iteration 2/10" in stream.getvalue(), "loss 0.41" in stream.getvalue()
    (True, True)
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        total: int,
        enabled: bool = True,
        delay: float = 1.0,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream, self._clock, self._total = stream, clock, total
        self._active = enabled and stream.isatty()
        self._delay, self._interval = delay, interval
        self._start = clock()
        self._drawn_at: float | None = None
        self._bar: Any = None  # rich.progress.Progress, once drawn

    def _open(self, info: Any) -> Any:
        """The bar, drawn at ``info``: rich's columns, redrawn only when ``__call__`` says so."""
        rich = require("rich.progress", "the progress bar")
        console = require("rich.console", "the progress bar").Console(file=self._stream)
        bar = rich.Progress(
            rich.TextColumn("iteration {task.completed}/{task.total}"),
            rich.BarColumn(),
            rich.TextColumn("loss {task.fields[loss]:.6g}"),
            rich.TextColumn("max |gradient| {task.fields[gradient]:.1e}"),
            console=console,
            auto_refresh=False,  # no drawing thread: __call__ redraws
            transient=True,  # erased when stopped
            redirect_stdout=False,
            redirect_stderr=False,
        )
        bar.add_task("fit", total=self._total, **self._fields(info))
        bar.start()  # the first drawing
        return bar

    def _fields(self, info: Any) -> dict[str, Any]:
        completed = min(int(info.iteration), self._total)
        return {"completed": completed, "loss": info.loss, "gradient": info.optimality}

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
        if self._bar is None:
            self._bar = self._open(info)
            return
        self._bar.update(self._bar.task_ids[0], **self._fields(info))
        self._bar.refresh()

    def close(self) -> None:
        """Erase the bar, if one was drawn."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

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
