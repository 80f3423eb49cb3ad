"""The normal and chi-square tail probabilities that inference needs, without SciPy.

Everything rests on the complementary error function ``erfc`` (and ``erf``) of Python's
``math`` module, which is accurate to a few units in the last place over the whole line:

    sf(z)  = P(Z > z) = erfc(z / sqrt 2) / 2                      (normal survival function)
    ppf(p) = x with P(Z <= x) = p                                  (normal quantile)
    Q(k/2, x/2) = P(chi2_k > x)                                    (chi-square survival function)

``erfc`` is used as is, never as ``1 - erf``, so small tail probabilities keep their full
relative precision down to the smallest normal double (``sf(37.5) ~ 5e-308``); beyond that
they fall into the subnormal range and then to 0, as in SciPy.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int

__all__ = ["chi2_sf", "norm_cdf", "norm_ppf", "norm_sf"]

_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])
_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])

_SQRT_HALF = math.sqrt(0.5)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)

# P. J. Acklam's rational approximations to the normal quantile (relative error < 1.15e-9),
# central region |p - 1/2| <= 1/2 - _P_LOW and the lower tail below it.
_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_B = (
    -5.447609879822406e01,
    1.615858368580409e02,
    -1.556989798598866e02,
    6.680131188771972e01,
    -1.328068155288572e01,
    1.0,
)
_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00, 1.0)
_P_LOW = 0.02425


def norm_sf(z: ArrayLike) -> FloatArray:
    """Survival function of the standard normal, ``P(Z > z) = erfc(z / sqrt 2) / 2``.

    Examples
    --------
    >>> float(norm_sf(1.959963984540054))  # the 2.5% point
    0.025
    >>> print(f"{float(norm_sf(30.0)):.10e}")  # no cancellation in the far tail
    4.9067139271e-198
    """
    return 0.5 * _erfc(np.asarray(z, dtype=np.float64) * _SQRT_HALF)


def norm_cdf(z: ArrayLike) -> FloatArray:
    """Distribution function of the standard normal, ``P(Z <= z) = sf(-z)``.

    Examples
    --------
    >>> float(norm_cdf(0.0))
    0.5
    """
    return norm_sf(-np.asarray(z, dtype=np.float64))


def _polynomial(coefs: tuple[float, ...], t: FloatArray) -> FloatArray:
    """Horner's rule: ``coefs[0] t^(m-1) + ... + coefs[-1]``."""
    value = np.full_like(t, coefs[0])
    for c in coefs[1:]:
        value = value * t + c
    return value


def norm_ppf(p: ArrayLike) -> FloatArray:
    """Quantile of the standard normal: ``x`` with ``P(Z <= x) = p``, for ``p`` in [0, 1].

    Acklam's rational approximation (relative error 1.15e-9), then one Halley step on
    ``Phi(x) - p = 0`` (cubic convergence: the result is exact to rounding):

        u = (Phi(x) - p) / phi(x),    x <- x - u / (1 + x u / 2)

    In the central region the residual is computed as ``erf(x / sqrt 2) / 2 - (p - 1/2)``
    (``p - 1/2`` is exact there), in the tails from the smaller of ``p`` and ``1 - p``
    (exact for ``p > 1/2``), so neither loses precision near 1/2 or in a tail.
    ``ppf(0) = -inf`` and ``ppf(1) = inf``.

    Examples
    --------
    >>> round(float(norm_ppf(0.975)), 12)
    1.95996398454
    >>> round(float(norm_ppf(1e-300)), 10)
    -37.0470962994
    """
    p = np.asarray(p, dtype=np.float64)
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError(
            f"norm_ppf needs probabilities in [0, 1]; got {p[~((p >= 0) & (p <= 1))]}."
        )
    central = np.abs(p - 0.5) <= 0.5 - _P_LOW
    x = np.empty_like(p)
    # 1. central region: x = q A(q^2) / B(q^2) with q = p - 1/2
    q = p[central] - 0.5
    r = q * q
    x0 = q * _polynomial(_A, r) / _polynomial(_B, r)
    e = 0.5 * _erf(x0 * _SQRT_HALF) - q  # Phi(x0) - p
    x[central] = _halley(x0, e * np.exp(0.5 * x0 * x0 + _LOG_SQRT_2PI))
    # 2. tails: x = -C(t) / D(t) with t = sqrt(-2 log r) for the lower-tail probability r
    tail = ~central
    upper = p[tail] > 0.5
    r = np.where(upper, 1.0 - p[tail], p[tail])  # exact: Sterbenz for p > 1/2
    t = np.sqrt(-2.0 * np.log(np.where(r > 0, r, 1.0)))  # r = 0 (p = 0 or 1) set below
    x0 = np.where(r > 0, _polynomial(_C, t) / _polynomial(_D, t), -np.inf)
    x[tail] = np.where(upper, -1.0, 1.0) * _refine_tail(x0, r)
    return x


