"""Newton's method with a Cholesky solve and a backtracking line search: for few features.

Each iteration models ``f`` by its second-order Taylor expansion at ``coef`` and steps
towards the model's minimum,

    H d = -g,        coef <- coef + t d,

with ``g`` and ``H`` the gradient and dense Hessian of ``f`` (``objective.hessian``; ``f`` is
smooth here: loss plus L2). ``H`` is positive semi-definite, so it is factored as
``H = L L^T`` (Cholesky) and ``d`` found by two triangular solves: forward substitution
for ``L y = -g``, then back substitution for ``L^T d = y`` (up to 64 coefficients, one
LAPACK solve of ``H d = -g`` instead, once Cholesky has shown ``H`` positive definite:
as fast, and fewer calls). Near the minimum ``t = 1`` is
accepted and the error squares at every step (quadratic convergence): a handful of
iterations reach any tolerance. Each one costs a pass over ``X`` for ``H`` (``O(n m^2)``
with ``m = n_raw * p`` coefficients) and a factorization (``O(m^3)``), so Newton suits many
samples and few features.

**Line search.** ``t`` is the first of ``1, 1/2, 1/4, ...`` (at most 30 tries) that passes
Armijo's sufficient-decrease test

    f(coef + t d) <= f(coef) + c1 t g^T d,        c1 = 1e-4,

or, once ``f`` changes by less than its rounding error (``16 eps |f|``), that lowers the
largest gradient entry instead: the last digits of ``f`` are noise, but the gradient still
tells progress. If no ``t`` passes, the solver stops and says so (``converged=False``).

The full step can also be too short. The model's step assumes the curvature at ``coef``
all along the way; where ``f`` curves less ahead (nearly separable data, whose optimum lies
far out), the slope at ``t = 1``, ``phi'(1) = g(coef + d)^T d``, is still steep. While it is
below ``0.2 phi'(0)`` (the curvature condition of Wolfe's, failing on the short side),
``t`` doubles, as long as ``f`` keeps falling with sufficient decrease. A doubling costs one
pass for ``f`` and its gradient; a Newton iteration saved costs a Hessian as well. On
breast cancer at ``C = 1``: 6 Hessians and 9 passes instead of 8 and 8; on random
well-posed problems 4 or 5 Hessians instead of 6, at no more passes.

**Stopping.** The solver stops when the largest gradient entry is within ``tol`` and the
decrement ``-g^T d / 2`` predicts a relative gap below about ``tol / 100``
(``solvers.stopping``). The decrement needs the Hessian at the last iterate, a pass that
would serve no step. It is bounded from the Hessian ``H`` of the step before instead: along
a step that moves each raw prediction by at most ``c``, every sample's curvature shrinks by
at most ``exp(-c)`` (``Objective.curvature_drift``), so ``H_new >= exp(-c) H`` and

    g^T H_new^-1 g  <=  exp(c) g^T H^-1 g,

one more solve with the old ``H`` (``_drifted_decrement``). Near the optimum steps are short,
``c`` is small, and the last Hessian of a fit is saved; when the bound is too loose to stop,
the Hessian is computed as usual.

**Safeguards.** ``H`` can be singular or nearly so, and the plain step then fails:

(a) *Redundant classes.* The multinomial loss is unchanged when one vector ``v`` is added to
    every class's coefficients, ``coef_k -> coef_k + v``; unpenalized entries (all of them
    with ``C = inf``, the intercepts always) give ``H`` a null space
    ``N = {(v, ..., v)}``. The solver works in its orthogonal complement, the sum-to-zero
    subspace ``S = {sum_k coef_k = 0}``: it centers the start across classes (this never
    raises ``f``: the loss stays, the L2 term can only drop), adds
    ``tau (1 1^T / K) kron I_p`` to ``H`` (curvature ``tau = trace(H) / m`` along ``N``,
    ``H`` unchanged on ``S``) and centers every direction. Gradients lie in ``S``
    (``sum_k g_k = alpha sum_k W_k = 0``), so the iterates stay there and end at the
    minimum-norm solution, the one scikit-learn reports.
(b) *Separable data.* Without a penalty, probabilities run to 0 and 1, ``H -> 0`` and the
    minimum lies at infinity. ``g`` shrinks as fast as ``H``, so the steps stay finite
    (about constant in length), ``f`` and ``g`` fall geometrically, and the solver stops
    once ``g`` reaches ``tol``; with a ``tol`` below what rounding allows, at ``max_iter``
    or when the line search can no longer lower ``f``.
(c) *Collinear features.* ``H`` is singular whatever the data. When Cholesky fails, or
    its pivots say ``H`` is numerically singular (``min L_jj^2 < m eps max L_jj^2``, the
    rank rule of ``numpy.linalg.matrix_rank``), it retries on ``H + mu I`` (Levenberg)
    for ``mu = 10^j 1e-10 tau``, ``j = 0 .. 10``. A tiny ``mu`` gives nearly the
    minimum-norm step ``H^+ (-g)``; the largest, ``mu = tau``, a step between Newton's and
    the gradient's.
(d) If no ``mu`` works, or ``d`` is not a descent direction (``g^T d >= 0``, from rounding),
    the step is the steepest descent direction ``d = -g``.

``H`` is factored in float64 whatever the objective's dtype; ``coef`` keeps that dtype.

References: Nocedal and Wright, *Numerical Optimization*, 2nd ed. (2006), sections 3.1
(backtracking) and 3.4 (Newton's method with Hessian modification); Boyd and Vandenberghe,
*Convex Optimization* (2004), section 9.5.
"""

