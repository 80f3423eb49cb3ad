"""L-BFGS: a quasi-Newton method that remembers the last ``m`` steps instead of a Hessian.

Each iteration moves along ``d = -H g``, where ``H`` approximates the inverse Hessian from
the pairs ``s_j = coef_{j+1} - coef_j``, ``y_j = g_{j+1} - g_j`` of the last ``m``
iterations. ``H`` is never formed: the two-loop recursion applies it to ``g`` in
``O(m n_coef)``, starting from ``H_0 = gamma I`` with ``gamma = s'y / y'y`` of the newest
pair (the inverse curvature along it). A strong Wolfe line search picks the step; its
curvature condition makes ``s'y > 0``, which keeps ``H`` positive definite. A pair with
``s'y <= eps y'y`` (curvature lost to rounding) is skipped rather than stored.

It stops when the gradient is small and so is the decrease ``-g'd / 2`` still predicted
along ``d`` (converged, see ``solvers.stopping``), or, not converged, at ``max_iter`` or
when the line search fails, or after ``_PATIENCE`` iterations in which ``f`` fell by no
more than its rounding error and the gradient reached no new low: the precision of the
dtype is spent (converged if the gradient is within ``tol`` by then). The message says
which, with the count of evaluations.

Only smooth objectives: with an L1 half use a solver that supports it. The pairs and the
two-loop scalars are kept in float64; the coefficients keep the objective's dtype.

Reference: Nocedal and Wright, *Numerical Optimization*, 2nd ed. (2006), Algorithms 7.4
(two-loop recursion) and 7.5 (L-BFGS), equation (7.20) for ``gamma``; Liu and Nocedal,
"On the limited memory BFGS method for large scale optimization", Math. Programming 45
(1989).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import numpy as np

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_number
from log_reg.core.objective import Objective
from log_reg.solvers.line_search import line_function, line_search_wolfe
from log_reg.solvers.result import Callback, IterationInfo, SolverResult
from log_reg.solvers.start import start_point
from log_reg.solvers.stopping import gap_tolerance, stop_reason

__all__ = ["solve_lbfgs"]

#: Rounding error of ``f``, relative, in units of its dtype's ``eps``: a line search treats
#: values closer than that as equal and lets the slopes decide.
_NOISE = 4.0
#: Iterations without progress (in ``f`` or in the gradient) after which L-BFGS gives up.
_PATIENCE = 5
#: The decrease ``-g'd / 2`` predicted from the inverse-Hessian estimate, which knows only the
#: curvature along recent steps, falls short of the true gap (by up to an order of magnitude
#: on the benchmark problems: benchmarks/README.md), so it is scaled up by this before the
#: stopping test.
_UNDERESTIMATE = 10.0

#: One remembered iteration: ``(s, y, rho = 1 / s'y)``, vectors in float64.
_Pair = tuple[FloatArray, FloatArray, float]


def solve_lbfgs(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    tol: float = 1e-4,
    max_iter: int = 100,
    memory: int = 10,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimize a smooth ``objective`` by L-BFGS with a strong Wolfe line search.

    Parameters
    ----------
    objective : Objective
        What to minimize (see ``log_reg.core.objective``); its penalty must have no L1 half.
    coef0 : ndarray of shape (n_coef,), optional
        Starting point; by default ``objective.start()``, the intercept-only model.
    tol : float >= 0
        Stop when ``objective.optimality`` (the largest gradient entry) is at most ``tol``
        and ten times the decrease ``-g'd / 2`` that the inverse-Hessian estimate predicts
        is below about ``tol / 100`` of ``f`` (``solvers.stopping``). That estimate knows
        only the curvature L-BFGS has seen: on ill-conditioned data it can be low (hence
        the factor ten, and "auto" finishing with Newton-CG there). Values of ``f`` stop
        telling points apart long before its gradient does (near the optimum ``f`` moves by
        ``|g|^2 / curvature``), so the line search lets the slopes decide there: gradients
        fall to about 1e-10 to 1e-17 in float64, 1e-5 to 1e-8 in float32. A ``tol`` below
        what the dtype allows ends after a few iterations without progress (converged
        only if the gradient is within ``tol``), and the message says so.
    max_iter : int >= 0
        Iterations (line searches) at most.
    memory : int >= 1
        Number ``m`` of ``(s, y)`` pairs kept.
    callback : callable, optional
        Called with an ``IterationInfo`` after each iteration.

    Returns
    -------
    SolverResult
        ``loss_history[0]`` is ``f(coef0)`` and ``loss_history[k]`` is ``f`` after
        iteration ``k``: ``n_iter + 1`` values, each no higher than the one before by more
        than rounding error. ``message`` says why it stopped (see the module docstring).

    Examples
    --------
    >>> from log_reg.core.objective import make_objective
    >>> f = make_objective(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 1, 0, 1])
    >>> result = solve_lbfgs(f, tol=1e-8)
    >>> result.converged, np.round(result.coef, 4)
    (True, array([ 0.9082, -1.3623]))
    """
    tol = check_number(tol, "tol", low=0)
    max_iter = check_int(max_iter, "max_iter", low=0)
    memory = check_int(memory, "memory", low=1)
    coef = _check_problem(objective, coef0)
    eps = float(np.finfo(objective.dtype).eps)  # the precision f and g are computed in

    value, grad = objective.loss_gradient(coef)
    optimality = objective.optimality(coef, grad)
    pairs: deque[_Pair] = deque(maxlen=memory)
    history, n_evals, n_iter = [value], 1, 0
    best, stalled = optimality, 0  # smallest optimality so far; iterations without progress
    while True:
        # 1. direction d = -H g; with no memory, -g and a first step of length 1
        g = grad.astype(np.float64)
        direction = (-_two_loop(g, pairs)).astype(objective.dtype)
        slope = float(g @ direction)  # phi'(0) = g'd
        if not slope < 0:  # rounding broke H's positive definiteness: start afresh
            pairs.clear()
            direction, slope = -grad, -float(g @ g)
        # 2. stop? the gradient is small and so is the predicted decrease -g'd / 2, scaled
        #    up by _UNDERESTIMATE (see solvers.stopping), or the budget is spent
        predicted = -0.5 * slope * _UNDERESTIMATE
        message = stop_reason(optimality, tol, predicted, value, objective.dtype)
        if message:
            converged = True
            break
        if n_iter == max_iter:
            message, converged = f"reached max_iter={max_iter} iterations", False
            if optimality <= tol:  # say why a small gradient was not enough
                message += (
                    f" with the gradient within tol but a predicted decrease of {predicted:.3g}"
                    f" above {gap_tolerance(tol, value, objective.dtype):.3g}"
                )
            break
        step0 = 1.0 if pairs else 1.0 / float(np.linalg.norm(g))
        # 3. line search along d: its last evaluation gives the new value and gradient
        phi = line_function(objective.loss_gradient, coef, direction)
        noise = _NOISE * eps * abs(value)  # rounding error of f: smaller changes are not seen
        search = line_search_wolfe(phi, value, slope, step0=step0, noise=noise)
        n_evals += search.n_evals
        if not search.success:
            message = f"the line search found no strong Wolfe step before tol={tol:g}"
            converged = False
            break
        new_coef = coef + search.step * direction
        # 4. remember the pair (s, y) if it carries curvature: s'y > eps y'y
        s = new_coef.astype(np.float64) - coef.astype(np.float64)
        y = search.gradient.astype(np.float64) - g
        if s @ y > eps * (y @ y):
            pairs.append((s, y, 1.0 / float(s @ y)))
        # 5. move and report
        decrease = value - search.value
        coef, value, grad = new_coef, search.value, search.gradient
        optimality = objective.optimality(coef, grad)
        n_iter += 1
        history.append(value)
        if callback is not None:
            callback(IterationInfo(n_iter, value, optimality))
        # 6. stop? no progress for a while: f fell by no more than its rounding error, and
        #    the gradient reached no new low
        progress = decrease > noise or optimality < best
        best, stalled = min(best, optimality), 0 if progress else stalled + 1
        if stalled >= _PATIENCE:
            # the precision is spent: converged if at least scikit-learn's rule holds
            converged = optimality <= tol
            message = f"stalled at machine precision {'after' if converged else 'before'} "
            message += f"tol={tol:g}: {_PATIENCE} iterations without a measurable decrease "
            message += "in f or a smaller gradient"
            break
    message += f"; {n_iter} iterations, {n_evals} evaluations, optimality {optimality:.3g}"
    return SolverResult(coef, n_iter, converged, message, np.array(history), optimality)


