"""Proximal Newton with coordinate descent inside: newGLMNET, for L1 and the elastic net.

Write ``f = s + h``: ``s`` the smooth part (loss + the penalty's smooth half, see
``objective``'s Conventions) and ``h`` the penalty's non-smooth half, separable (for the
elastic net ``h = lam ||.||_1`` with ``lam = alpha r v_j`` on penalized entries, 0 on
intercepts). Each outer iteration replaces ``s`` by its quadratic model at ``x`` and
minimizes that model plus ``h`` over the step ``d``,

    min_d  q(d) + h(x + d),      q(d) = g^T d + d^T H d / 2,

with ``g`` and ``H`` the gradient and dense Hessian of ``s`` at ``x``. The inner problem
is solved by cyclic coordinate descent: with the others fixed, coordinate ``j`` of
``z = x + d`` has the closed-form minimizer

    z_j <- prox_j(z_j - (g + H d)_j / H_jj,  step 1 / H_jj),

the proximal step of ``h_j`` (``soft_threshold(v, lam_j / H_jj)`` for the elastic net),
clipped into ``[lower_j, upper_j]`` when the coefficients are boxed (the one-dimensional
problem is convex, so the clipped value is its constrained minimizer:
``objective.coordinate_prox``),

and ``H d`` is kept current by adding ``delta * H[j]`` after each change. The unpenalized
intercepts are first eliminated from the model exactly (see ``_newton_direction``), so
features far from zero mean do not slow the sweeps. The inner loop
stops once the model's optimality falls to ``eta * optimality(x)`` with the forcing term
``eta = min(0.5, sqrt(optimality(x)))``: loose far from the solution, tight near it, which
keeps the outer convergence superlinear (but never tighter than ``tol / 10``, which would
buy nothing). A backtracking line search on the full ``f`` then halves ``t`` from 1 until

    f(x + t d) <= f(x) + sigma t Delta,   Delta = g^T d + h(x + d) - h(x),

with ``sigma = 0.01`` (``line_search_armijo``). Shrinking: a coordinate whose
subdifferential holds 0 well inside (by more than the last iteration's optimality; for
the elastic net, a coefficient at zero with ``|g_j| < lam_j``) is left out of the inner
problem; it would stay where it is anyway, and the Hessian is computed for the working
set alone (the features with a coefficient left in), at a cost that shrinks with it. With
``h = 0`` the method is Newton's, with coordinate descent as the linear solver. ``H`` is
``n_coef x n_coef`` and dense: memory grows as ``n_coef^2`` and each Hessian costs
``O(n n_coef^2)``, so this solver is for up to a few thousand coefficients.

Reference: Yuan, Ho and Lin, "An Improved GLMNET for L1-regularized Logistic Regression",
JMLR 13 (2012), 1999-2030; forcing term from Nocedal and Wright, *Numerical
Optimization* (2006), theorem 7.2.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_number
from log_reg.core.objective import Objective
from log_reg.solvers.line_search import line_search_armijo
from log_reg.solvers.result import Callback, IterationInfo, SolverResult
from log_reg.solvers.start import start_point

__all__ = ["solve_cd"]

SIGMA = 0.01  # sufficient-decrease fraction of the line search
MAX_HALVINGS = 30  # t = 1, 1/2, ..., 2^-29
CURVATURE_FLOOR = 1e-12  # relative to the largest H_jj: keeps 1 / H_jj finite
PATIENCE = 5  # steps without measurable progress before giving up on an unreachable tol
DAMPING = (0.0, 1e-4, 1e-2, 1.0)  # mu, relative to max H_jj, tried when a step fails


def _newton_direction(
    objective: Objective,
    grad: FloatArray,
    H: FloatArray,
    coef: FloatArray,
    active: NDArray[np.bool_],
    inner_tol: float,
    max_inner: int,
    kept: NDArray[np.intp],
) -> FloatArray:
    """The step ``d`` minimizing the quadratic model + ``h``, intercepts eliminated first.

    ``H`` is the Hessian's block for the coefficients ``kept`` (the working set); every
    other entry of ``d`` is 0.

    An unpenalized intercept is strongly coupled to every feature whose mean is far from 0,
    and coordinate descent crawls along such couplings. Minimizing over the intercept block
    ``I`` exactly, for any step ``d_F`` of the other entries, gives
    ``d_I = -H_II^+ (g_I + H_IF d_F)``; putting it back leaves a model in ``d_F`` alone,
    with the Schur complement ``S = H_FF - H_FI H_II^+ H_IF`` (the curvature of centered
    features) and gradient ``g_F - H_FI H_II^+ g_I``. Exact, and it costs ``O(n_coef^2)``.
    """
    step = np.zeros_like(coef)
    grad, coef, active = grad[kept], coef[kept], active[kept]
    b_ = objective.penalized_mask()[kept] == 0  # the intercept block I
    w_ = ~b_  # the rest, F
    if b_.any():
        with np.errstate(all="ignore"):  # near-saturated fits: checked just below
            H_II_pinv = np.linalg.pinv(H[np.ix_(b_, b_)])  # softmax intercepts are free
            B = H_II_pinv @ H[np.ix_(b_, w_)]  # H_II^+ H_IF
            S = H[np.ix_(w_, w_)] - H[np.ix_(w_, b_)] @ B
            d = np.zeros_like(coef)
            g_w = grad[w_] - B.T @ grad[b_]
            d[w_] = _coordinate_descent(
                objective, kept[w_], g_w, S, coef[w_], active[w_], inner_tol, max_inner
            )
            d[b_] = -H_II_pinv @ (grad[b_] + H[np.ix_(b_, w_)] @ d[w_])
        if np.all(np.isfinite(d)):
            step[kept] = d
            return step
        # The elimination needs H_II^+; when the intercepts' curvature has all but vanished
        # (probabilities saturated at 0 or 1) it amplifies rounding: use the plain model.
    step[kept] = _coordinate_descent(objective, kept, grad, H, coef, active, inner_tol, max_inner)
    return step


def _working_set(
    objective: Objective, active: NDArray[np.bool_]
) -> tuple[NDArray[np.intp] | None, NDArray[np.intp]]:
    """The features with an active coefficient in some class (``None``: all of them), and
    the positions in ``coef`` of their coefficients and the intercepts."""
    d = objective.n_features
    in_use = active.reshape(objective.coef_shape)[:, :d].any(axis=0)
    if in_use.all():
        return None, np.arange(objective.n_coef)
    features = np.flatnonzero(in_use)
    return features, objective.coefficient_indices(features)


def _coordinate_descent(
    objective: Objective,
    at: NDArray[np.intp],
    grad: FloatArray,
    H: FloatArray,
    coef: FloatArray,
    active: NDArray[np.bool_],
    inner_tol: float,
    max_inner: int,
) -> FloatArray:
    """Cyclic coordinate descent on ``q(d) + h(coef + d)`` over the ``active`` entries.

    ``grad``, ``H`` and ``coef`` belong to the coefficients at positions ``at`` of the
    objective's ``coef``, whose penalty and bounds ``objective.coordinate_prox`` applies.
    Zero curvatures are raised to ``CURVATURE_FLOOR * max_j H_jj``, so such a coordinate
    still takes its proximal step: under L1 it stays put unless its gradient beats ``lam_j``.
    """
    diag = np.diagonal(H)
    top = float(diag.max(initial=0.0))
    curvature = np.maximum(diag, CURVATURE_FLOOR * top if top > 0 else 1.0)
    step = 1 / curvature  # each coordinate's proximal step
    prox = objective.coordinate_prox(at)
    d = np.zeros_like(coef)
    Hd = np.zeros_like(coef)  # H @ d, updated a column at a time
    for _ in range(max_inner):
        # 1. one sweep: each coordinate to its minimizer with the others fixed
        for j in np.flatnonzero(active):
            z = coef[j] + d[j]
            z_new = prox(j, z - (grad[j] + Hd[j]) / curvature[j], step[j])
            if z_new != z:
                d[j] += z_new - z
                Hd += (z_new - z) * H[j]  # H is symmetric: row j is column j
        # 2. stop? the model's optimality over the active entries (the others count 0)
        violation = objective.violation(coef + d, grad + Hd, at)
        if np.max(np.where(active, violation, 0), initial=0.0) <= inner_tol:
            break
    return d


def _line_search(
    objective: Objective,
    coef: FloatArray,
    d: FloatArray,
    loss: float,
    decrease: float,
    optimality: float,
) -> tuple[FloatArray, float] | None:
    """First ``x + t d``, ``t = 1, 1/2, ...``, with sufficient decrease; ``None`` if none.

    Near the solution ``sigma t Delta`` can fall below the rounding error of ``f``; then a
    step that changes ``f`` only at rounding level is taken if it lowers the ``optimality``
    of ``coef``.
    """

    def phi(t: float) -> tuple[float, FloatArray]:  # f on the ray, and the point
        trial = coef + t * d
        return objective.value(trial), trial

    def progress(trial: FloatArray) -> bool:
        return objective.optimality(trial, objective.gradient(trial)) < optimality

    rounding = 100 * np.finfo(objective.dtype).eps * abs(loss)
    found = line_search_armijo(
        phi,
        loss,
        decrease,
        c1=SIGMA,
        max_evals=MAX_HALVINGS,
        rounding=float(rounding),
        progress=progress,
    )
    return None if found is None else (found.at, found.value)


def solve_cd(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    tol: float = 1e-4,
    max_iter: int = 100,
    max_inner: int = 100,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimize ``objective`` by proximal Newton steps found by coordinate descent (newGLMNET).

    Parameters
    ----------
    objective : Objective
        What to minimize (see ``log_reg.core.objective``); any penalty, binary or multinomial.
    coef0 : ndarray of shape (n_coef,), optional
        Starting point; by default ``objective.start()``, the intercept-only model.
    tol : float >= 0
        Stop when ``objective.optimality`` (the largest entry of the minimum-norm
        subgradient: the violation of the optimality conditions) is at most ``tol``.
    max_iter : int >= 1
        Outer (Newton) iterations at most.
    max_inner : int >= 1
        Coordinate-descent sweeps per outer iteration at most.
    callback : callable, optional
        Called with an ``IterationInfo`` after each outer iteration.

    Returns
    -------
    SolverResult
        ``loss_history[t]`` is ``f`` (L1 half included) before Newton step ``t + 1``.

    Examples
    --------
    >>> from log_reg.core.objective import make_objective
    >>> from log_reg.core.penalty import l1
    >>> X = np.array([[-2.0, 1], [-1, -1], [0, 1], [1, -1], [2, 1], [3, -1]])
    >>> f = make_objective(X, [0, 1, 0, 0, 1, 1], penalty=l1(0.15))
    >>> result = solve_cd(f, tol=1e-10)
    >>> result.converged, np.round(result.coef, 4)  # the second weight is exactly zero
    (True, array([ 0.3884,  0.    , -0.1942]))
    """
    tol = check_number(tol, "tol", low=0)
    max_iter = check_int(max_iter, "max_iter", low=0)
    max_inner = check_int(max_inner, "max_inner", low=1)
    coef = start_point(objective, coef0)  # inside the bounds, if any
    loss = objective.value(coef)
    history: list[float] = []
    previous = np.inf  # last iteration's optimality, for shrinking
    best, stalled = np.inf, 0  # smallest optimality so far; steps without progress
    for step in range(max_iter + 1):
        # 1. gradient of the smooth part, and how far from optimal
        grad = objective.gradient(coef)
        optimality = objective.optimality(coef, grad)
        if callback is not None and step > 0:  # the state after `step` iterations
            callback(IterationInfo(step, loss, optimality))
        if step == max_iter:  # evaluated only to report where the last step landed
            message, converged = f"reached max_iter={max_iter} Newton steps", optimality <= tol
            break
        history.append(loss)
        # 2. stop? the optimality conditions hold to tol
        if optimality <= tol:
            message, converged = f"optimality {optimality:.3g} <= tol={tol:g}", True
            break
        # 3. direction: minimize the quadratic model + h by coordinate descent, over the
        #    working set: the features with an active coefficient (the Hessian of those alone);
        #    shrinking leaves out the coefficients whose subdifferential holds 0 well inside
        lo, hi = objective.subdifferential(coef, grad)
        active = ~((-lo > previous) & (hi > previous))
        features, kept = _working_set(objective, active)
        H = objective.hessian(coef, features)
        inner_tol = max(min(0.5, np.sqrt(optimality)) * optimality, 0.1 * tol)  # forcing term
        # 4. line search on f = s + h; if the model misleads (a nearly singular H far
        #    from the optimum), damp it, H + mu I, towards a proximal gradient step
        accepted, top = None, float(np.max(np.diagonal(H), initial=0.0)) or 1.0
        h = objective.nonsmooth_value(coef)
        for mu in DAMPING:
            H_mu = H + mu * top * np.eye(len(H)) if mu else H
            d = _newton_direction(objective, grad, H_mu, coef, active, inner_tol, max_inner, kept)
            decrease = float(grad @ d) + objective.nonsmooth_value(coef + d) - h  # Delta
            accepted = _line_search(objective, coef, d, loss, decrease, optimality)
            if accepted is not None:
                break
        if accepted is None:
            message, converged = (
                f"line search found no decrease at optimality {optimality:.3g} > tol={tol:g}: "
                "tol is likely below what rounding allows",
                False,
            )
            break
        # 5. stop? no progress for a while: f moved only at rounding level, and the
        #    optimality reached no new low (tol is below what the dtype can resolve)
        (new_coef, new_loss), previous = accepted, optimality
        rounding = 100 * np.finfo(objective.dtype).eps * abs(loss)
        progress = loss - new_loss > rounding or optimality < best
        best, stalled = min(best, optimality), 0 if progress else stalled + 1
        coef, loss = new_coef, new_loss
        if stalled >= PATIENCE:
            message, converged = (
                f"stalled at optimality {optimality:.3g} > tol={tol:g}: {PATIENCE} steps "
                "without a measurable decrease; tol is below what rounding allows",
                False,
            )
            break
    return SolverResult(coef, step, converged, message, np.array(history), optimality)