from __future__ import annotations

import math

import numpy as np

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_number
from log_reg.core.objective import Objective
from log_reg.solvers.line_search import line_search_armijo
from log_reg.solvers.result import Callback, IterationInfo, SolverResult
from log_reg.solvers.start import start_point
from log_reg.solvers.stopping import stop_reason

__all__ = ["solve_newton"]

ARMIJO_C1 = 1e-4  # fraction of the predicted decrease a step must achieve
MAX_HALVINGS = 30  # line search tries: t = 1, 1/2, ..., 2^-29
#: A full step is doubled while the slope there is below this fraction of the slope at 0,
#: at most ``MAX_DOUBLINGS`` times (t = 2, 4, ..., 64)
EXTEND_WHILE = 0.2
MAX_DOUBLINGS = 6
#: Levenberg shifts tried, as multiples of tau = trace(H) / m: none, then 1e-10 growing 10x to 1
DAMPING = (0.0, *(10.0**j for j in range(-10, 1)))
_TINY = float(np.finfo(np.float64).tiny)
_SUBSTITUTION_BLOCK = 64  # rows a step of _forward_substitution solves at once
_SUBSAMPLED_UNDERESTIMATE = 2.0


def solve_newton(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    tol: float = 1e-4,
    max_iter: int = 100,
    callback: Callback | None = None,
    hessian_rows: int | None = None,
) -> SolverResult:
    """Minimize a smooth ``objective`` (no L1 part) by Newton's method with line search.

    Parameters
    ----------
    objective : Objective
        What to minimize (see ``log_reg.core.objective``); its penalty must have no L1 part.
    coef0 : ndarray of shape (n_coef,), optional
        Starting point; by default ``objective.start()``, the intercept-only model. A
        multinomial start is centered across classes first (safeguard (a) in the module
        docstring).
    tol : float >= 0
        Stop when ``objective.optimality`` (the largest gradient entry) is at most ``tol``
        and the Newton decrement predicts a relative gap below about ``tol / 100``
        (``solvers.stopping``).
    max_iter : int >= 1
        Number of Newton steps at most.
    callback : callable, optional
        Called with an ``IterationInfo`` after each iteration.
    hessian_rows : int >= 1, optional
        Sub-sampled Newton: the Hessian is computed on this many rows, drawn once at random
        (and reweighted, ``objective.subset``), the gradient and ``f`` on all of them.
        ``None`` (default) or at least ``n_samples``: the exact Hessian.

    Returns
    -------
    SolverResult
        ``loss_history[t]`` is ``f`` before step ``t + 1``.

    Raises
    ------
    ValueError
        If the penalty has an L1 part, or an argument is out of range.

    Examples
    --------
    >>> from log_reg.core.objective import make_objective
    >>> f = make_objective(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 1, 0, 1])
    >>> result = solve_newton(f, tol=1e-8)
    >>> result.converged, result.n_iter, np.round(result.coef, 4)
    (True, 4, array([ 0.9082, -1.3623]))
    """
    if not objective.penalty.is_smooth:
        raise ValueError(
            "The newton solver handles no L1 penalty, nor any other that is not smooth: it "
            f"needs the Hessian of a smooth objective; got {objective.penalty!r}. Use a solver "
            "that supports L1, such as 'gd' (proximal gradient descent)."
        )
    tol = check_number(tol, "tol", low=0)
    max_iter = check_int(max_iter, "max_iter", low=0)

    curvature, underestimate = _hessian_source(objective, hessian_rows)
    coef = _start(objective, coef0)
    loss, grad = objective.loss_gradient(coef)
    history: list[float] = []
    last: tuple[FloatArray, FloatArray] | None = None  # H before the last step, and the step
    for step in range(max_iter + 1):
        # 1. the largest gradient entry at coef (loss and grad come from the line search)
        optimality = objective.optimality(coef, grad)
        if callback is not None and step > 0:  # the state after `step` iterations
            callback(IterationInfo(step, loss, optimality))
        if step == max_iter:  # evaluated only to report where the last step landed
            converged = optimality <= tol
            message = f"reached max_iter={max_iter} Newton steps; optimality {optimality:.3g}"
            break
        history.append(loss)
        # 2. stop already? once the gradient is small, the last step's Hessian bounds the
        #    decrement here (see "Stopping" in the module docstring): no new Hessian
        if last is not None and optimality <= tol:
            bound = _drifted_decrement(objective, curvature, *last, grad) * underestimate
            reason = stop_reason(optimality, tol, bound, loss, objective.dtype)
            if reason:
                message, converged = reason, True
                break
        # 3. direction: H d = -g by Cholesky, with the safeguards of the module docstring
        H = curvature.hessian(coef)  # (m, m)
        direction, exact = _newton_direction(objective, H, grad)
        # 4. stop? the gradient is small and so is the predicted decrease -g^T d / 2 (doubled
        #    when H is sub-sampled)
        decrement = -0.5 * float(grad @ direction) * underestimate
        reason = stop_reason(optimality, tol, decrement, loss, objective.dtype)
        if reason:
            message, converged = reason, True
            break
        # 5. line search and update: coef <- coef + t d
        found = _backtrack(objective, coef, loss, grad, direction)
        if found is None:
            converged = False
            message = (
                f"line search failed at step {step + 1}: no step t = 1, 1/2, ..., "
                f"2^-{MAX_HALVINGS - 1} decreased f (optimality {optimality:.3g} > "
                f"tol={tol:g}; a tol this small may be below {objective.dtype} precision)"
            )
            break
        last = (H, found[0] - coef) if exact else None
        coef, loss, grad = found
    return SolverResult(coef, step, converged, message, np.array(history), optimality)


