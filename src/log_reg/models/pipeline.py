"""From validated data to fitted coefficients: the steps between the estimator and a solver.

1. weights: sample weights times class weights;
2. scaling: optional standardization, and liblinear's penalized intercept column;
3. one objective (binary or multinomial) or one per class (one-vs-rest);
4. the solver, picked from the registry, started at zero or at the previous fit;
5. coefficients back on the user's scale, and one ``ConvergenceWarning`` if any fit
   stopped before its criterion was met.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.backends import Backend, backend_of, working_dtype
from log_reg.core.checks import check_number, check_sample_weight, is_dask
from log_reg.core.numerics import FloatArray, IntArray
from log_reg.core.objective import Objective, alpha_from_C, make_objective
from log_reg.core.penalty import ElasticNet
from log_reg.inference.separation import Separation, check_separation
from log_reg.models.sklearn_compat import ConvergenceWarning, warn
from log_reg.solvers import IterationInfo, SolverResult, SolverSpec, choose_solver

__all__ = ["Fitted", "Problem", "fit_problem"]


@dataclass(frozen=True)
class Problem:
    """The estimator's settings, validated, as one immutable object."""

    C: float
    l1_ratio: float
    tol: float
    max_iter: int
    fit_intercept: bool
    solver: str
    multi_class: str
    class_weight: Any
    standardize: bool
    dual: bool
    intercept_scaling: Any
    random_state: Any
    verbose: int
    penalty_factor: Any = None
    lower_bounds: Any = None
    upper_bounds: Any = None
    callback: Any = None


@dataclass(frozen=True, eq=False)
class Fitted:
    """Coefficients on the user's scale and what the solver(s) reported."""

    coef: FloatArray  # (n_raw, d)
    intercept: FloatArray  # (n_raw,)
    n_iter: NDArray[np.int32]
    converged: bool
    loss_history: Any
    solver: str
    separation: Separation | None = None


def class_weights(
    class_weight: Any, classes: NDArray[Any], y: IntArray, s: FloatArray
) -> FloatArray:
    """Weight of each class: ones, a user's dict, or "balanced" ``S / (K * S_k)``."""
    K = len(classes)
    if class_weight is None:
        return np.ones(K)
    if isinstance(class_weight, str) and class_weight == "balanced":
        per_class = np.bincount(y, weights=s, minlength=K)  # S_k
        return per_class.sum() / (K * per_class)
    if not isinstance(class_weight, dict):
        raise ValueError(
            "class_weight must be None, 'balanced' or a dict {label: weight}; "
            f"got {class_weight!r}."
        )
    unknown = [k for k in class_weight if k not in set(classes.tolist())]
    if unknown:
        raise ValueError(
            f"class_weight has labels that are not classes of y: {unknown!r}; "
            f"the classes are {classes.tolist()!r}."
        )
    return np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])


@dataclass(frozen=True, eq=False)
class _Scaling:
    """``X_fit = (X - shift) / scale`` and, for liblinear, a constant column appended."""

    shift: FloatArray
    scale: FloatArray
    intercept_column: float | None  # liblinear's intercept_scaling, or None

    def to_fit(self, W: FloatArray, b: FloatArray) -> FloatArray:
        """User-scale ``(W, b)`` -> the solver's coefficient matrix (for warm starts)."""
        Ws = W * self.scale
        bs = b + W @ self.shift
        if self.intercept_column is not None:
            return np.hstack([Ws, (bs / self.intercept_column)[:, None]])
        return np.hstack([Ws, bs[:, None]])

    def to_user(self, M: FloatArray, fit_intercept: bool) -> tuple[FloatArray, FloatArray]:
        """The solver's coefficient matrix -> ``(W, b)`` on the user's scale."""
        d = len(self.scale)
        Ws = M[:, :d]
        if self.intercept_column is not None:
            bs = M[:, d] * self.intercept_column
        else:
            bs = M[:, d] if fit_intercept else np.zeros(len(M), M.dtype)
        W = Ws / self.scale
        return W, bs - W @ self.shift


