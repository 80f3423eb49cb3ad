"""Firth's logistic regression with full inference: ours against firthmodels, in one process.

The task: fit Firth's model, then profile penalized-likelihood intervals and penalized
likelihood-ratio tests for every coefficient (the intercept included), on Gaussian
features with a logistic response. Ours is ``FirthLogisticRegression().fit(X, y)
.summary(ci="profile")``; firthmodels' is ``fit(X, y)``, ``lrt()`` and
``conf_int(method="pl")``, with its NumPy back end at its default tolerances (what its
users get, 1e-4) and at tight ones (1e-8 on gradient, step and profile, about the accuracy
ours reaches by default), and with its numba back end at the defaults where numba is
importable (its first, compiling call is left out of the timing).

Each round runs every configuration once, in a new random order; the times are the median
and the minimum over the rounds. The agreement printed is the largest relative difference
of the interval bounds and of the p-values between ours and firthmodels at tight
tolerances (its default tolerances leave differences around 1e-4).

    python benchmarks/firth.py [--rows 1000] [--features 50] [--rounds 5] [--threads 1]

``--threads N`` limits the BLAS threads (threadpoolctl) for every configuration alike, to
one by default: on the project's shared 2-core machine two BLAS threads contend with the
other jobs, and a matrix product of these sizes then takes 20 to 100 times as long, for
both libraries, at random. ``--threads 0`` leaves BLAS its own default.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import random
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from log_reg import FirthLogisticRegression


def problem(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` rows of ``k`` standard normal features, ``y`` drawn from a logistic model."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    z = X @ rng.normal(scale=0.3, size=k) - 0.5
    return X, (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)


def ours(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds (k + 1, 2) and p-values (k + 1,), intercept last (firthmodels' order)."""
    s = FirthLogisticRegression().fit(X, y).summary(ci="profile")
    order = [*range(1, len(s.coef)), 0]
    return np.column_stack([s.ci_low, s.ci_high])[order], s.p_value[order]


def firthmodels_run(backend: str, tol: float) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    from firthmodels import FirthLogisticRegression as Anchor

    def run(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        model = Anchor(backend=backend, gtol=tol, xtol=tol, max_iter=100).fit(X, y)
        model.lrt()
        return model.conf_int(method="pl", tol=tol, max_iter=100), model.lrt_pvalues_

    return run


@contextlib.contextmanager
def blas_threads(n: int) -> Iterator[None]:
    if n == 0:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=n, user_api="blas"):
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    X, y = problem(args.rows, args.features)
    configs: dict[str, Callable[..., Any]] = {
        "ours (default)": ours,
        "firthmodels numpy, default tol 1e-4": firthmodels_run("numpy", 1e-4),
        "firthmodels numpy, tol 1e-8": firthmodels_run("numpy", 1e-8),
    }
    if importlib.util.find_spec("numba") is not None:
        configs["firthmodels numba, default tol 1e-4"] = firthmodels_run("numba", 1e-4)
    else:
        print("numba is not installed: firthmodels' numba back end is not timed")
    times: dict[str, list[float]] = {name: [] for name in configs}
    answers: dict[str, Any] = {}
    rng = random.Random(0)
    with blas_threads(args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # firthmodels' convergence warnings at tight tol
        for name, run in configs.items():  # untimed: imports, numba's compilation
            answers[name] = run(X, y)
        for _ in range(args.rounds):
            names = list(configs)
            rng.shuffle(names)
            for name in names:
                start = time.perf_counter()
                configs[name](X, y)
                times[name].append(time.perf_counter() - start)
    threads = "default BLAS threads" if args.threads == 0 else f"{args.threads} BLAS thread(s)"
    print(
        f"Firth fit + profile intervals + LR tests, {args.rows} x {args.features} "
        f"({args.features + 1} coefficients), {args.rounds} rounds, {threads}"
    )
    base = float(np.median(times["ours (default)"]))
    print(f"{'configuration':<40}{'median s':>10}{'min s':>10}{'ours / it':>11}")
    for name, ts in times.items():
        median = float(np.median(ts))
        print(f"{name:<40}{median:>10.3f}{min(ts):>10.3f}{base / median:>11.2f}")
    (bounds, p), (tight_bounds, tight_p) = (
        answers["ours (default)"],
        answers["firthmodels numpy, tol 1e-8"],
    )
    ok = np.isfinite(tight_p)  # firthmodels leaves NaN where a constrained fit failed
    print(
        "agreement with firthmodels at tol 1e-8: bounds "
        f"{np.max(np.abs(bounds / tight_bounds - 1)):.1e}, p-values "
        f"{np.max(np.abs(p[ok] / tight_p[ok] - 1)):.1e} ({int(ok.sum())} of {len(ok)} finite)"
    )


if __name__ == "__main__":
    main()
