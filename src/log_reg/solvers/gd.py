"""Batch gradient descent: the teaching script's algorithm, on any objective.

Each iteration takes one step down the full gradient of the smooth part,

    coef <- prox(coef - lr * grad f(coef), lr)

where ``prox`` is the proximal step of the penalty's non-smooth half (soft-thresholding,
for an L1 half: proximal gradient descent, ISTA) and does nothing for a smooth penalty.
With ``lr <= 1/L`` (``L`` the curvature bound ``objective.lipschitz()``) each step lowers
``f``; ``lr=None`` uses exactly ``1/L``. The script's early stopping is kept: with
``patience=k`` the loop stops once the loss has not improved for ``k`` iterations in a row.

Reference: Nesterov, *Lectures on Convex Optimization* (2018), section 2.1.5; Beck and
Teboulle (2009) for the proximal step.
"""

from __future__ import annotations

import numpy as np

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_number
from log_reg.core.objective import Objective
from log_reg.solvers.result import Callback, IterationInfo, SolverResult
from log_reg.solvers.start import start_point

__all__ = ["solve_gd"]


def solve_gd(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    lr: float | None = None,
    tol: float = 1e-4,
    max_iter: int = 1000,
    patience: int | None = None,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimize ``objective`` by (proximal) batch gradient descent.

    Parameters
    ----------
    objective : Objective
        What to minimize (see ``log_reg.core.objective``).
    coef0 : ndarray of shape (n_coef,), optional
        Starting point; by default ``objective.start()``, the intercept-only model.
    lr : float > 0, optional
        Step size; ``1 / objective.lipschitz()`` when ``None``.
    tol : float >= 0
        Stop when ``objective.optimality`` (the largest gradient entry) is at most ``tol``.
    max_iter : int >= 1
        Number of steps at most (the script's ``epochs``).
    patience : int >= 1, optional
        Stop after this many iterations without a lower loss (the script's early stopping).
    callback : callable, optional
        Called with an ``IterationInfo`` after each iteration.

    Returns
    -------
    SolverResult
        ``loss_history[t]`` is ``f`` before step ``t + 1``.

    Examples
    --------
    >>> from log_reg.core.objective import make_objective
    >>> f = make_objective(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 1, 0, 1])
    >>> result = solve_gd(f, tol=1e-8, max_iter=10_000)
    >>> result.converged, np.round(result.coef, 4)
    (True, array([ 0.9082, -1.3623]))
    """
    tol = check_number(tol, "tol", low=0)
    max_iter = check_int(max_iter, "max_iter", low=0)
    if patience is not None:
        patience = check_int(patience, "patience", low=1)
    if lr is None:
        lr = 1.0 / objective.lipschitz()
    lr = check_number(lr, "lr", low=0, low_inclusive=False)

    coef = start_point(objective, coef0)  # inside the bounds, if any
    smooth_only = objective.penalty.is_smooth
    history: list[float] = []
    best, since_best = np.inf, 0
    for step in range(max_iter + 1):
        # 1. value and gradient of the smooth part (the reported loss includes the rest)
        smooth, grad = objective.loss_gradient(coef)
        loss = smooth if smooth_only else objective.value(coef)
        optimality = objective.optimality(coef, grad)
        if callback is not None and step > 0:  # the state after `step` iterations
            callback(IterationInfo(step, loss, optimality))
        if step == max_iter:  # evaluated only to report where the last step landed
            message, converged = f"reached max_iter={max_iter} steps", optimality <= tol
            break
        history.append(loss)
        # 2. stop? the gradient is small enough
        if optimality <= tol:
            message, converged = f"optimality {optimality:.3g} <= tol={tol:g}", True
            break
        # 3. stop? the script's early stopping: no lower loss for `patience` iterations
        best, since_best = (loss, 0) if loss < best else (best, since_best + 1)
        if patience is not None and since_best >= patience:
            message, converged = f"no lower loss for patience={patience} iterations", False
            break
        # 4. step: coef <- prox(coef - lr * grad)
        coef = objective.prox(coef - lr * grad, lr)
    return SolverResult(coef, step, converged, message, np.array(history), optimality)
