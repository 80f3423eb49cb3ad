"""When a smooth solver may stop: the gradient is small, and so is the decrease still ahead.

scikit-learn stops when the largest gradient entry is at most ``tol``. That alone says
little about how far ``f`` still is from its minimum ``f*``. Near the minimum ``f`` is
close to its quadratic model, and the decrease the model still promises is

    f(coef) - f*  ~  lambda^2 / 2,        lambda^2 = g^T H^-1 g = -g^T d,

with ``g`` the gradient, ``H`` the Hessian and ``d = -H^-1 g`` the Newton direction
(``lambda`` is the *Newton decrement*). A small ``g`` along a direction of small curvature
(a weak penalty, collinear or unscaled features: the digits at ``C = 1``) still leaves a
large ``lambda^2``: there scikit-learn's default stops with ``f`` a relative 1e-4 to 1e-2
above its minimum, silently. So our smooth solvers stop only when both hold:

    max_j |g_j| <= tol                                    (scikit-learn's rule)
    lambda^2 / 2 <= rtol * max(f, tol),   rtol = max(tol / 100, 16 eps)

At the default ``tol = 1e-4`` that is a relative gap of about 1e-6. ``max(f, tol)`` keeps
the rule finite when ``f`` itself goes to 0 (separable data, no penalty: there is no
minimum, ``lambda^2 / 2 ~ f``, and the fit stops once ``f`` is below about ``tol * rtol``).
``16 eps`` is the rounding error of ``f``: no solver can resolve a smaller relative gap.

Each solver estimates ``d`` its own way: Newton exactly (Cholesky), Newton-CG by conjugate
gradients (from below: CG's model decrease grows towards ``lambda^2 / 2``), L-BFGS from
its inverse-Hessian estimate (cruder: the curvature it has seen).

Reference: Boyd and Vandenberghe, *Convex Optimization* (2004), section 9.5.1 (the Newton
decrement as the estimate of ``f - f*``, and as a stopping criterion).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "GAP_PER_TOL",
    "UNPENALIZED_TOL_FACTOR",
    "gap_tolerance",
    "stop_reason",
    "unpenalized_tol",
]

#: The relative gap asked for, per unit of ``tol``: ``tol = 1e-4`` asks for about 1e-6.
GAP_PER_TOL = 1e-2
_NOISE = 16  # rounding error of f, in units of eps * |f|
#: An unpenalized fit runs with ``tol`` times this (``unpenalized_tol``).
UNPENALIZED_TOL_FACTOR = 1e-4
_RESOLUTION = 1000  # the smallest tol an unpenalized fit is given, in units of eps


def unpenalized_tol(tol: float, dtype: np.dtype | type) -> float:
    """The ``tol`` a fit without a penalty runs with: ``tol * 1e-4``, at least ``1000 eps``.

    Such a fit is for inference: its standard errors, tests and printed digits ask for
    coefficients right to about 1e-8 relative, what Stata and statsmodels print, where
    ``tol = 1e-4`` leaves about 1e-4 (the gap rule's 1e-6 on ``f`` is about its square).
    Its columns are of unit size (the pipeline rescales them), so the gradient's rounding
    is about ``eps``: ``1000 eps`` (2e-13 in float64) is still reached, and in float32 the
    rule is ``tol`` itself. Never looser than ``tol``.

    Examples
    --------
    >>> unpenalized_tol(1e-4, np.float64), unpenalized_tol(1e-4, np.float32)
    (1e-08, 0.0001)
    """
    resolution = _RESOLUTION * float(np.finfo(dtype).eps)
    return min(tol, max(UNPENALIZED_TOL_FACTOR * tol, resolution))


def gap_tolerance(tol: float, value: float, dtype: np.dtype | type) -> float:
    """The largest predicted decrease ``lambda^2 / 2`` at which a solver may stop."""
    rtol = max(GAP_PER_TOL * tol, _NOISE * float(np.finfo(dtype).eps))
    return rtol * max(abs(value), tol)


def stop_reason(
    optimality: float, tol: float, decrement: float, value: float, dtype: np.dtype | type
) -> str:
    """Why the solver may stop at this point, or ``""`` if it may not.

    ``decrement`` is ``lambda^2 / 2 = -g^T d / 2`` for the solver's estimate ``d`` of the
    Newton direction; ``value`` is ``f`` there.
    """
    if not optimality <= tol:
        return ""
    allowed = gap_tolerance(tol, value, dtype)
    if not decrement <= allowed:
        return ""
    return (
        f"optimality {optimality:.3g} <= tol={tol:g} and predicted decrease "
        f"{decrement:.3g} <= {allowed:.3g}"
    )
