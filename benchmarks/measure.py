"""How each configuration is measured: wall time, passes over X, peak memory, objective.

1. **Probe.** One untimed fit per configuration, with counters and memory tracking on:
   - *passes over X*: calls to the objective's value, gradient, Hessian and Hessian-vector
     product, ours (``log_reg.core.objective.Objective``) and scikit-learn's
     (``LinearModelLoss``, private, used by its lbfgs and newton solvers), each weighted by
     its rows / n (SGD's mini-batches add up to one pass an epoch). Each call reads X once
     or twice; a multinomial Hessian costs K(K+1)/2 weighted Gram products. saga: one pass
     an epoch. liblinear and glum run in compiled code and are not counted ("-").
   - *peak memory*, two ways: ``tracemalloc``'s peak of allocations made during the fit
     (NumPy's arrays included; allocations of compiled code, such as liblinear's copy of
     X, are not seen), and the peak rise of the process's resident set size, sampled
     every millisecond by a thread (sees everything, but misses memory freed and reused).
   A probe that runs past ``budget`` seconds is stopped (at the next Python bytecode: a
   compiled solver finishes its call first), reported, and not timed.
2. **Timing.** ``repeats`` rounds, or more when rounds are short: as many as fit in
   ``ROUND_SECONDS`` at the first round's pace (up to ``MAX_ROUNDS``), so that fits of a
   few milliseconds, whose times scatter by tens of percent, are timed often enough for
   a stable median. Each round fits every configuration once, in a new random order: a
   fit can slow the next one (OpenMP threads left spinning, caches), so no configuration
   always follows the same one. The time is the median (the minimum is printed too:
   their spread shows the machine's noise). A configuration whose probe took longer than
   ``slow`` seconds is timed once.
3. **Objective.** Every fit is scored on one scale, ours (see ``log_reg.core.objective``'s
   Conventions): ``f = mean log-loss + alpha * pen`` with ``alpha = 1 / (C n)``, which is
   scikit-learn's objective divided by ``C n``, in float64.
"""

from __future__ import annotations

import signal
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import numpy as np
import psutil
from configs import Config, Fit
from problems import Problem

from log_reg.core.objective import Objective, make_objective
from log_reg.core.penalty import ElasticNet, alpha_from_C

MIB = 2**20


@dataclass
class Measurement:
    """Everything measured about one configuration on one problem."""

    config: Config
    fit: Fit | None = None
    error: str = ""
    times: list[float] = field(default_factory=list)
    passes: float | None = None
    traced_mib: float = float("nan")
    rss_mib: float = float("nan")
    probe_seconds: float = 0.0
    value: float = float("nan")

    @property
    def time(self) -> float:
        return float(np.median(self.times)) if self.times else float("nan")

    @property
    def fastest(self) -> float:
        return min(self.times, default=float("nan"))


# -- passes over X --------------------------------------------------------------------
class _PassCounter:
    def __init__(self, n: int) -> None:
        self.n, self.ours, self.sklearn = n, 0.0, 0.0

    def add(self, side: str, X: Any) -> None:
        setattr(self, side, getattr(self, side) + X.shape[0] / self.n)


def _counted(method: Any, counter: _PassCounter, side: str, x_of: Any) -> Any:
    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counter.add(side, x_of(args, kwargs))
        return method(*args, **kwargs)

    return wrapper


def _counted_hvp(method: Any, counter: _PassCounter) -> Any:
    """Our ``hessian_product`` returns a Hessian-vector product among other things: count
    the call (one pass), and every product (one pass each)."""

    @wraps(method)
    def wrapper(self: Objective, *args: Any, **kwargs: Any) -> Any:
        counter.add("ours", self.X)
        result = method(self, *args, **kwargs)
        return tuple(
            _counted(r, counter, "ours", lambda a, k: self.X) if callable(r) else r for r in result
        )

    return wrapper


