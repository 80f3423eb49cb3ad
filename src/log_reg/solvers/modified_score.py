"""Firth's penalized likelihood maximized by Newton-type steps on the modified score.

The estimate solves ``U*(beta) = 0`` (``log_reg.core.firth``). Each iteration steps as
logistf does (Heinze and Schemper 2002),

    M d = U*,        beta <- beta + t d,

with ``M`` the point's step matrix (``FirthPoint.step_matrix``): the exact ``-d U*/d beta``
on small data, else the working information ``I~ = I + C`` of the augmented data
(firthmodels' choice; logistf's ``I`` is a little further from the Hessian). A fit that
starts near its answer (the restricted fits of the tests) may keep the penalty's part
``C`` of one ``reference`` point: each step then costs one Gram product fewer. The step is capped so
that no coefficient moves by more than ``max_step`` (logistf's ``maxstep``: a far-out
step on separated data lands where probabilities are 0 or 1 and ``I`` is singular), and
``t`` is the first of ``1, 1/2, 1/4, ...`` (``max_halvings`` tries) that does not lower
``l*`` beyond its rounding error. With ``I~`` the error shrinks by a factor of order
``p/n`` per step; with the exact Hessian it squares.

Some coefficients can be held fixed (``free``): the restricted fits of the penalized
likelihood-ratio tests (``inference.profile``) keep ``beta_j = 0`` and maximize over the
rest, with the penalty of the *full* model, as logistf does. The step is then the free
block's, ``M_ff d_f = U*_f``.

**Stopping.** At ``beta`` the step ``d`` estimates the remaining error; the fit stops when
``|d_j| <= tol max(1, |beta_j|)`` for every free ``j``, at the point evaluated last. A fit
that only needs the *value* of the maximum (a likelihood-ratio test) can stop on the
predicted gain instead, ``U*_f^T d_f / 2 <= gain_tol``: the value errs by the square of
the coefficients' error, and ``l* + gain`` only by the quadratic model's error in the
gain, a fraction of it. A singular ``I`` at the start (linearly dependent columns of
``X``, or too few rows of positive weight) is a ``ValueError``.

The solver maximizes a ``FirthLikelihood``, not an ``Objective``, so it is not a row of the
registry (``log_reg.solvers``): ``FirthLogisticRegression`` calls it directly. Its result
is a ``SolverResult`` with the value ``l*`` and the predicted ``gain`` at ``coef`` on top;
``loss_history`` holds ``-l*`` at every iterate (a loss, to minimize, as every solver's),
the last at ``coef``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_number
from log_reg.core.firth import FirthLikelihood, FirthPoint
from log_reg.solvers.result import Callback, IterationInfo, SolverResult

__all__ = ["ModifiedScoreResult", "solve_modified_score"]


@dataclass(frozen=True, eq=False)
class ModifiedScoreResult(SolverResult):
    """A ``SolverResult`` with ``value = l*(coef)`` and ``gain = U*_f^T d_f / 2`` there: the
    rise of ``l*`` that one more step predicts (``value + gain`` estimates the maximum)."""

    value: float
    gain: float


def solve_modified_score(
    likelihood: FirthLikelihood,
    coef0: ArrayLike | None = None,
    *,
    free: ArrayLike | None = None,
    reference: FirthPoint | None = None,
    tol: float = 1e-10,
    gain_tol: float = 0.0,
    max_iter: int = 100,
    max_step: float = 5.0,
    max_halvings: int = 25,
    callback: Callback | None = None,
) -> ModifiedScoreResult:
    """Maximize ``l*(beta)`` over the free coefficients (module docstring).

    Parameters
    ----------
    likelihood : FirthLikelihood
    coef0 : ndarray of shape (p,), optional
        The start (zeros by default); coefficients that are not free keep its values.
    free : boolean ndarray of shape (p,), optional
        Which coefficients to fit; all by default.
    reference : FirthPoint, optional
        The point whose penalty curvature the step matrices take (module docstring);
        every point its own by default.
    tol : float >= 0
        Stop when every free step entry is at most ``tol max(1, |beta_j|)``.
    gain_tol : float >= 0
        Or when the predicted gain ``U*_f^T d_f / 2`` is at most ``gain_tol``.
    max_iter : int >= 0
        Steps at most.
    max_step : float > 0
        The largest change of one coefficient in one step.
    max_halvings : int >= 0
        Step halvings at most per iteration.
    callback : callable, optional
        Called with an ``IterationInfo`` (``loss`` is ``-l*``) after each step.

    Returns
    -------
    ModifiedScoreResult
        ``optimality`` is the largest entry of the free part of ``U*`` at ``coef``.

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])  # separated by x
    >>> f = FirthLikelihood(X, np.array([0.0, 0.0, 1.0, 1.0]), np.ones(4))
    >>> result = solve_modified_score(f)
    >>> result.converged, np.round(result.coef, 6)  # finite: log(25), -log(5)
    (True, array([ 3.218876, -1.609438]))
    """
    tol = check_number(tol, "tol", low=0)
    gain_tol = check_number(gain_tol, "gain_tol", low=0)
    max_iter = check_int(max_iter, "max_iter", low=0)
    max_step = check_number(max_step, "max_step", low=0, low_inclusive=False)
    max_halvings = check_int(max_halvings, "max_halvings", low=0)
    p = likelihood.n_coef
    beta = np.zeros(p) if coef0 is None else np.array(coef0, dtype=np.float64)
    mask = np.ones(p, dtype=bool) if free is None else np.asarray(free, dtype=bool)
    if beta.shape != (p,) or mask.shape != (p,):
        raise ValueError(
            f"coef0 and free must have shape ({p},), one entry per column of the design; "
            f"got {beta.shape} and {mask.shape}."
        )
    point = likelihood.at(beta)
    if not np.isfinite(point.value):
        raise ValueError(
            "The Fisher information is singular at the start: the columns of X (with the "
            "intercept's) are linearly dependent or nearly so (drop or rescale some), or too "
            "few rows have a positive weight."
        )
    history = [-point.value]
    message, converged = f"reached max_iter={max_iter} steps", False
    for step in range(max_iter + 1):
        # 1. direction: M_ff d_f = U*_f on the free block, and the gain it predicts
        direction = _direction(point, reference, mask)
        gain = 0.5 * float(point.score @ direction)
        # 2. stop? the step, which estimates the remaining error, is below tol, or the gain
        #    below gain_tol
        if np.all(np.abs(direction) <= tol * np.maximum(1.0, np.abs(point.beta))):
            message, converged = f"converged: steps below tol={tol:g}", True
            break
        if gain <= gain_tol:
            message, converged = f"converged: predicted gain below gain_tol={gain_tol:g}", True
            break
        if step == max_iter:
            break
        # 3. cap: no coefficient moves by more than max_step
        largest = float(np.max(np.abs(direction)))
        if largest > max_step:
            direction = direction * (max_step / largest)
        # 4. step halving: the first t = 1, 1/2, ... that does not lower l*
        found = _halve(likelihood, point, direction, max_halvings)
        if found is None:
            message = (
                f"step halving failed at step {step + 1}: no t = 1, 1/2, ..., "
                f"2^-{max_halvings} kept the penalized log-likelihood from falling"
            )
            break
        point = found
        history.append(-point.value)
        if callback is not None:
            callback(IterationInfo(step + 1, -point.value, _optimality(point, mask)))
    optimality = _optimality(point, mask)
    return ModifiedScoreResult(
        point.beta, step, converged, message, np.array(history), optimality, point.value, gain
    )


def _direction(point: FirthPoint, reference: FirthPoint | None, free: FloatArray) -> FloatArray:
    """The step ``d`` (p,): ``M_ff d_f = U*_f``, zero where the coefficient is fixed."""
    d = np.zeros_like(point.beta)
    M = point.step_matrix(reference)
    if not free.all():
        M = M[np.ix_(free, free)]
    d[free] = np.linalg.solve(M, point.score[free])
    return d


def _halve(
    likelihood: FirthLikelihood, point: FirthPoint, direction: FloatArray, max_halvings: int
) -> FirthPoint | None:
    """The first ``beta + t d``, ``t = 1, 1/2, ...``, whose ``l*`` is not below ``point``'s
    by more than rounding (``FirthPoint.rounding``); the full step when the gain it
    predicts is below rounding itself: near the estimate ``l*`` cannot tell."""
    floor = point.value - point.rounding
    if 0.5 * float(point.score @ direction) <= point.rounding:
        return likelihood.at(point.beta + direction)
    t = 1.0
    for _ in range(max_halvings + 1):
        trial = likelihood.at(point.beta + t * direction)
        if trial.value >= floor:
            return trial
        t *= 0.5
    return None


def _optimality(point: FirthPoint, free: FloatArray) -> float:
    """The largest free entry of ``U*``."""
    return float(np.max(np.abs(point.score[free]), initial=0.0))
