"""What runs on each problem: our solvers and the anchors (scikit-learn, glum).

A ``Config`` is a name and a ``fit(problem) -> Fit`` callable. Every fit returns the
coefficients in one layout, ``coef (K, d)`` and ``intercept (K,)`` with ``K = 1`` for a
binary problem, so that one objective (``measure.objective_value``) scores them all.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
from problems import Problem

from log_reg import LogisticRegression
from log_reg.core.kernels import GRAM_EXACT_MAX
from log_reg.solvers import SOLVERS, SUBSAMPLE_ROWS_PER_COEF

#: Dense-Hessian solvers (ours "newton" and "cd", scikit-learn's "newton-cholesky", glum's
#: IRLS) build an ``n_coef x n_coef`` Hessian at ``n * n_coef^2`` flops: 5e10 is 5-10 s a
#: Hessian on two cores. Beyond that they are left out (glum gets its L-BFGS instead).
MAX_HESSIAN_FLOPS = 5e10


def dense_hessian_ok(p: Problem) -> bool:
    return p.X.shape[0] * p.n_coef**2 <= MAX_HESSIAN_FLOPS


#: Ours that form the dense Hessian; ours whose step size ``1 / objective.lipschitz()``
#: forms the dense ``(d + 1) x (d + 1)`` Gram matrix and eigendecomposes it while
#: ``d + 1 <= GRAM_EXACT_MAX`` (``O(n d^2 + d^3)``; power iteration beyond).
DENSE_HESSIAN_SOLVERS = {"newton", "cd"}
GRAM_SOLVERS = {"gd", "sgd"}


def _skip_reason(name: str, p: Problem) -> str:
    """Why our solver ``name`` is not run on ``p`` ("" when it is)."""
    d = p.X.shape[1] + 1
    if name in DENSE_HESSIAN_SOLVERS and not dense_hessian_ok(p):
        return f"skipped: dense Hessian of {p.n_coef:,} coefficients on {p.X.shape[0]:,} rows"
    rows = min(p.X.shape[0], SUBSAMPLE_ROWS_PER_COEF * p.n_coef)
    if name == "newton-subsampled" and rows * p.n_coef**2 > MAX_HESSIAN_FLOPS:
        return f"skipped: dense Hessian of {p.n_coef:,} coefficients on {rows:,} rows"
    exact_gram = d <= GRAM_EXACT_MAX
    if name in GRAM_SOLVERS and exact_gram and p.X.shape[0] * d**2 + d**3 > MAX_HESSIAN_FLOPS:
        return f"skipped: lipschitz() eigendecomposes a dense {d:,} x {d:,} Gram matrix"
    return ""


#: The anchors' "tight" settings: tolerance and iteration cap meant to reach a relative
#: gap of 1e-6 or better (the anchor at its best, not at its defaults).
TIGHT_TOL = 1e-8
TIGHT_MAX_ITER = 10_000

#: liblinear penalizes its intercept, a constant feature of value ``intercept_scaling``;
#: a large value makes that penalty (``(b / 100)^2 / 2``) negligible, so liblinear then
#: minimizes (nearly) the same objective as everyone else.
LIBLINEAR_INTERCEPT_SCALING = 100.0


@dataclass(frozen=True)
class Fit:
    """A fitted model in the common layout, and what its solver said about itself."""

    coef: np.ndarray  # (K, d)
    intercept: np.ndarray  # (K,)
    n_iter: int
    note: str = ""  # e.g. the solver that "auto" picked, or "not converged"


@dataclass(frozen=True)
class Config:
    """One thing to time: ``side`` is "ours" or "anchor"; ``library`` groups the anchors."""

    name: str
    side: str
    library: str
    fit: Callable[[Problem], Fit]
    skip: str = ""  # why it is not run on this problem, printed in its row


# -- ours ---------------------------------------------------------------------------
def _blas_limit(one_thread: bool) -> Any:
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas") if one_thread else nullcontext()


def _ours(solver: str, one_thread: bool = False) -> Callable[[Problem], Fit]:
    def fit(p: Problem) -> Fit:
        model = LogisticRegression(C=p.C, l1_ratio=p.l1_ratio, solver=solver, random_state=0)
        with _blas_limit(one_thread), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(p.X, p.y)
        note = model.solver_ if solver == "auto" else ""
        if not model.converged_:
            note = (note + ", " if note else "") + "not converged"
        return Fit(model.coef_, model.intercept_, int(np.max(model.n_iter_)), note)

    return fit


def ours_configs(p: Problem) -> list[Config]:
    """Our "auto" (also with BLAS limited to one thread, as scikit-learn gets) and every
    solver of ours that handles the penalty, all at default settings."""
    configs = [
        Config("ours auto", "ours", "ours", _ours("auto")),
        Config("ours auto, 1 BLAS thread", "ours", "ours", _ours("auto", one_thread=True)),
    ]
    for name, spec in SOLVERS.items():
        if p.l1_ratio > 0 and not spec.supports_nonsmooth:
            continue
        skip = _skip_reason(name, p)
        configs.append(Config(f"ours {name}", "ours", "ours", _ours(name), skip))
    return configs


def ours_auto() -> Callable[[Problem], Fit]:
    """Our default fit (for the float32 comparison)."""
    return _ours("auto")


# -- scikit-learn -----------------------------------------------------------------------
def _sklearn(one_thread: bool = False, **options: Any) -> Callable[[Problem], Fit]:
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    def fit(p: Problem) -> Fit:
        model = SkLogisticRegression(C=p.C, l1_ratio=p.l1_ratio, **options)
        with _blas_limit(one_thread), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(p.X, p.y)
        converged = not any("converge" in str(w.message).lower() for w in caught)
        intercept = np.atleast_1d(model.intercept_)
        return Fit(
            model.coef_, intercept, int(np.max(model.n_iter_)), "" if converged else "not converged"
        )

    return fit


def _sklearn_candidates(p: Problem) -> list[tuple[str, dict[str, Any]]]:
    """scikit-learn's default, then its solvers fit for the problem at tight settings."""
    tight = {"tol": TIGHT_TOL, "max_iter": TIGHT_MAX_ITER, "random_state": 0}
    liblinear = {"solver": "liblinear", "intercept_scaling": LIBLINEAR_INTERCEPT_SCALING}
    if p.l1_ratio > 0:  # lbfgs cannot do L1: saga is scikit-learn's choice for it
        return [
            ("sklearn default (saga)", {"solver": "saga", "random_state": 0}),
            ("sklearn saga tight", {"solver": "saga", **tight}),
            ("sklearn liblinear tight", {**liblinear, **tight}),
        ]
    candidates: list[tuple[str, dict[str, Any]]] = [
        ("sklearn default", {}),
        ("sklearn lbfgs tight", {"solver": "lbfgs", **tight}),
    ]
    if dense_hessian_ok(p):
        candidates.append(("sklearn newton-cholesky tight", {"solver": "newton-cholesky", **tight}))
    if p.n_classes == 2:
        candidates.append(("sklearn liblinear tight", {**liblinear, **tight}))
    return candidates


