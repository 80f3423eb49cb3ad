"""L-BFGS first, Newton-CG if it is slow: the default for problems with many coefficients.

L-BFGS is the cheapest way down a well-conditioned objective: about one gradient (two
passes over ``X``) per iteration, and 10 to 50 iterations. On an ill-conditioned one
(collinear or badly scaled features, a weak penalty) it can crawl for hundreds. Newton-CG
converges in a handful of iterations whatever the conditioning, at several Hessian-vector
products (two passes each) per iteration. So: L-BFGS for at most ``lbfgs_budget``
iterations, and if that did not converge, Newton-CG from where it stopped. On an easy
problem this is L-BFGS; on a hard one the L-BFGS phase costs about one Newton-CG iteration
(the measurements: benchmarks/README.md).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_number
from log_reg.core.objective import Objective
from log_reg.solvers.lbfgs import solve_lbfgs
from log_reg.solvers.newton_cg import solve_newton_cg
from log_reg.solvers.result import Callback, SolverResult

__all__ = ["solve_hybrid"]


def solve_hybrid(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    tol: float = 1e-4,
    max_iter: int = 100,
    lbfgs_budget: int = 50,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimize a smooth ``objective``: L-BFGS, then Newton-CG if L-BFGS is slow.

    Parameters
    ----------
    objective, coef0, tol, callback
        As for ``solve_lbfgs``.
    max_iter : int >= 0
        Iterations at most, L-BFGS and Newton-CG together.
    lbfgs_budget : int >= 0
        L-BFGS iterations before switching to Newton-CG.

    Returns
    -------
    SolverResult
        ``n_iter`` counts both phases; ``message`` says which ran.

    Examples
    --------
    >>> from log_reg.core.objective import make_objective
    >>> f = make_objective(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 1, 0, 1])
    >>> result = solve_hybrid(f, tol=1e-8)
    >>> result.converged, result.message.split(":")[0]
    (True, 'lbfgs')
    """
    tol = check_number(tol, "tol", low=0)
    max_iter = check_int(max_iter, "max_iter", low=0)
    budget = min(check_int(lbfgs_budget, "lbfgs_budget", low=0), max_iter)
    # 1. L-BFGS, within its budget
    first = solve_lbfgs(objective, coef0, tol=tol, max_iter=budget, callback=callback)
    if first.converged or first.n_iter >= max_iter:
        return _relabel(first, "lbfgs")
    # 2. Newton-CG from there, with what is left of max_iter
    second = solve_newton_cg(
        objective,
        first.coef,
        tol=tol,
        max_iter=max_iter - first.n_iter,
        callback=_shifted(callback, first.n_iter),
    )
    history = np.concatenate([first.loss_history, second.loss_history])
    return SolverResult(
        second.coef,
        first.n_iter + second.n_iter,
        second.converged,
        f"lbfgs+newton-cg: {first.n_iter} L-BFGS iterations, then {second.message}",
        history,
        second.optimality,
    )


def _relabel(result: SolverResult, name: str) -> SolverResult:
    message = f"{name}: {result.message}"
    return SolverResult(
        result.coef,
        result.n_iter,
        result.converged,
        message,
        result.loss_history,
        result.optimality,
    )


def _shifted(callback: Callback | None, offset: int) -> Callback | None:
    """The callback, numbering the second phase's iterations after the first's."""
    if callback is None:
        return None
    return lambda info: callback(replace(info, iteration=info.iteration + offset))