def ours_x(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return args[0].X  # Objective.method(self, ...)


def sklearn_x(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return args[2] if len(args) > 2 else kwargs["X"]  # LinearModelLoss.method(self, coef, X, ...)


@contextmanager
def count_passes(n: int) -> Iterator[_PassCounter]:
    """Patch ours and scikit-learn's objectives to count their passes over ``X``."""
    from sklearn.linear_model._linear_loss import LinearModelLoss

    counter = _PassCounter(n)
    patches = [
        (Objective, m, _counted(getattr(Objective, m), counter, "ours", ours_x))
        for m in ("value", "loss_gradient", "hessian", "lipschitz")
    ]
    patches.append((Objective, "hessian_product", _counted_hvp(Objective.hessian_product, counter)))
    patches += [
        (LinearModelLoss, m, _counted(getattr(LinearModelLoss, m), counter, "sklearn", sklearn_x))
        for m in (
            "loss",
            "loss_gradient",
            "gradient",
            "gradient_hessian",
            "gradient_hessian_product",
        )
    ]
    originals = [(cls, name, cls.__dict__[name]) for cls, name, _ in patches]
    try:
        for cls, name, wrapper in patches:
            setattr(cls, name, wrapper)
        yield counter
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)


# -- memory ----------------------------------------------------------------------------
@contextmanager
def peak_rss() -> Iterator[list[float]]:
    """Yield a list that, on exit, holds the peak rise of resident memory in MiB."""
    process, result, done = psutil.Process(), [], threading.Event()
    start = process.memory_info().rss
    peak = [start]

    def sample() -> None:
        while not done.wait(0.001):
            peak[0] = max(peak[0], process.memory_info().rss)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        done.set()
        thread.join()
        result.append((max(peak[0], process.memory_info().rss) - start) / MIB)


class OverBudget(Exception):
    """Raised by ``time_budget``'s alarm."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ``OverBudget`` in the main thread once ``seconds`` of wall time have passed."""

    def alarm(signum: int, frame: Any) -> None:
        raise OverBudget(f"stopped after the {seconds:g} s budget")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- the measurements ------------------------------------------------------------------
def probe(config: Config, p: Problem, budget: float) -> Measurement:
    """One untimed fit with counters and memory tracking on; errors are kept, not raised."""
    m = Measurement(config)
    if config.skip:
        m.error = config.skip
        return m
    start = time.perf_counter()
    try:
        with time_budget(budget), count_passes(p.X.shape[0]) as counter, peak_rss() as rss:
            tracemalloc.start()
            try:
                m.fit = config.fit(p)
                m.traced_mib = tracemalloc.get_traced_memory()[1] / MIB
            finally:
                tracemalloc.stop()
    except Exception as error:  # an anchor that cannot run this problem: say so, go on
        m.error = f"{type(error).__name__}: {str(error).splitlines()[0][:80]}"
        m.probe_seconds = time.perf_counter() - start
        return m
    m.probe_seconds = time.perf_counter() - start
    m.rss_mib = rss[0]
    if config.side == "ours":
        m.passes = counter.ours
    elif counter.sklearn > 0:
        m.passes = counter.sklearn
    elif "saga" in config.name:
        m.passes = float(m.fit.n_iter)  # one pass an epoch
    return m


#: More timing rounds than ``repeats`` are run while all of them fit in this many seconds
#: at the first round's pace, up to ``MAX_ROUNDS``.
ROUND_SECONDS = 2.0
MAX_ROUNDS = 51


def time_all(measurements: list[Measurement], p: Problem, repeats: int, slow: float) -> None:
    """Fill each measurement's ``times``: interleaved rounds (see module doc)."""
    runnable = [m for m in measurements if m.fit is not None]
    order = np.random.default_rng(0)
    rounds, r, start = repeats, 0, time.perf_counter()
    while r < rounds:
        if r == 1:  # the first round has set the pace
            pace = max(time.perf_counter() - start, 1e-9)
            rounds = max(repeats, min(MAX_ROUNDS, int(ROUND_SECONDS / pace)))
        for m in order.permutation(runnable):  # type: ignore[arg-type]
            if m.times and m.probe_seconds > slow:
                continue
            begin = time.perf_counter()
            m.config.fit(p)
            m.times.append(time.perf_counter() - begin)
        r += 1


def common_objective(p: Problem) -> Objective:
    """Our objective for the problem, float64: the scale every fit is scored on."""
    n = p.X.shape[0]
    penalty = ElasticNet(alpha_from_C(p.C, float(n)), p.l1_ratio)
    return make_objective(p.X, p.y, n_classes=p.n_classes, penalty=penalty)


def objective_value(f: Objective, fit: Fit) -> float:
    """``f`` at a fit; ``coef = hstack([coef_, intercept_[:, None]]).ravel()``."""
    W = np.asarray(fit.coef, np.float64)  # (K, d)
    b = np.asarray(fit.intercept, np.float64)  # (K,)
    return f.value(np.hstack([W, b[:, None]]).ravel())
