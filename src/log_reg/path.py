"""The regularization path: one fit per penalty, strongest first, each started at the last.

Along the path the objective (see ``log_reg.objective``'s Conventions) is

    f_alpha(coef) = sum_i w_i loss(y_i, z_i) + alpha ((1 - r)/2 ||W||^2 + r ||W||_1),

for a sequence of penalties ``alpha = 1 / (C S)``. Its minimizer moves continuously with
``alpha``, so the answer at one penalty is an excellent start for the next: with these
*warm starts* a solver needs a few steps per point instead of a whole fit, and a path of
ten penalties costs about as much as two or three cold fits (Friedman, Hastie and
Tibshirani, "Regularization Paths for Generalized Linear Models via Coordinate Descent",
J. Stat. Softw. 33 (2010)).

**Where it starts.** With all weights ``W = 0`` the best intercepts are those of the
intercept-only model, which predicts the weighted class frequencies ``pi``:
``b* = logit(pi)`` (binary) or ``log(pi)`` centred (multinomial). ``(0, b*)`` stays optimal
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

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._fitting import class_weights
from ._sklearn_compat import ConvergenceWarning, warn
from ._types import FloatArray
from ._validation import check_choice, check_int, check_labels, check_number, check_sample_weight
from ._validation import check_X
from .backends import backend_of, is_numpy
from .objective import Objective, alpha_from_C, make_objective
from .penalty import ElasticNet
from .solvers import SolverSpec, choose_solver

__all__ = ["PathProblem", "PathResult", "alpha_max", "regularization_path"]


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
    classes: NDArray[Any]
    solver: str


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
    name: str, *, l1_ratio: float, n_coef: int, Cs: FloatArray, dual: bool = False
) -> SolverSpec:
    """The registry row for ``name`` on this penalty; errors as ``choose_solver``'s."""
    spec = choose_solver(name, l1_ratio=l1_ratio, penalized=True, n_coef=n_coef, dual=dual)
    if np.isinf(Cs).any():  # an unpenalized point: the solver must allow it too
        choose_solver(name, l1_ratio=l1_ratio, penalized=False, n_coef=n_coef, dual=dual)
    return spec


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
    """The objective(s) for encoded labels ``y`` and weights ``s`` (sample times class weights).

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
            X, t, n_classes=2 if ovr else n_classes, sample_weight=weights.astype(X.dtype),
            fit_intercept=fit_intercept and column is None,
        )
        for t in targets
    )  # fmt: skip
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


def intercept_only(task: Objective) -> FloatArray:
    """``(W, b) = (0, b*)``, the intercept-only model's optimum, as a flat coefficient vector.

    ``b*`` matches the weighted class frequencies ``pi``; where some ``pi`` is 0 or 1 the
    optimum lies at infinity and the start is all zeros.
    """
    coef = task.zeros()
    if not task.fit_intercept:
        return coef
    pi = np.asarray(task.weights @ task.Y, dtype=np.float64)  # (n_raw,)
    pi = np.array([1 - pi[0], pi[0]]) if task.n_raw == 1 else pi
    if not np.all((pi > 0) & (pi < 1)):
        return coef
    log_pi = np.log(pi)
    b = log_pi[1:] - log_pi[:1] if task.n_raw == 1 else log_pi - log_pi.mean()
    M = coef.reshape(task.coef_shape)
    M[:, -1] = b
    return coef


def alpha_max(task: Objective, l1_ratio: float) -> float:
    """Smallest ``alpha`` at which the weights are all zero: ``max |grad_W f(0, b*)| / r``.

    Examples
    --------
    >>> X = np.array([[-1.0], [0.0], [1.0], [2.0]])
    >>> f = make_objective(X, [0, 1, 0, 1])
    >>> alpha_max(f, 1.0)  # pi = 1/2: |sum_i (1/2 - y_i) x_i| / 4
    0.25
    """
    r = check_number(l1_ratio, "l1_ratio", low=0, low_inclusive=False, high=1)
    grad = task.gradient(intercept_only(task)) * task.penalized_mask()  # intercepts masked
    return float(np.max(np.abs(grad), initial=0.0)) / r


def default_Cs(problem: PathProblem, l1_ratio: float, n_Cs: int, eps: float) -> FloatArray:
    """The default grid, increasing ``C``; see the module docstring."""
    top = max(alpha_max(task, l1_ratio) for task in problem.tasks) if l1_ratio > 0 else 0.0
    if top == 0:  # L2, or data that no weight can help: scikit-learn's grid
        return np.logspace(-4, 4, n_Cs)
    alphas = top * np.logspace(0, np.log10(eps), n_Cs)  # (n_Cs,), from alpha_max down
    return 1 / (alphas * problem.total_weight)
