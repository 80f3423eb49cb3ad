"""Profile penalized-likelihood intervals and penalized likelihood-ratio tests, coefficient
by coefficient, as logistf reports them (Heinze and Schemper 2002).

Both compare the penalized log-likelihood ``l*`` of ``log_reg.core.firth`` at the estimate
``beta^`` with its maximum when one coefficient is held fixed; the penalty is always the
*full* model's, ``tau log det I(beta)`` with every column of ``X``, as in logistf.

**Penalized likelihood-ratio test** of ``beta_j = 0``:

    LR_j = 2 (l*(beta^) - max_{beta_j = 0} l*(beta))  ~  chi2(1),

the restricted maximum fitted by ``solvers.modified_score`` with ``beta_j`` held at 0,
from the restricted maximum of the quadratic model at ``beta^``, ``beta^ - beta^_j g / g_j``
with ``g = M^-1 e_j``, or from the profile path once the interval is known
(``profile_path_start``). Only its value matters, which errs by the square of the
coefficients' error: the fit stops once the next step's predicted gain is below
``gain_tol`` and adds that gain to ``l*``.

**Profile interval** at level ``1 - alpha``: the ``b`` with
``2 (l*(beta^) - max_{beta_j = b} l*) <= chi2_{1, 1 - alpha}``. Its ends are the smallest
and largest ``beta_j`` on the level set ``l*(beta) = l0 = l*(beta^) - chi2_{1, 1-alpha} / 2``
at which the other coefficients maximize ``l*``: the solutions of

    U*_k(beta) = 0  for k != j,        l*(beta) = l0.

They are found as logistf finds them (the method of Venzon and Moolgavkar 1988 in its
Lagrangian form): at ``beta``, with ``U = U*(beta)`` and ``M`` the step matrix there
(``FirthPoint.step_matrix``: the exact Hessian on small data, else ``I(beta)`` plus the
penalty's curvature at the estimate, a Gram product saved per step), the quadratic
model of ``l*`` is stationary along every coordinate but ``j`` at ``beta + d``,
``d = M^-1 (U + lambda e_j)``, and reaches ``l0`` there when

    lambda^2 = (2 (l*(beta) - l0) + U^T M^-1 U) / (M^-1)_jj,

``lambda > 0`` for the upper end, ``< 0`` for the lower. From ``beta^`` (where ``U = 0``)
the first step lands on the Wald bound of the quadratic model; each later one corrects
for ``l*`` not being quadratic. A step is capped at ``max_step`` per coefficient; where it
lands further from ``l0`` than it started, and by more than a tenth of ``chi2 / 2``
(far from quadratic: separated data), it is halved, up to ``max_halvings`` times.

Each step predicts the bound, ``b = beta_j + d_j``, and the predictions converge
geometrically (the other coefficients' error enters ``b`` only squared): the latest errs
by about its last change ``c`` times the ratio ``r`` of the last two changes. The bound
is ``b`` as soon as ``c min(1, r) <= tol max(|b|, se_j / 100)``, once three predictions
follow each other without a shortened step (two evaluations at the least), with ``se_j``
the Wald standard error of the quadratic model (the interval's scale, for bounds near 0).
A bound that does not converge within ``max_iter`` steps is ``nan``
(``ProfileBound.converged`` says so).

References: Heinze, G. and Schemper, M. (2002), Statistics in Medicine 21, 2409-2419;
Venzon, D. J. and Moolgavkar, S. H. (1988), A method for computing profile-likelihood-based
confidence intervals, Applied Statistics 37, 87-94.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_choice, check_int, check_number
from log_reg.core.firth import FirthPoint
from log_reg.inference.distributions import chi2_sf, norm_ppf
from log_reg.inference.summary import ChiSquareTest
from log_reg.solvers.modified_score import ModifiedScoreResult, solve_modified_score

__all__ = [
    "ProfileBound",
    "penalized_lr_test",
    "profile_bound",
    "profile_path_start",
    "restricted_maximum",
]

#: The restricted fits stop when one more step would raise ``l*`` by at most this
RESTRICTED_GAIN_TOL = 1e-5
#: A profile step is halved only if it lands further from ``l0`` than the point it left and
#: than this fraction of ``chi2 / 2``: near the level set ``l*`` is nearly quadratic
_NEAR = 0.1
#: A profile bound's relative error, as estimated from the contraction of its steps
PROFILE_TOL = 1e-6


@functools.lru_cache(maxsize=16)
def _critical(alpha: float) -> float:
    """``z_{1 - alpha/2}``; asked once per bound, and the quantile is not free."""
    return -float(norm_ppf(alpha / 2))


@dataclass(frozen=True, eq=False)
class ProfileBound:
    """One end of a profile interval: ``value`` (``nan`` unless ``converged``), its steps, and
    ``coef`` (p,), the point of the level set ``l* = l0`` there (``None`` unless converged)."""

    value: float
    converged: bool
    n_iter: int
    coef: FloatArray | None = None


def restricted_maximum(
    estimate: FirthPoint,
    fixed: ArrayLike,
    *,
    start: FloatArray | None = None,
    gain_tol: float = RESTRICTED_GAIN_TOL,
    max_iter: int = 100,
) -> float:
    """``max l*`` with the ``fixed`` coefficients (boolean mask (p,)) held at 0.

    The start is ``start`` if given (``profile_path_start``), else the restricted maximum
    of the quadratic model of ``l*`` at the estimate: ``beta^ - G_.f (G_ff)^-1 beta^_f``
    with ``G = M^-1`` (the step matrix) and ``f`` the fixed block. The fit stops once the
    next step would gain at most ``gain_tol``, and that gain is added. Returns ``nan`` if
    the restricted fit does not converge.

    Examples
    --------
    >>> from log_reg.core.firth import FirthLikelihood
    >>> X = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    >>> f = FirthLikelihood(X, np.array([0.0, 0.0, 1.0, 1.0]), np.ones(4))
    >>> estimate = f.at([np.log(25), -np.log(5)])  # Firth's estimate
    >>> round(restricted_maximum(estimate, np.array([True, False])), 6)  # slope 0
    -3.465736
    """
    f = estimate.likelihood
    held = np.asarray(fixed, dtype=bool)
    free = np.logical_not(held)
    if not free.any():
        return f.at(np.zeros(f.n_coef)).value

    def fit(start: FloatArray) -> ModifiedScoreResult:
        start = np.where(held, 0.0, start)
        return solve_modified_score(
            f,
            start,
            free=free,
            reference=estimate,
            tol=0.0,
            gain_tol=gain_tol,
            max_iter=max_iter,
        )

    if start is None:
        G = estimate.step_covariance
        shift = G[:, held] @ np.linalg.solve(G[np.ix_(held, held)], estimate.beta[held])
        start = estimate.beta - shift
    try:
        result = fit(start)
    except ValueError:  # the quadratic model led where I is singular: start plainly
        result = fit(estimate.beta)
    return result.value + result.gain if result.converged else math.nan


def profile_path_start(
    estimate: FirthPoint, j: int, lower: ProfileBound, upper: ProfileBound
) -> FloatArray | None:
    """Where the profile path, through the interval's two ends and the estimate, crosses
    ``beta_j = 0``: a start for the restricted fit of the test of ``beta_j = 0``.

    Along the path the other coefficients maximize ``l*`` for each ``beta_j = b``; it is
    smooth in ``b``, and the profile intervals have found three of its points. A quadratic
    in ``b`` through them, at ``b = 0``, starts far closer than the quadratic model at the
    estimate alone. ``None`` where an end did not converge or 0 lies more than the
    interval's width outside it (extrapolation is no guide there).
    """
    if lower.coef is None or upper.coef is None:
        return None
    nodes = np.array([lower.value, estimate.beta[j], upper.value])  # b of the 3 points
    width = nodes[2] - nodes[0]
    if not (width > 0 and nodes[0] - width <= 0.0 <= nodes[2] + width):
        return None
    # Lagrange's basis at b = 0: sum_k w_k = 1 and sum_k w_k b_k = 0
    w = [np.prod([-nodes[m] / (nodes[k] - nodes[m]) for m in range(3) if m != k]) for k in range(3)]
    start = w[0] * lower.coef + w[1] * estimate.beta + w[2] * upper.coef
    start[j] = 0.0
    return start


def penalized_lr_test(
    estimate: FirthPoint,
    j: int,
    *,
    start: FloatArray | None = None,
    gain_tol: float = RESTRICTED_GAIN_TOL,
    max_iter: int = 100,
) -> ChiSquareTest:
    """The penalized likelihood-ratio test of ``beta_j = 0`` (module docstring).

    ``start``, ``gain_tol`` and ``max_iter`` go to ``restricted_maximum``. A restricted fit
    that does not converge gives a ``nan`` statistic and p-value.

    Examples
    --------
    >>> from log_reg.core.firth import FirthLikelihood
    >>> X = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    >>> f = FirthLikelihood(X, np.array([0.0, 0.0, 1.0, 1.0]), np.ones(4))
    >>> print(penalized_lr_test(f.at([np.log(25), -np.log(5)]), 0))
    chi2(1) = 2.9110, p-value = 0.08798
    """
    fixed = np.zeros(estimate.likelihood.n_coef, dtype=bool)
    fixed[j] = True
    restricted = restricted_maximum(
        estimate, fixed, start=start, gain_tol=gain_tol, max_iter=max_iter
    )
    statistic = max(0.0, 2.0 * (estimate.value - restricted))
    if math.isnan(restricted):
        return ChiSquareTest(math.nan, 1, math.nan)
    return ChiSquareTest(statistic, 1, float(chi2_sf(statistic, 1)))


def profile_bound(
    estimate: FirthPoint,
    j: int,
    side: str,
    *,
    alpha: float = 0.05,
    tol: float = PROFILE_TOL,
    max_iter: int = 100,
    max_step: float = 5.0,
    max_halvings: int = 25,
) -> ProfileBound:
    """The ``side`` ("lower" or "upper") end of the profile interval of ``beta_j``.

    Parameters
    ----------
    estimate : FirthPoint
        The likelihood at its maximum ``beta^``.
    j : int
        The coefficient, an index into the design's columns.
    side : {"lower", "upper"}
    alpha : float in (0, 1)
        The interval's level is ``1 - alpha``.
    tol, max_iter, max_step, max_halvings
        Stopping and step control (module docstring).

    Examples
    --------
    >>> from log_reg.core.firth import FirthLikelihood
    >>> X = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    >>> f = FirthLikelihood(X, np.array([0.0, 0.0, 1.0, 1.0]), np.ones(4))
    >>> bound = profile_bound(f.at([np.log(25), -np.log(5)]), 0, "lower")
    >>> bound.converged, round(bound.value, 4)
    (True, -0.4305)
    """
    sign = 1.0 if check_choice(side, "side", ("lower", "upper")) == "upper" else -1.0
    alpha = check_number(alpha, "alpha", low=0, low_inclusive=False, high=1)
    max_iter = check_int(max_iter, "max_iter", low=0)
    f = estimate.likelihood
    target = estimate.value - 0.5 * _critical(alpha) ** 2  # l0: chi2_{1,1-alpha} = z^2
    # a bound near 0 is judged against a hundredth of the Wald standard error instead
    scale = 0.01 * math.sqrt(estimate.step_covariance[j, j])
    e_j = np.zeros(f.n_coef)
    e_j[j] = 1.0
    point = estimate
    bounds: list[float] = []  # beta_j + d_j after each full step, the latest last
    for step in range(max_iter + 1):
        # 1. the Lagrangian step d = M^-1 (U + lambda e_j), M with the estimate's penalty
        #    curvature (``FirthPoint.step_matrix``)
        a, g = np.linalg.solve(point.step_matrix(estimate), np.column_stack([point.score, e_j])).T
        under_root = (2.0 * (point.value - target) + point.score @ a) / g[j]
        d = a + sign * math.sqrt(max(under_root, 0.0)) * g
        # 2. stop? the bound's predictions beta_j + d_j converge geometrically: the latest
        #    errs by about its last change times their ratio
        bounds.append(float(point.beta[j] + d[j]))
        if len(bounds) >= 3:
            change, before = abs(bounds[-1] - bounds[-2]), abs(bounds[-2] - bounds[-3])
            ratio = min(1.0, change / before) if before > 0 else 0.0
            if change * ratio <= tol * max(scale, abs(bounds[-1])):
                return ProfileBound(bounds[-1], True, step, point.beta + d)
        if step == max_iter:
            break
        # 3. cap, then halve while the step lands far from l0 and further than it started
        size = float(np.max(np.abs(d)))
        if size > max_step:
            d = d * (max_step / size)
        allowed = max(abs(point.value - target), _NEAR * (estimate.value - target))
        halvings = 0
        while True:
            trial = f.at(point.beta + d)
            close = np.isfinite(trial.value) and abs(trial.value - target) <= allowed
            if close or halvings == max_halvings:
                break
            d, halvings = 0.5 * d, halvings + 1
        if size > max_step or halvings > 0:  # a shortened step: its prediction is no guide
            bounds.clear()
        point = trial
    return ProfileBound(math.nan, False, max_iter)
