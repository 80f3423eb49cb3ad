"""From user data to a solver's problem and back: the one pipeline every fit goes through.

``LogisticRegression.fit`` and ``partial_fit``, ``regularization_path`` and
``LogisticRegressionCV`` all take these steps:

1. weights: sample weights times class weights (``Backend.fit_weights``);
2. the solver, a row of the registry (``choose_spec``), which the back end may refuse;
3. the design (``prepare``): ``X`` standardized when asked or, without a penalty, its
   columns divided by powers of two to unit size; liblinear's penalized intercept
   column; and one objective (binary or multinomial) or one per class (one-vs-rest),
   with penalty factors, bounds and offsets on the solver's scale;
   ``Design.to_solver`` and ``Design.to_user`` convert coefficients between the user's
   ``(W, b)`` and the solvers' flat vectors (``log_reg.core.objective``'s Conventions);
4. the solves (``solve``), started at the intercept-only model or at a given start
   (without a penalty, with ``unpenalized_tol``: coefficients to about 1e-8); arithmetic
   that overflows is one ``ValueError`` saying so;
5. the coefficients back on the user's scale, the softmax centered, separation checked
   for unpenalized fits, and one ``ConvergenceWarning`` if a fit stopped short (``fit``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.backends import Backend
from log_reg.core.arrays import FloatArray, IntArray, working_dtype
from log_reg.core.checks import check_number
from log_reg.core.errors import ConvergenceWarning, warn
from log_reg.core.loss import loss_for
from log_reg.core.objective import Objective
from log_reg.core.penalty import ElasticNet, alpha_from_C
from log_reg.inference.separation import Separation, check_separation
from log_reg.solvers import IterationInfo, SolverResult, SolverSpec, choose_solver
from log_reg.solvers.stopping import unpenalized_tol

__all__ = ["Design", "Fitted", "Problem", "choose_spec", "fit_problem", "prepare", "solve"]


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

    def one_vs_rest(self, n_classes: int) -> bool:
        """Whether ``n_classes`` classes are fit as one binary problem per class."""
        return n_classes > 2 and self.multi_class == "ovr"


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


@dataclass(frozen=True, eq=False)
class Scaling:
    """``X_fit = (X - shift) / scale`` and, for liblinear, a constant column appended."""

    shift: FloatArray
    scale: FloatArray
    intercept_column: float | None  # liblinear's intercept_scaling, or None

    def to_fit(self, W: FloatArray, b: FloatArray) -> FloatArray:
        """User-scale ``(W, b)`` -> the solver's coefficient matrix, intercepts last."""
        Ws = W * self.scale
        bs = b + W @ self.shift
        if self.intercept_column is not None:
            return np.hstack([Ws, (bs / self.intercept_column)[:, None]])
        return np.hstack([Ws, bs[:, None]])

    def split(self, M: FloatArray, fit_intercept: bool) -> tuple[FloatArray, FloatArray]:
        """The solver's coefficient matrix -> ``(Ws, bs)``, still on the solver's columns."""
        d = len(self.scale)
        Ws = M[:, :d]
        if self.intercept_column is not None:
            return Ws, M[:, d] * self.intercept_column
        return Ws, M[:, d] if fit_intercept else np.zeros(len(M), M.dtype)

    def to_user(self, M: FloatArray, fit_intercept: bool) -> tuple[FloatArray, FloatArray]:
        """The solver's coefficient matrix -> ``(W, b)`` on the user's scale."""
        Ws, bs = self.split(M, fit_intercept)
        W = Ws / self.scale
        return W, bs - W @ self.shift