def _prepare_X(
    X: Any, s: FloatArray, problem: Problem, spec: SolverSpec, backend: Backend
) -> tuple[Any, _Scaling]:
    """The matrix the solver sees: standardized, and with liblinear's column when asked.

    Standardization copies ``X`` (as the user asked); nothing else here copies it.
    """
    d, dtype, sparse = X.shape[1], working_dtype(X), hasattr(X, "tocsr")
    shift, scale = np.zeros(d, dtype), np.ones(d, dtype)
    if problem.standardize:
        # Weighted moments: mean = X^T s / S, var = (X - mean)^2^T s / S.
        S, sd = float(s.sum()), backend.asarray(s.astype(dtype))
        mean = backend.to_numpy(X.T @ sd) / S
        if sparse:  # scale only: centering would densify X, and with an unpenalized
            # intercept it changes nothing but the intercept, which absorbs any shift
            var = backend.to_numpy(X.multiply(X).T @ s) / S - mean**2
        else:
            var = backend.to_numpy(((X - backend.asarray(mean)) ** 2).T @ sd) / S
            shift = mean.astype(dtype) if problem.fit_intercept else shift
        spread = np.sqrt(np.maximum(var, 0))
        scale = np.where(spread > 0, spread, 1).astype(dtype)  # constant columns stay
        if sparse:
            X = X.multiply(1 / scale[None, :]).tocsr()
        else:
            X = (X - backend.asarray(shift)) / backend.asarray(scale)
    column = None
    if spec.penalizes_intercept and problem.fit_intercept:
        column = check_number(
            problem.intercept_scaling, "intercept_scaling", low=0, low_inclusive=False
        )
        ones = np.full((X.shape[0], 1), column, dtype)
        if sparse:
            X = _sparse_hstack(X, ones)
        else:
            X = backend.xp.concat([X, backend.asarray(ones)], axis=1)
    return X, _Scaling(shift, scale, column)


def _sparse_hstack(X: Any, column: FloatArray) -> Any:
    from scipy import sparse

    return sparse.hstack([X, sparse.csr_matrix(column)], format="csr")


def _printer(label: str) -> Any:
    def callback(info: IterationInfo) -> None:
        loss, opt = info.loss, info.optimality
        print(f"[{label}] iteration {info.iteration}: loss {loss:.10g}, optimality {opt:.3g}")

    return callback


def fit_problem(
    problem: Problem,
    X: Any,
    y: IntArray,
    classes: NDArray[Any],
    sample_weight: ArrayLike | None,
    warm: tuple[FloatArray, FloatArray] | None,
    offset: ArrayLike | None = None,
) -> Fitted:
    """Fit ``problem`` on validated ``X`` and encoded labels ``y``; see the module docstring."""
    K = len(classes)
    # 1. weights
    if is_dask(X):  # lazy, chunked like X; see log_reg.backends.dask
        from log_reg.backends.dask import DASK, dask_sample_weight

        backend: Backend = DASK
        s = dask_sample_weight(sample_weight, y, classes, problem.class_weight)
    else:
        backend = backend_of(X)
        s = check_sample_weight(sample_weight, len(y), np.float64)
        s = s * class_weights(problem.class_weight, classes, y, s)[y]
    # 2. solver and scaling
    spec, ovr = _solver_for(problem, K, X.shape[0], X.shape[1])
    if is_dask(X):
        from log_reg.backends.dask import check_dask_solver

        check_dask_solver(spec)
    if spec.float64_only and working_dtype(X) != np.float64:
        xp = backend.xp
        X = X.astype(np.float64) if hasattr(X, "tocsr") else xp.astype(X, xp.float64)
    Xfit, scaling = _prepare_X(X, s, problem, spec, backend)
    dtype = working_dtype(X)
    # 3. one problem, or one per class
    tasks = [(y == k).astype(np.intp) for k in range(K)] if ovr else [y]
    results, blocks = [], []
    for t, target in enumerate(tasks):
        rows = slice(t, t + 1) if ovr else slice(None)
        objective = _task_objective(
            problem, Xfit, target, 2 if ovr else K, s.astype(dtype), scaling, rows, offset
        )
        coef0 = None
        if warm is not None:
            W0, b0 = warm
            coef0 = scaling.to_fit(W0[rows], b0[rows])[:, : objective.coef_shape[1]].ravel()
        # 4. the solver
        label = f"{spec.name} {t}" if ovr else spec.name
        result = _run(spec, objective, coef0, problem, label=label)
        results.append(result)
        blocks.append(result.coef.reshape(objective.coef_shape))
    # 5. back to the user's scale; warn once
    W, b = scaling.to_user(np.vstack(blocks).astype(dtype), problem.fit_intercept)
    penalized = bool(np.isfinite(problem.C))
    if K > 2 and not ovr:
        W, b = _center_softmax(W, b, weights=not penalized or problem.l1_ratio == 0)
    separation = (
        None if penalized or is_dask(X) else _separation(X, y, W, b, s, problem.fit_intercept, ovr)
    )
    if separation is None:  # separated data cannot converge: that warning says why instead
        _warn_if_not_converged(spec, results, problem)
    return Fitted(
        coef=W,
        intercept=b.astype(dtype),
        n_iter=np.array([r.n_iter for r in results], dtype=np.int32),
        converged=all(r.converged for r in results),
        loss_history=[r.loss_history for r in results] if ovr else results[0].loss_history,
        solver=spec.name,
        separation=separation,
    )