def _check_problem(objective: Objective, coef0: FloatArray | None) -> FloatArray:
    """The starting point (``start_point``); a ``ValueError`` for a penalty that is not smooth."""
    if not objective.penalty.is_smooth:
        raise ValueError(
            "solver 'lbfgs' handles no L1 penalty, nor any other that is not smooth; got "
            f"{objective.penalty!r}. Use a solver that supports L1 (see log_reg.solvers.SOLVERS)."
        )
    return start_point(objective, coef0)


def _two_loop(g: FloatArray, pairs: Iterable[_Pair]) -> FloatArray:
    """``H g`` for the L-BFGS inverse-Hessian estimate ``H`` (N&W Algorithm 7.4), float64.

    Newest pair first: ``a_j = rho_j s_j'q``, ``q <- q - a_j y_j``; then ``r = gamma q``;
    oldest first: ``b_j = rho_j y_j'r``, ``r <- r + (a_j - b_j) s_j``.
    """
    stored = list(pairs)
    if not stored:
        return g
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(stored):
        a = rho * float(s @ q)
        q -= a * y
        alphas.append(a)
    s, y, _ = stored[-1]
    r = (float(s @ y) / float(y @ y)) * q  # H_0 q = gamma q, gamma = s'y / y'y
    for (s, y, rho), a in zip(stored, reversed(alphas), strict=True):
        b = rho * float(y @ r)
        r += (a - b) * s
    return r