@dataclass(frozen=True, eq=False)
class Design:
    """What stays fixed across penalties: the task objectives, the solver, the scaling.

    ``tasks`` holds one objective, or one binary objective per class (one-vs-rest), each
    with the penalty of the problem's ``C``; ``with_penalty`` gives them another one.
    """

    tasks: tuple[Objective, ...]
    spec: SolverSpec
    scaling: Scaling
    total_weight: float  # S, the sum of the sample weights times the class weights
    fit_intercept: bool
    multinomial: bool
    penalty_factor: FloatArray | None  # per column of the solver's X; None: all 1

    def with_penalty(self, alpha: float, l1_ratio: float) -> tuple[Objective, ...]:
        """The tasks with the elastic net ``alpha``, ``l1_ratio`` (the factors kept)."""
        penalty = ElasticNet(alpha, l1_ratio, self.penalty_factor)
        return tuple(replace(t, penalty=penalty) for t in self.tasks)

    def to_solver(self, W: FloatArray, b: FloatArray) -> list[FloatArray]:
        """User-scale ``W (n_raw, d)``, ``b (n_raw,)`` -> one flat coefficient vector per task."""
        M = self.scaling.to_fit(np.asarray(W), np.asarray(b))
        M = M[:, : self.tasks[0].coef_shape[1]].astype(self.tasks[0].dtype)  # no intercept?
        if len(self.tasks) == 1:
            return [M.ravel()]
        return [M[t].copy() for t in range(len(self.tasks))]  # one-vs-rest: a row each

    def stacked(self, coefs: list[FloatArray]) -> FloatArray:
        """The solvers' flat vectors -> one coefficient matrix ``(n_raw, p)``, a row a class."""
        blocks = [c.reshape(t.coef_shape) for t, c in zip(self.tasks, coefs, strict=True)]
        return np.vstack(blocks).astype(self.tasks[0].dtype)

    def to_user(self, coefs: list[FloatArray], *, penalized: bool, l1_ratio: float) -> Any:
        """The solvers' flat vectors -> ``W (n_raw, d)`` and ``b (n_raw,)`` on the user's
        scale; multinomial fits centered (``center_softmax``)."""
        W, b = self.scaling.to_user(self.stacked(coefs), self.fit_intercept)
        if self.multinomial:
            W, b = center_softmax(W, b, weights=not penalized or l1_ratio == 0)
        return W, b


def choose_spec(
    problem: Problem, n_classes: int, shape: tuple[int, int], *, unpenalized_too: bool = False
) -> SolverSpec:
    """The registry row for the problem on ``X`` of ``shape``; ``unpenalized_too``: the
    solver must also fit ``C = inf`` (a path through it)."""
    n, d = shape
    n_raw = 1 if problem.one_vs_rest(n_classes) else loss_for(n_classes).n_raw(n_classes)
    bounded = problem.lower_bounds is not None or problem.upper_bounds is not None

    def row(C: float) -> SolverSpec:
        penalty = ElasticNet(alpha_from_C(C, 1.0), problem.l1_ratio)  # its form decides
        return choose_solver(
            problem.solver,
            penalty=penalty,
            n_coef=n_raw * (d + 1),
            n_samples=n,
            dual=problem.dual,
            bounded=bounded,
        )

    if unpenalized_too:
        row(np.inf)
    spec = row(problem.C)
    if n_raw > 2 and not spec.supports_multinomial:
        raise ValueError(
            f"The {problem.solver!r} solver does not support multiclass classification "
            "(n_classes >= 3). Use another solver, or multi_class='ovr' for one-vs-rest."
        )
    return spec