def _hessian_source(objective: Objective, rows: int | None) -> tuple[Objective, float]:
    """The objective whose Hessian Newton uses, and the factor on its decrement.

    A random sub-sample's Hessian is an unbiased estimate of ``H``; its decrement errs
    either way by about ``sqrt(m / rows)``, so it is doubled before the stopping test.
    """
    n = int(objective.X.shape[0])
    if rows is None:
        return objective, 1.0
    rows = check_int(rows, "hessian_rows", low=1)
    if rows >= n:
        return objective, 1.0
    picked = np.sort(np.random.default_rng(0).choice(n, size=rows, replace=False))
    return objective.subset(picked), _SUBSAMPLED_UNDERESTIMATE


def _start(objective: Objective, coef0: FloatArray | None) -> FloatArray:
    """The starting point in the working dtype (``start_point``); a given multinomial one
    centered across classes."""
    if coef0 is None:
        return objective.start()
    return _center_classes(objective, start_point(objective, coef0))


def _center_classes(objective: Objective, v: FloatArray) -> FloatArray:
    """Project ``v`` onto ``S = {sum_k v_k = 0}``: subtract the mean over classes, per column.

    The identity for a binary objective (one raw prediction, no redundancy).
    """
    K, p = objective.coef_shape
    if K == 1:
        return v
    M = v.reshape(K, p)
    return (M - M.mean(axis=0)).ravel()


