"""The data of a regularization path as the solver sees it, and the way back to the user's.

``prepare_path`` builds what stays fixed along a path (``PathProblem``): one objective, or
one per class for one-vs-rest, without its penalty, and the solver. liblinear's intercept
is the weight of a constant column of value ``intercept_scaling`` appended to ``X`` (and
so penalized), as in ``LogisticRegression``. ``to_solver`` and ``to_user`` convert
coefficients between the user's ``(W, b)`` and the solvers' flat vectors (see
``log_reg.core.objective``'s Conventions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_number
from log_reg.core.objective import Objective, make_objective
from log_reg.solvers import SolverSpec, choose_solver

__all__ = ["PathProblem", "path_solver", "prepare_path", "to_solver", "to_user"]


@dataclass(frozen=True, eq=False)
class PathProblem:
    """What stays fixed along a path: the objective(s) without their penalty, and the solver.

    ``tasks`` holds one objective, or one binary objective per class (one-vs-rest).
    liblinear's intercept is the weight of a constant column of value ``intercept_column``
    appended to ``X`` (and so penalized); otherwise it is the objective's own intercept.
    """

    tasks: tuple[Objective, ...]
    spec: SolverSpec
    total_weight: float  # S, the sum of the sample weights times the class weights
    n_features: int
    fit_intercept: bool
    intercept_column: float | None
    multinomial: bool


def path_solver(
    name: str, *, l1_ratio: float, shape: tuple[int, int], Cs: FloatArray, dual: bool = False
) -> SolverSpec:
    """The registry row for ``name`` on this penalty; errors as ``choose_solver``'s.

    ``shape`` is ``(n_samples, n_coef)``, what "auto" weighs.
    """
    n, n_coef = shape

    def row(penalized: bool) -> SolverSpec:
        return choose_solver(
            name, l1_ratio=l1_ratio, penalized=penalized, n_coef=n_coef, n_samples=n, dual=dual
        )

    if np.isinf(Cs).any():
        row(False)  # an unpenalized point (C = inf): the solver must allow that too
    return row(True)


def prepare_path(
    X: Any,
    y: NDArray[np.intp],
    n_classes: int,
    weights: FloatArray,
    spec: SolverSpec,
    *,
    fit_intercept: bool = True,
    multi_class: str = "multinomial",
    intercept_scaling: float = 1.0,
) -> PathProblem:
    """The objective(s) for encoded labels ``y`` and ``weights`` (sample times class weights).

    ``n_classes`` counts every class, also those absent from ``y`` (a cross-validation
    fold may miss one): each keeps its row of coefficients.
    """
    ovr = n_classes > 2 and multi_class == "ovr"
    if n_classes > 2 and not ovr and not spec.supports_multinomial:
        raise ValueError(
            "The 'liblinear' solver does not support multiclass classification (n_classes >= "
            "3). Use another solver, or multi_class='ovr' for one-vs-rest."
        )
    if spec.float64_only:
        X = X.astype(np.float64)
    column = None
    if spec.penalizes_intercept and fit_intercept:
        column = check_number(intercept_scaling, "intercept_scaling", low=0, low_inclusive=False)
        X = _append_column(X, column)
    targets = [(y == k).astype(np.intp) for k in range(n_classes)] if ovr else [y]
    tasks = tuple(
        make_objective(
            X,
            t,
            n_classes=2 if ovr else n_classes,
            sample_weight=weights.astype(X.dtype),
            fit_intercept=fit_intercept and column is None,
        )
        for t in targets
    )
    n_features = X.shape[1] - (column is not None)
    multinomial = n_classes > 2 and not ovr
    S = float(weights.sum())
    return PathProblem(tasks, spec, S, n_features, fit_intercept, column, multinomial)


def _append_column(X: Any, value: float) -> Any:
    """``[X, value]``: liblinear's intercept column, dense or sparse."""
    column = np.full((X.shape[0], 1), value, dtype=X.dtype)
    if not hasattr(X, "tocsr"):
        return np.hstack([X, column])
    from scipy import sparse

    return sparse.hstack([X, sparse.csr_matrix(column)], format="csr")


def to_solver(problem: PathProblem, W: FloatArray, b: FloatArray) -> list[FloatArray]:
    """User-scale ``W (n_raw, d)``, ``b (n_raw,)`` -> one flat coefficient vector per task."""
    if problem.intercept_column is not None:
        M = np.hstack([W, (b / problem.intercept_column)[:, None]])
    elif problem.fit_intercept:
        M = np.hstack([W, b[:, None]])
    else:
        M = np.asarray(W)
    M = M.astype(problem.tasks[0].dtype)
    if len(problem.tasks) == 1:
        return [M.ravel()]
    return [M[t].copy() for t in range(len(problem.tasks))]  # one-vs-rest: a row each


def to_user(
    problem: PathProblem, coefs: list[FloatArray], penalized: bool
) -> tuple[FloatArray, FloatArray]:
    """The solver's flat vectors -> ``W (n_raw, d)`` and ``b (n_raw,)`` on the user's scale.

    Multinomial: the sum-to-zero representative across classes (``_fitting``'s centering:
    the intercepts always, the weights too when unpenalized), as scikit-learn reports.
    """
    M = np.vstack([c.reshape(t.coef_shape) for t, c in zip(problem.tasks, coefs, strict=True)])
    d = problem.n_features
    W = M[:, :d]
    if problem.intercept_column is not None:
        b = M[:, d] * problem.intercept_column
    else:
        b = M[:, d] if problem.fit_intercept else np.zeros(len(M), M.dtype)
    if problem.multinomial:
        b = b - b.mean()
        W = W if penalized else W - W.mean(axis=0)
    return W, b