def prepare(
    problem: Problem,
    backend: Backend,
    X: Any,
    y: IntArray,
    n_classes: int,
    s: Any,
    spec: SolverSpec,
    offset: ArrayLike | None = None,
    *,
    rescale: bool = False,
) -> Design:
    """Step 3 of the module docstring, for checked ``X``, labels ``y`` encoded as
    ``0 .. n_classes - 1`` and weights ``s`` (``fit_weights``).

    ``n_classes`` counts every class, also those absent from ``y`` (a cross-validation
    fold may miss one): each keeps its row of coefficients. ``rescale`` brings every
    column to unit size for the solver (``_scaled``): for fits without a penalty, whose
    optimum it does not change.
    """
    ovr = problem.one_vs_rest(n_classes)
    if spec.float64_only and working_dtype(X) != np.float64:
        xp = backend.xp
        X = X.astype(np.float64) if hasattr(X, "tocsr") else xp.astype(X, xp.float64)
    Xfit, scaling = _scaled(X, s, problem, spec, backend, rescale)
    dtype = working_dtype(X)
    s = s.astype(dtype)
    S = float(s.sum())
    if not S > 0:  # a cross-validation fold may hold only rows of weight 0
        raise ValueError("sample_weight must have a positive sum; got all zeros.")
    liblinear = scaling.intercept_column is not None
    factor = problem.penalty_factor
    if factor is not None:
        factor = np.asarray(factor, dtype=np.float64)
        factor = np.append(factor, 1.0) if liblinear else factor
    l1_ratio = problem.l1_ratio if np.isfinite(problem.C) else 0.0
    penalty = ElasticNet(alpha_from_C(problem.C, S), l1_ratio, factor)
    targets = [(y == k).astype(np.intp) for k in range(n_classes)] if ovr else [y]
    tasks = []
    for t, target in enumerate(targets):
        rows = slice(t, t + 1) if ovr else slice(None)
        options = _task_options(problem, scaling, rows, 2 if ovr else n_classes, offset)
        tasks.append(
            backend.make_objective(
                Xfit,
                target,
                n_classes=2 if ovr else n_classes,
                penalty=penalty,
                sample_weight=s,
                fit_intercept=problem.fit_intercept and not liblinear,
                check_input=False,
                **options,
            )
        )
    multinomial = n_classes > 2 and not ovr
    return Design(tuple(tasks), spec, scaling, S, problem.fit_intercept, multinomial, factor)


def _scaled(
    X: Any, s: Any, problem: Problem, spec: SolverSpec, backend: Backend, rescale: bool
) -> tuple[Any, Scaling]:
    """The matrix the solver sees: standardized, or (``rescale``) its columns brought to
    unit size, and with liblinear's column when asked.

    Columns are first divided by a power of two near their largest entry
    (``_binary_units``): that changes exponents only, so it is exact, and it keeps the
    moments below from overflowing (``x^2`` of 1e200) or vanishing (of 1e-200). With
    ``rescale`` every column is (the solver then sees entries below 2 in size, whatever
    the user's units: an unpenalized optimum is the same in any units, and tolerances
    mean the same on every column); for standardization alone only columns far from 1
    are, so ordinary data are standardized as they always were. Standardizing or
    rescaling copies ``X``; nothing else here does.
    """
    d, dtype, sparse = X.shape[1], working_dtype(X), hasattr(X, "tocsr")
    shift, scale = np.zeros(d, dtype), np.ones(d, dtype)
    if problem.standardize or rescale:
        scale = _binary_units(X, backend, every=rescale and not problem.standardize)
        if np.any(scale != 1):
            X = _divide_columns(X, scale, backend)
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
        spread = np.where(spread > 0, spread, 1).astype(dtype)  # constant columns stay
        if sparse:
            X = X.multiply(1 / spread[None, :]).tocsr()
        else:
            X = (X - backend.asarray(shift)) / backend.asarray(spread)
        shift, scale = shift * scale, spread * scale  # of the user's columns
    column = None
    if spec.penalizes_intercept and problem.fit_intercept:
        column = check_number(
            problem.intercept_scaling, "intercept_scaling", low=0, low_inclusive=False
        )
        ones = np.full((X.shape[0], 1), column, dtype)
        if sparse:
            from scipy import sparse as scipy_sparse

            X = scipy_sparse.hstack([X, scipy_sparse.csr_matrix(ones)], format="csr")
        else:
            X = backend.xp.concat([X, backend.asarray(ones)], axis=1)
    return X, Scaling(shift, scale, column)