def _newton_direction(
    objective: Objective, H: FloatArray, grad: FloatArray
) -> tuple[FloatArray, bool]:
    """``d = -H^-1 g`` (with safeguards (a), (c) and (d)), in the objective's dtype, and
    whether it is exact: ``H`` itself was solved, without a Levenberg shift or (d)."""
    K, p = objective.coef_shape
    H = H.astype(np.float64)  # a copy: the small (m, m) system is solved in float64
    tau = max(float(H.trace()) / len(H), _TINY)  # mean eigenvalue
    if K > 1:  # (a) curvature tau along N: H + tau (1 1^T / K) kron I_p
        blocks = H.reshape(K, p, K, p)  # a view: block (k, l) is blocks[k, :, l, :]
        blocks += (tau / K) * np.eye(p)[None, :, None, :]  # tau I_p / K on every block
    eps = float(np.finfo(objective.dtype).eps)
    direction, shift = _damped_cholesky_solve(H, -grad.astype(np.float64), tau, eps)
    # not finite (then neither is g^T d: inf 0 is nan) or not downhill: (d) steepest descent
    if direction is None or not -math.inf < float(grad @ direction) < 0:
        direction, shift = -grad, math.inf
    return _center_classes(objective, direction.astype(objective.dtype)), shift == 0


def _damped_cholesky_solve(
    H: FloatArray, b: FloatArray, tau: float, eps: float
) -> tuple[FloatArray | None, float]:
    """Solve ``(H + mu I) d = b`` for the first ``mu`` in ``0, 1e-10 tau, ..., tau`` that works.

    "Works": Cholesky succeeds and its pivots do not call the matrix numerically singular
    (``min L_jj^2 < m eps max L_jj^2``, with ``eps`` the working dtype's). Returns ``d`` and
    ``mu``; ``(None, inf)`` if none works.
    """
    m = len(H)
    for shift in DAMPING:
        shifted = H + shift * tau * np.eye(m) if shift else H
        try:
            L = np.linalg.cholesky(shifted)  # H + mu I = L L^T
            L_jj = L.diagonal()  # > 0, so min L_jj^2 = (min L_jj)^2
            if L_jj.min() ** 2 < m * eps * L_jj.max() ** 2:
                continue
            if m <= _SUBSTITUTION_BLOCK:  # one LAPACK solve costs no more than one of the two
                return np.linalg.solve(shifted, b), shift * tau  # triangular ones, less Python
        except np.linalg.LinAlgError:  # not positive definite (or, for solve's LU on
            continue  # subnormal entries, singular) in floating point
        y = _forward_substitution(L, b)  # L y = b
        # L^T d = y: reversing rows and columns makes the upper triangle L^T lower
        return _forward_substitution(L.T[::-1, ::-1], y[::-1])[::-1], shift * tau
    return None, math.inf


def _drifted_decrement(
    objective: Objective, curvature: Objective, H: FloatArray, step: FloatArray, grad: FloatArray
) -> float:
    """An upper bound on the Newton decrement ``g^T H_new^-1 g / 2`` at the point ``step``
    led to, from ``H``, the Hessian before it: ``exp(c) g^T H^-1 g / 2`` with
    ``c = curvature.curvature_drift(step)`` (``H_new >= exp(-c) H``). Infinite when ``H``
    needs a safeguard."""
    direction, exact = _newton_direction(objective, H, grad)
    if not exact:
        return math.inf
    drift = min(curvature.curvature_drift(step), 700.0)  # exp(700) is still finite
    return math.exp(drift) * -0.5 * float(grad @ direction)