def _solver_for(problem: Problem, K: int, n: int, d: int) -> tuple[SolverSpec, bool]:
    """The registry row for the problem, and whether it is fit one-vs-rest."""
    penalized = bool(np.isfinite(problem.C))
    ovr = K > 2 and problem.multi_class == "ovr"
    n_raw = K if K > 2 and not ovr else 1
    bounded = problem.lower_bounds is not None or problem.upper_bounds is not None
    spec = choose_solver(
        problem.solver,
        l1_ratio=problem.l1_ratio,
        penalized=penalized,
        n_coef=n_raw * (d + 1),
        n_samples=n,
        dual=problem.dual,
        bounded=bounded,
    )
    if K > 2 and not ovr and not spec.supports_multinomial:
        raise ValueError(
            f"The {problem.solver!r} solver does not support multiclass classification "
            "(n_classes >= 3). Use another solver, or multi_class='ovr' for one-vs-rest."
        )
    return spec, ovr


def _task_objective(
    problem: Problem,
    Xfit: Any,
    target: IntArray,
    n_classes: int,
    s: FloatArray,
    scaling: _Scaling,
    rows: slice,
    offset: ArrayLike | None,
) -> Objective:
    """The objective of one task (the problem, or one class against the rest).

    Penalty factors and bounds are given per feature on the user's scale; on standardized
    features a bound ``l`` on ``W`` is ``l * scale`` on ``W * scale``. liblinear's intercept
    column is penalized with factor 1 and never bounded.
    """
    liblinear = scaling.intercept_column is not None
    n_raw, d = (1 if n_classes == 2 else n_classes), len(scaling.scale)
    penalized = bool(np.isfinite(problem.C))
    factor = problem.penalty_factor
    if factor is not None:
        factor = np.asarray(factor, dtype=np.float64)
        factor = np.append(factor, 1.0) if liblinear else factor
    l1_ratio = problem.l1_ratio if penalized else 0.0
    penalty = ElasticNet(alpha_from_C(problem.C, float(s.sum())), l1_ratio, factor)

    def bound(value: Any, free: float) -> FloatArray | None:
        if value is None:
            return None
        B = np.asarray(value, dtype=np.float64)  # a number, one per feature, or per class
        B = B[rows] if B.ndim == 2 else np.broadcast_to(B, (n_raw, d))
        B = B * scaling.scale
        return np.hstack([B, np.full((len(B), 1), free)]) if liblinear else B

    task_offset = None
    if offset is not None:
        o = np.asarray(offset)
        task_offset = o[:, rows] if o.ndim == 2 and n_classes == 2 and o.shape[1] > 1 else o
    build: Callable[..., Objective] = make_objective
    if is_dask(Xfit):  # the same objective, its passes summed over chunks by Dask
        from log_reg.backends.dask import make_dask_objective

        build = make_dask_objective
    return build(
        Xfit,
        target,
        n_classes=n_classes,
        penalty=penalty,
        sample_weight=s,
        fit_intercept=problem.fit_intercept and not liblinear,
        offset=task_offset,
        lower_bounds=bound(problem.lower_bounds, -np.inf),
        upper_bounds=bound(problem.upper_bounds, np.inf),
        check_input=False,
    )