def sklearn_configs(p: Problem) -> list[Config]:
    """Every candidate twice: as a user runs it, and with BLAS limited to one thread."""
    configs = []
    for one_thread in (False, True):
        for name, options in _sklearn_candidates(p):
            label = f"{name}, 1 BLAS thread" if one_thread else name
            configs.append(Config(label, "anchor", "sklearn", _sklearn(one_thread, **options)))
    return configs


# -- glum ---------------------------------------------------------------------------------
def _glum(**options: Any) -> Callable[[Problem], Fit]:
    from glum import GeneralizedLinearRegressor

    def fit(p: Problem) -> Fit:
        n = p.X.shape[0]
        model = GeneralizedLinearRegressor(
            family="binomial", alpha=1 / (p.C * n), l1_ratio=p.l1_ratio, **options
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(p.X, p.y)
        n_iter = int(np.max(model.n_iter_))
        note = "not converged" if n_iter >= model.max_iter else ""
        return Fit(model.coef_[None, :], np.atleast_1d(model.intercept_), n_iter, note)

    return fit


def glum_configs(p: Problem) -> list[Config]:
    """glum's binomial GLM (binary problems only): default settings, and tight ones.

    glum's objective is ours: mean log-loss plus ``alpha`` times the elastic net, with
    ``alpha = 1 / (C n)``. Its default IRLS solver forms a dense Hessian, so wide sparse
    data gets its L-BFGS instead.
    """
    if importlib.util.find_spec("glum") is None or p.n_classes != 2:
        return []
    base = {} if dense_hessian_ok(p) else {"solver": "lbfgs"}
    tight = {"gradient_tol": TIGHT_TOL, "max_iter": TIGHT_MAX_ITER}
    label = " (lbfgs)" if base else ""
    return [
        Config(f"glum default{label}", "anchor", "glum", _glum(**base)),
        Config(f"glum tight{label}", "anchor", "glum", _glum(**base, **tight)),
    ]


def all_configs(p: Problem) -> list[Config]:
    return ours_configs(p) + sklearn_configs(p) + glum_configs(p)