def _forward_substitution(
    L: FloatArray, b: FloatArray, block: int = _SUBSTITUTION_BLOCK
) -> FloatArray:
    """Solve ``L y = b`` for lower-triangular ``L``, without refactoring ``L``.

    Row by row, ``y_j = (b_j - sum_{i<j} L_ji y_i) / L_jj``: ``O(m^2)``. Done ``block`` rows
    at a time so that Python loops ``m / block`` times, not ``m``: for the rows ``k`` of a
    block, ``L_kk y_k = b_k - L_k,<k y_<k``, a small triangular system that LAPACK's
    ``numpy.linalg.solve`` handles in compiled code (``O(block^3)`` each, ``O(m block^2)``
    in all, which is next to nothing beside the ``O(m^3)`` Cholesky factorization).

    Examples
    --------
    >>> _forward_substitution(np.array([[2.0, 0.0], [1.0, 1.0]]), np.array([2.0, 3.0]))
    array([1., 2.])
    """
    y = np.empty_like(b)
    for start in range(0, len(b), block):
        k = slice(start, start + block)
        y[k] = np.linalg.solve(L[k, k], b[k] - L[k, :start] @ y[:start])
    return y


def _backtrack(
    objective: Objective, coef: FloatArray, loss: float, grad: FloatArray, direction: FloatArray
) -> tuple[FloatArray, float, FloatArray] | None:
    """Armijo backtracking along ``direction``: the accepted point, its ``f`` and gradient.

    Tries ``t = 1, 1/2, ...`` (``line_search_armijo``); accepts the first ``t`` with
    ``f(coef + t d) <= f(coef) + c1 t g^T d``, or, where the change in ``f`` is within its
    rounding error ``16 eps |f|``, with a smaller largest gradient entry. A full step that
    decreases ``f`` enough may be lengthened (``_extend``). ``None`` if no ``t`` passes.
    """
    slope = float(grad @ direction)  # g^T d < 0: the predicted decrease per unit t
    rounding = 16 * float(np.finfo(objective.dtype).eps) * abs(loss)
    optimality = objective.optimality(coef, grad)

    def phi(t: float) -> tuple[float, tuple[FloatArray, FloatArray]]:  # f, point, gradient
        trial = coef + t * direction
        trial_loss, trial_grad = objective.loss_gradient(trial)
        return trial_loss, (trial, trial_grad)

    def progress(at: tuple[FloatArray, FloatArray]) -> bool:
        return objective.optimality(*at) < optimality

    found = line_search_armijo(
        phi,
        loss,
        slope,
        c1=ARMIJO_C1,
        max_evals=MAX_HALVINGS,
        rounding=rounding,
        progress=progress,
    )
    if found is None:
        return None
    trial, trial_grad = found.at
    if found.step == 1.0 and found.decreased:  # the full step: maybe too short
        return _extend(objective, coef, loss, slope, direction, found.value, trial_grad)
    return trial, found.value, trial_grad


def _extend(
    objective: Objective,
    coef: FloatArray,
    loss: float,
    slope: float,
    direction: FloatArray,
    value: float,
    grad: FloatArray,
) -> tuple[FloatArray, float, FloatArray]:
    """The full step ``t = 1`` (``f`` there ``value``, gradient ``grad``), doubled while the
    slope there is below ``EXTEND_WHILE`` times ``slope = phi'(0)`` and ``f`` keeps falling
    with sufficient decrease: the point, its ``f`` and gradient.

    A doubling is only tried where the cubic that matches ``phi`` and ``phi'`` at 0 and
    ``t`` predicts ``phi(2t) < phi(t)``. That cubic gives
    ``phi(2t) = phi(0) - 4 (phi(t) - phi(0)) + 2t (phi'(0) + 2 phi'(t))``, so the test reads
    ``2t (phi'(0) + 2 phi'(t)) < 5 (phi(t) - phi(0))``; on a quadratic it is exact. It spares
    the pass of a doubling that would be refused (breast cancer: 8 passes instead of 9).
    """
    t = 1.0
    for _ in range(MAX_DOUBLINGS):
        slope_t = float(grad @ direction)  # phi'(t)
        if not slope_t < EXTEND_WHILE * slope:  # flat enough: the step is long enough
            break
        if not 2 * t * (slope + 2 * slope_t) < 5 * (value - loss):  # phi(2t) predicted higher
            break
        longer_loss, longer_grad = objective.loss_gradient(coef + 2 * t * direction)
        if not (longer_loss <= loss + ARMIJO_C1 * 2 * t * slope and longer_loss < value):
            break
        t, value, grad = 2 * t, longer_loss, longer_grad
    return coef + t * direction, value, grad
