"""Sub-sampled Newton (``newton-subsampled``): the exact gradient, the Hessian from a sample.

For many samples and few coefficients (tall data) the exact Hessian costs ``n m^2`` a
step, several passes' worth, where a sample of rows estimates it well. This solver runs
``solvers.newton`` with the Hessian from ``SUBSAMPLE_ROWS_PER_COEF * m`` rows, drawn once
at random with a fixed seed and reweighted (``Objective.subset``: an unbiased estimate),
and the gradient and ``f`` from all of them, so each step costs about one pass over
``X`` and is nearly the exact Newton step. Its decrement, from the sampled Hessian, errs
either way by about ``sqrt(m / rows)``, so it is doubled before the stopping test.

Reference: Byrd, Chin, Neveitt and Nocedal, "On the use of stochastic Hessian information
in optimization methods for machine learning", SIAM J. Optim. 21 (2011); Roosta-Khorasani
and Mahoney, "Sub-sampled Newton methods", Math. Program. 174 (2019).
"""

from __future__ import annotations

from typing import Any

from log_reg.core.arrays import FloatArray
from log_reg.core.objective import Objective
from log_reg.solvers.newton import solve_newton
from log_reg.solvers.result import SolverResult

__all__ = ["SUBSAMPLE_ROWS_PER_COEF", "solve_newton_subsampled"]

#: Rows per coefficient of the sampled Hessian: enough that more rows save no step
#: (benchmarks/README.md).
SUBSAMPLE_ROWS_PER_COEF = 200


def solve_newton_subsampled(
    objective: Objective, coef0: FloatArray | None = None, **options: Any
) -> SolverResult:
    """``solve_newton`` (the same options) with the Hessian from
    ``SUBSAMPLE_ROWS_PER_COEF * n_coef`` random rows (its steps and passes against
    L-BFGS's: benchmarks/README.md).
    """
    rows = SUBSAMPLE_ROWS_PER_COEF * objective.n_coef
    return solve_newton(objective, coef0, hessian_rows=rows, **options)
