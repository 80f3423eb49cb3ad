"""The regularization path: one fit per penalty, strongest first, each started at the last.

Along the path the objective (see ``log_reg.core.objective``'s Conventions) is

    f_alpha(coef) = sum_i w_i loss(y_i, z_i) + alpha ((1 - r)/2 ||W||^2 + r ||W||_1),

for a sequence of penalties ``alpha = 1 / (C S)``. Its minimizer moves continuously with
``alpha``, so the answer at one penalty is an excellent start for the next: with these
*warm starts* a solver needs a few steps per point instead of a whole fit, and a path of
ten penalties costs about as much as three or four cold fits (Friedman, Hastie and
Tibshirani, "Regularization Paths for Generalized Linear Models via Coordinate Descent",
J. Stat. Softw. 33 (2010)).

**Where it starts.** With all weights ``W = 0`` the best intercepts are those of the
intercept-only model, which predicts the weighted class frequencies ``pi``:
``b* = logit(pi)`` (binary) or ``log(pi)`` centered (multinomial). ``(0, b*)`` stays optimal
under an L1 part (``r > 0``) as long as the subgradient condition ``|grad_W f| <= alpha r``
holds entry by entry, so the smallest penalty that zeroes every weight is

    alpha_max = max_jk |grad_W f(0, b*)|_jk / r,     grad_W f(0, b*) = sum_i w_i (pi - y_i) x_i^T.

It is computed from the objective's own gradient (``alpha_max``), not guessed. Every path
starts at ``(0, b*)``: at ``alpha_max`` the solver then has nothing to do, and the weights
are exactly zero.

**The default grid.** L1 and elastic net: ``n_Cs`` penalties from ``alpha_max`` down to
``eps alpha_max``, evenly spaced on the log scale (glmnet's ``lambda.min.ratio``:
``eps = 1e-4`` when there are more samples than features, ``1e-2`` otherwise). L2
(``r = 0``): no penalty zeroes the weights, and the grid is scikit-learn's,
``C`` in ``logspace(-4, 4, n_Cs)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.backends import backend_for
from log_reg.core.arrays import FloatArray, to_host
from log_reg.core.checks import (
    check_choice,
    check_int,
    check_labels,
    check_number,
    check_X,
    fit_weights,
)
from log_reg.core.errors import ConvergenceWarning, warn
from log_reg.core.objective import Objective
from log_reg.core.penalty import alpha_from_C
from log_reg.models.pipeline import Design, Problem, choose_spec, prepare, solve

__all__ = ["PathResult", "alpha_max", "regularization_path", "solve_path"]


@dataclass(frozen=True, eq=False)
class PathResult:
    """The fits along a regularization path, in the order of ``Cs``.

    Attributes
    ----------
    Cs : ndarray of shape (n_Cs,)
        scikit-learn's inverse penalty strengths.
    alphas : ndarray of shape (n_Cs,)
        The same penalties on our scale, ``alpha = 1 / (C S)`` (``S`` the total weight).
    l1_ratio : float
    coefs : ndarray of shape (n_Cs, n_raw, n_features)
        ``n_raw`` is 1 for two classes, else the number of classes.
    intercepts : ndarray of shape (n_Cs, n_raw)
    n_iter : ndarray of shape (n_Cs,)
        Solver iterations at each point (the most over one-vs-rest's per-class fits).
    objective_values : ndarray of shape (n_Cs,)
        ``f_alpha`` at each point (summed over the per-class problems of one-vs-rest).
    converged : ndarray of shape (n_Cs,), bool
    optimality : ndarray of shape (n_Cs,)
        ``objective.optimality`` where each fit stopped: converged means ``<= tol``.
    classes : ndarray of shape (n_classes,)
    solver : str
        The solver of ours that ran.
    """

    Cs: FloatArray
    alphas: FloatArray
    l1_ratio: float
    coefs: FloatArray
    intercepts: FloatArray
    n_iter: NDArray[np.int32]
    objective_values: FloatArray
    converged: NDArray[np.bool_]
    optimality: FloatArray
    classes: NDArray[Any]
    solver: str


def alpha_max(task: Objective, l1_ratio: float) -> float:
    """Smallest ``alpha`` at which the weights are all zero: ``max |grad_W f(0, b*)| / r``.

    Examples
    --------
    >>> X = np.array([[-1.0], [0.0], [1.0], [2.0]])
    >>> from log_reg.core.objective import make_objective
    >>> f = make_objective(X, [0, 1, 0, 1])
    >>> alpha_max(f, 1.0)  # pi = 1/2: |sum_i (1/2 - y_i) x_i| / 4
    0.25
    """
    r = check_number(l1_ratio, "l1_ratio", low=0, low_inclusive=False, high=1)
    grad = task.gradient(task.start()) * task.penalized_mask()  # intercepts masked
    return float(np.max(np.abs(grad), initial=0.0)) / r


def default_Cs(design: Design, l1_ratio: float, n_Cs: int, eps: float) -> FloatArray:
    """The default grid, increasing ``C``; see the module docstring."""
    top = max(alpha_max(task, l1_ratio) for task in design.tasks) if l1_ratio > 0 else 0.0
    if top == 0:  # L2, or data that no weight can help: scikit-learn's grid
        return np.logspace(-4, 4, n_Cs)
    alphas = top * np.logspace(0, np.log10(eps), n_Cs)  # (n_Cs,), from alpha_max down
    return 1 / (alphas * design.total_weight)


def solve_path(
    design: Design,
    Cs: FloatArray,
    l1_ratio: float,
    *,
    classes: NDArray[Any],
    problem: Problem,
    start: tuple[FloatArray, FloatArray] | None = None,
) -> PathResult:
    """Fit every ``C`` of ``Cs``, from the strongest penalty to the weakest, warm-started.

    The first fit starts at ``start`` (user-scale ``(W, b)``) or at the intercept-only
    model; each later one at the previous answer. The solver runs with ``problem``'s
    options (``tol``, ``max_iter``, ``random_state``). Results come in the order of ``Cs``.
    """
    S, tasks = design.total_weight, design.tasks
    alphas = np.array([alpha_from_C(C, S) for C in Cs])  # (n_Cs,)
    n_raw, n = (len(tasks) if len(tasks) > 1 else tasks[0].n_raw), len(Cs)
    coefs, intercepts = np.empty((n, n_raw, len(design.scaling.scale))), np.empty((n, n_raw))
    n_iter, values = np.empty(n, np.int32), np.empty(n)
    converged, optimality = np.empty(n, bool), np.empty(n)
    current = [t.start() for t in tasks] if start is None else design.to_solver(*start)
    for j in np.argsort(-alphas, kind="stable"):  # strongest penalty first
        # 1. the objective(s) at this penalty
        fs = design.with_penalty(alphas[j], l1_ratio)
        # 2. each solved from where the previous penalty ended
        results = [solve(design.spec, f, c, problem) for f, c in zip(fs, current, strict=True)]
        # 3. recorded on the user's scale, which is also where the next fit starts
        W, b = design.to_user([r.coef for r in results], penalized=alphas[j] > 0, l1_ratio=l1_ratio)
        coefs[j], intercepts[j], current = W, b, design.to_solver(W, b)
        n_iter[j] = max(r.n_iter for r in results)
        values[j] = sum(f.value(r.coef) for f, r in zip(fs, results, strict=True))
        converged[j] = all(r.converged for r in results)
        optimality[j] = max(r.optimality for r in results)
    return PathResult(
        np.asarray(Cs, dtype=np.float64),
        alphas,
        l1_ratio,
        coefs,
        intercepts,
        n_iter,
        values,
        converged,
        optimality,
        np.asarray(classes),
        design.spec.name,
    )


def warn_if_not_converged(paths: list[PathResult], tol: float, where: str) -> None:
    """One ``ConvergenceWarning`` for every fit of ``paths`` that stopped short of ``tol``."""
    failed = sum(int((~p.converged).sum()) for p in paths)
    if not failed:
        return
    total = sum(len(p.Cs) for p in paths)
    worst = max(float(p.optimality.max()) for p in paths)
    warn(
        f"{failed} of {total} fits {where} stopped before converging: optimality up to "
        f"{worst:.3g} against tol={tol:g}. Increase max_iter, scale the features, or use a "
        "larger tol.",
        ConvergenceWarning,
    )


def check_Cs(Cs: ArrayLike) -> FloatArray:
    """``Cs`` as a non-empty 1-D float array of values > 0 (``inf``: no penalty)."""
    values = np.asarray(Cs, dtype=np.float64) if not isinstance(Cs, str) else np.array([])
    if values.ndim != 1 or values.size == 0 or np.isnan(values).any() or (values <= 0).any():
        raise ValueError(f"Cs must be a non-empty 1-D list of numbers > 0; got {Cs!r}.")
    return values


def path_problem(**settings: Any) -> Problem:
    """The settings of a path (``regularization_path``, each fold of ``LogisticRegressionCV``)
    as a ``Problem``: the estimator's, with its ``C`` set along the path, no standardization,
    no class weights (applied once, to all rows), no penalty factors or bounds."""
    defaults: dict[str, Any] = {
        "C": 1.0,
        "class_weight": None,
        "standardize": False,
        "dual": False,
        "verbose": 0,
    }
    return Problem(**{**defaults, **settings})


def regularization_path(
    X: ArrayLike,
    y: ArrayLike,
    *,
    Cs: ArrayLike | None = None,
    l1_ratio: float = 0.0,
    n_Cs: int = 10,
    eps: float | None = None,
    sample_weight: ArrayLike | None = None,
    class_weight: dict[Any, float] | str | None = None,
    fit_intercept: bool = True,
    solver: str = "auto",
    tol: float = 1e-4,
    max_iter: int = 100,
    multi_class: str = "multinomial",
    intercept_scaling: float = 1.0,
    random_state: int | None = None,
) -> PathResult:
    """Fit logistic regression along a decreasing sequence of penalties, with warm starts.

    Parameters
    ----------
    X : array-like or SciPy sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels.
    Cs : array-like of shape (n_Cs,), optional
        Inverse penalty strengths (``inf``: no penalty), fitted from the smallest to the
        largest whatever their order; results keep the given order. Default: the grid of
        the module docstring, from ``C_max``, the smallest ``C`` that keeps every weight at
        zero (L1 and elastic net), or ``logspace(-4, 4, n_Cs)`` (L2).
    l1_ratio : float in [0, 1], default 0.0
        Elastic-net mix: 0 is L2, 1 is L1.
    n_Cs : int >= 1, default 10
        Length of the default grid.
    eps : float in (0, 1], optional
        Ratio of the smallest to the largest penalty of the default L1/elastic-net grid;
        default ``1e-4`` when ``n_samples > n_features``, else ``1e-2``.
    sample_weight, class_weight, fit_intercept, solver, tol, max_iter, multi_class,
    intercept_scaling, random_state
        As for ``LogisticRegression``; ``class_weight="balanced"`` is computed once, from
        all of ``y``.

    Returns
    -------
    PathResult

    Examples
    --------
    >>> from log_reg import load_toy
    >>> X, y = load_toy()
    >>> path = regularization_path(X, y, l1_ratio=1.0, n_Cs=4, tol=1e-8)
    >>> (path.coefs != 0).sum(axis=(1, 2))  # nonzero weights: none at C_max
    array([0, 2, 2, 2])
    """
    # 1. data, weights and settings
    A = to_host(check_X(X))
    classes, y_enc = check_labels(y, A.shape[0])
    s = fit_weights(sample_weight, class_weight, classes, y_enc)
    r = check_number(l1_ratio, "l1_ratio", low=0, high=1)
    multi_class = check_choice(multi_class, "multi_class", ("multinomial", "ovr"))
    grid = None if Cs is None else check_Cs(Cs)
    # 2. solver and objective(s)
    problem = path_problem(
        l1_ratio=r,
        tol=check_number(tol, "tol", low=0),
        max_iter=check_int(max_iter, "max_iter", low=0),
        fit_intercept=bool(fit_intercept),
        solver=solver,
        multi_class=multi_class,
        intercept_scaling=intercept_scaling,
        random_state=random_state,
    )
    K, d = len(classes), A.shape[1]
    unpenalized = bool(grid is not None and np.isinf(grid).any())
    spec = choose_spec(problem, K, A.shape, unpenalized_too=unpenalized)
    design = prepare(problem, backend_for(A), A, y_enc, K, s, spec)
    # 3. the grid
    if grid is None:
        ratio = (1e-4 if A.shape[0] > d else 1e-2) if eps is None else eps
        ratio = check_number(ratio, "eps", low=0, low_inclusive=False, high=1)
        grid = default_Cs(design, r, check_int(n_Cs, "n_Cs", low=1), ratio)
    # 4. the path
    path = solve_path(design, grid, r, classes=classes, problem=problem)
    warn_if_not_converged([path], problem.tol, "along the path")
    return path