def _separation(
    X: Any, y: IntArray, W: FloatArray, b: FloatArray, s: FloatArray, fit_intercept: bool, ovr: bool
) -> Separation | None:
    """Unpenalized fits only: a proof that the classes are separated (no finite MLE)."""
    if not ovr:
        return check_separation(X, y, W, b, sample_weight=s, fit_intercept=fit_intercept)
    found = (
        check_separation(
            X,
            (y == k).astype(np.intp),
            W[k : k + 1],
            b[k : k + 1],
            sample_weight=s,
            fit_intercept=fit_intercept,
        )
        for k in range(len(W))
    )
    return next((f for f in found if f is not None), None)


def _center_softmax(W: FloatArray, b: FloatArray, weights: bool) -> tuple[FloatArray, FloatArray]:
    """Pick the sum-to-zero representative of the softmax's free direction.

    Adding one vector to every class's row changes no probability, so the unpenalized
    parts (the intercepts; the weights too without a penalty) are only defined up to that
    shift. scikit-learn's L-BFGS, started at zero, ends where they sum to zero across
    classes; centering gives the same answer whatever solver ran. With an L2 penalty the
    optimum's weights already sum to zero; centering them too removes what a stopping
    tolerance left (and only lowers the penalty). An L1 part is left alone: there,
    centering could raise it.
    """
    b = b - b.mean()
    return (W - W.mean(axis=0), b) if weights else (W, b)


def _run(
    spec: SolverSpec, objective: Any, coef0: Any, problem: Problem, label: str
) -> SolverResult:
    options: dict[str, Any] = {"tol": problem.tol, "max_iter": problem.max_iter}
    printer = _printer(label) if problem.verbose > 0 else None
    callbacks = [c for c in (printer, problem.callback) if c is not None]
    if callbacks:
        options["callback"] = lambda info: [c(info) for c in callbacks]
    if spec.randomized:
        options["random_state"] = problem.random_state
    return spec.solve(objective, coef0, **options)


#: scikit-learn's first sentence when a solver does not converge, kept so that code
#: matching on it still works; ours follows with the figures.
_SKLEARN_NOT_CONVERGED = {
    "lbfgs": "lbfgs failed to converge after {n_iter} iteration(s).",
    "newton-cg": "newton-cg failed to converge. Increase the number of iterations.",
    "newton-cholesky": "Newton solver did not converge after {n_iter} iterations.",
    "sag": "The max_iter was reached which means the coef_ did not converge.",
    "saga": "The max_iter was reached which means the coef_ did not converge.",
    "liblinear": "Liblinear failed to converge, increase the number of iterations.",
}


def _warn_if_not_converged(spec: SolverSpec, results: list[SolverResult], problem: Problem) -> None:
    failed = [r for r in results if not r.converged]
    if not failed:
        return
    worst = max(failed, key=lambda r: r.optimality)
    first = _SKLEARN_NOT_CONVERGED.get(problem.solver, "").format(n_iter=worst.n_iter)
    warn(
        f"{first + ' ' if first else ''}Solver {spec.name!r} stopped before converging "
        f"({len(failed)} of {len(results)} fit(s)): {worst.message}; optimality "
        f"{worst.optimality:.3g} against tol={problem.tol:g}. Increase max_iter, standardize "
        "the features (standardize=True), or use a larger tol.",
        ConvergenceWarning,
    )