def _halley(x: FloatArray, u: FloatArray) -> FloatArray:
    """One Halley step for ``Phi(x) = p`` given ``u = (Phi(x) - p) / phi(x)``."""
    return x - u / (1.0 + 0.5 * x * u)


def _refine_tail(x: FloatArray, r: FloatArray) -> FloatArray:
    """Halley step for ``Phi(x) = r`` with ``x < 0``; ``phi(x)`` via logs, as it may underflow.

    ``u = (Phi(x) - r) / phi(x) = ((Phi(x) - r) / r) exp(log r + x^2 / 2 + log sqrt(2 pi))``.
    """
    finite = r > 0
    xf, rf = x[finite], r[finite]
    relative = norm_sf(-xf) / rf - 1.0  # (Phi(x) - r) / r
    u = relative * np.exp(np.log(rf) + 0.5 * xf * xf + _LOG_SQRT_2PI)
    out = x.copy()
    out[finite] = _halley(xf, u)
    return out


def chi2_sf(x: ArrayLike, df: int) -> FloatArray:
    """Survival function of the chi-square distribution with integer ``df``: ``P(X > x)``.

    ``P(chi2_k > x) = Q(k/2, x/2)``, the regularized upper incomplete gamma function, which
    for whole and half-whole shapes is a finite sum of positive terms (no cancellation, so
    tail probabilities keep full relative precision). With ``h = x / 2``:

        k = 2m:      Q = exp(-h) sum_{j=0}^{m-1} h^j / j!
        k = 2m + 1:  Q = erfc(sqrt h) + exp(-h) sum_{j=1}^{m} h^(j - 1/2) / Gamma(j + 1/2)

    (Abramowitz & Stegun 26.4.4 and 26.4.5). Each term is evaluated as one ``exp`` of its
    logarithm, so neither ``exp(-h)`` nor ``h^j`` underflows or overflows on its own.

    Examples
    --------
    >>> round(float(chi2_sf(3.841458820694124, 1)), 12)
    0.05
    >>> float(chi2_sf(0.0, 3)), float(chi2_sf(np.inf, 3))
    (1.0, 0.0)
    """
    k = check_int(df, "df", low=1)
    x = np.asarray(x, dtype=np.float64)
    if np.isnan(x).any():
        raise ValueError("chi2_sf needs numbers for x; got NaN.")
    h = np.where(np.isfinite(x) & (x > 0), 0.5 * x, 1.0)[..., None]  # placeholder 1 elsewhere
    m = k // 2
    if k % 2 == 0:
        j = np.arange(m, dtype=np.float64)  # j = 0 .. m-1
        base = np.zeros(x.shape)
        log_terms = -h + j * np.log(h) - _lgamma(j + 1.0)
    else:
        j = np.arange(1, m + 1, dtype=np.float64)  # j = 1 .. m
        base = _erfc(np.sqrt(h[..., 0]))
        log_terms = -h + (j - 0.5) * np.log(h) - _lgamma(j + 0.5)
    q = base + np.exp(log_terms).sum(axis=-1)
    return np.where(x <= 0, 1.0, np.where(np.isinf(x), 0.0, q))