def _binary_units(X: Any, backend: Backend, every: bool) -> FloatArray:
    """Per column, ``u = 2^(e - 1)`` for its largest entry ``max |x| = f 2^e``, ``f`` in
    [1/2, 1): ``x / u`` lies in (-2, 2) and keeps every bit of ``x``. ``u = 1`` for a
    column of zeros and, unless ``every``, where ``|e|`` is within a quarter of the
    dtype's exponent range (its squares, summed, are then safe); shape ``(n_features,)``.
    """
    dtype = working_dtype(X)
    if hasattr(X, "tocsr"):
        top = np.asarray(abs(X).max(axis=0).toarray()).ravel()
    else:  # the largest and the smallest: two reads of X, no copy of it
        xp = backend.xp
        top = np.maximum(backend.to_numpy(xp.max(X, axis=0)), -backend.to_numpy(xp.min(X, axis=0)))
    _, e = np.frexp(top.astype(np.float64))
    keep = top == 0 if every else (top == 0) | (np.abs(e) <= np.finfo(dtype).maxexp // 4)
    return np.where(keep, 1.0, np.ldexp(1.0, e - 1)).astype(dtype)


def _divide_columns(X: Any, units: FloatArray, backend: Backend) -> Any:
    """``X / units`` column by column, a copy (sparse: the stored values only)."""
    if hasattr(X, "tocsr"):
        X = X.tocsr(copy=True)
        X.data /= units[X.indices]
        return X
    return X / backend.asarray(units)


def _task_options(
    problem: Problem, scaling: Scaling, rows: slice, n_classes: int, offset: ArrayLike | None
) -> dict[str, Any]:
    """Bounds and offset of one task (the problem, or one class against the rest).

    Bounds are given per feature on the user's scale; on standardized features a bound
    ``l`` on ``W`` is ``l * scale`` on ``W * scale``. liblinear's intercept column is
    never bounded.
    """
    liblinear = scaling.intercept_column is not None
    n_raw, d = loss_for(n_classes).n_raw(n_classes), len(scaling.scale)

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
    return {
        "offset": task_offset,
        "lower_bounds": bound(problem.lower_bounds, -np.inf),
        "upper_bounds": bound(problem.upper_bounds, np.inf),
    }


def center_softmax(W: FloatArray, b: FloatArray, weights: bool) -> tuple[FloatArray, FloatArray]:
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


def solve(
    spec: SolverSpec, objective: Objective, coef0: Any, problem: Problem, label: str = ""
) -> SolverResult:
    """Step 4: the solver on one objective, with the problem's options (and its verbose
    printer and callback, if any).

    Overflow, ``0/0`` or ``x/0`` in its arithmetic (features too large for the working
    precision) raise a ``ValueError`` that says so, instead of NumPy's warnings and a
    meaningless fit; the callbacks run under NumPy's usual rules.
    """
    options: dict[str, Any] = {"tol": problem.tol, "max_iter": problem.max_iter}
    callbacks = [c for c in (_printer(label or spec.name, problem.verbose), problem.callback) if c]
    if callbacks:
        options["callback"] = lambda info: _call_back(callbacks, info)
    if spec.randomized:
        options["random_state"] = problem.random_state
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return spec.solve(objective, coef0, **options)
    except FloatingPointError as exc:
        raise ValueError(_overflow_message(spec, objective, exc)) from None


def _call_back(callbacks: list[Any], info: IterationInfo) -> None:
    with np.errstate(over="warn", invalid="warn", divide="warn"):
        for callback in callbacks:
            callback(info)


def _what(exc: FloatingPointError) -> str:
    """NumPy's "overflow encountered in matmul" as "overflow in matmul"."""
    return str(exc).replace(" encountered in ", " in ")


def _overflow_message(spec: SolverSpec, objective: Objective, exc: FloatingPointError) -> str:
    X, arrays = objective.X, objective.arrays
    if hasattr(X, "tocsr"):
        top = np.asarray(abs(X).max(axis=0).toarray()).ravel()
    else:  # column by column where X lives: only the maxima travel
        top = np.asarray(arrays.to_numpy(arrays.xp.max(arrays.xp.abs(X), axis=0)))
    j = int(np.argmax(top))
    return (
        f"The {spec.name!r} solver's {objective.dtype} arithmetic overflowed ({_what(exc)}): "
        f"the features are too large for this fit, up to {float(top[j]):.3g} (column {j} "
        "as the solver sees it). Scale them, for example with standardize=True (which copes "
        "with any size), or fit without a penalty (C=np.inf), which rescales them itself."
    )


def _printer(label: str, verbose: int) -> Any:
    if verbose <= 0:
        return None

    def callback(info: IterationInfo) -> None:
        loss, opt = info.loss, info.optimality
        print(f"[{label}] iteration {info.iteration}: loss {loss:.10g}, optimality {opt:.3g}")

    return callback


def fit_problem(
    problem: Problem,
    backend: Backend,
    X: Any,
    y: Any,
    classes: NDArray[Any],
    sample_weight: Any,
    warm: tuple[FloatArray, FloatArray] | None,
    offset: ArrayLike | None = None,
) -> Fitted:
    """Fit ``problem`` on checked ``X`` and encoded labels ``y``; see the module docstring."""
    K = len(classes)
    # 1. weights
    s = backend.fit_weights(sample_weight, problem.class_weight, classes, y)
    # 2. the solver
    spec = choose_spec(problem, K, X.shape)
    backend.check_solver(spec)
    # 3. the design: without a penalty, on columns of unit size, with a tighter tol
    penalized = bool(np.isfinite(problem.C))
    design = prepare(problem, backend, X, y, K, s, spec, offset, rescale=not penalized)
    if not penalized:
        problem = replace(problem, tol=unpenalized_tol(problem.tol, design.tasks[0].dtype))
    starts = [None] * len(design.tasks) if warm is None else design.to_solver(*warm)
    # 4. the solves
    ovr = len(design.tasks) > 1
    results = [
        solve(spec, f, coef0, problem, label=f"{spec.name} {t}" if ovr else spec.name)
        for t, (f, coef0) in enumerate(zip(design.tasks, starts, strict=True))
    ]
    # 5. back to the user's scale; warn once
    coefs = [r.coef for r in results]
    W, b = design.to_user(coefs, penalized=penalized, l1_ratio=problem.l1_ratio)
    separation = None
    if not penalized and backend.in_memory:  # on the solver's columns: the same margins,
        # in units whose products cannot overflow
        Ws, bs = design.scaling.split(design.stacked(coefs), problem.fit_intercept)
        separation = _separation(design.tasks[0].X, y, Ws, bs, s, problem.fit_intercept, ovr)
    _warn_if_not_converged(spec, results, problem, penalized, separation is not None)
    return Fitted(
        coef=W,
        intercept=b,
        n_iter=np.array([r.n_iter for r in results], dtype=np.int32),
        converged=all(r.converged for r in results),
        loss_history=[r.loss_history for r in results] if ovr else results[0].loss_history,
        solver=spec.name,
        separation=separation,
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


def _warn_if_not_converged(
    spec: SolverSpec,
    results: list[SolverResult],
    problem: Problem,
    penalized: bool,
    separated: bool,
) -> None:
    """One ``ConvergenceWarning`` when a fit stopped short: ``converged_ = False`` is
    never silent, also where the ``PerfectSeparationWarning`` says why."""
    failed = [r for r in results if not r.converged]
    if not failed:
        return
    worst = max(failed, key=lambda r: r.optimality)
    first = _SKLEARN_NOT_CONVERGED.get(problem.solver, "").format(n_iter=worst.n_iter)
    which = "" if penalized else ", the tol of an unpenalized fit (unpenalized_tol)"
    advice = (
        "The classes are separated (see the PerfectSeparationWarning): the unpenalized "
        "optimum lies at infinity, so no solver reaches it; fit with a penalty (finite C)."
        if separated
        else "Increase max_iter, standardize the features (standardize=True), or use a larger tol."
    )
    warn(
        f"{first + ' ' if first else ''}Solver {spec.name!r} stopped before converging "
        f"({len(failed)} of {len(results)} fit(s)): {worst.message}; optimality "
        f"{worst.optimality:.3g} against tol={problem.tol:g}{which}. {advice}",
        ConvergenceWarning,
    )
