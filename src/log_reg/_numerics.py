"""Numerically stable primitives: the only place that exponentiates a raw prediction.

Every function takes any real array (or scalar), returns the same floating dtype
(float32 stays float32; integers and Python numbers become float64), and gives a
finite, correct value for every finite input, the dtype's extremes included, without
a NumPy overflow, division or invalid-value warning. Underflow to zero is the
correctly rounded answer where it happens (``exp(-1000) == 0``) and is not an error.

The one trick behind them all: never compute ``exp`` of a large positive number.
With ``e = exp(-|x|)``, which lies in ``(0, 1]``,

    log(1 + exp(x)) = max(x, 0) + log1p(e)
    sigmoid(x)      = 1 / (1 + e)  if x >= 0  else  e / (1 + e)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.floating[Any]]
IntArray = NDArray[np.intp]

__all__ = ["expit", "log1pexp", "log_sigmoid", "logsumexp", "sigmoid", "softmax"]


def _as_float(x: ArrayLike) -> FloatArray:
    """Return ``x`` as a floating array, keeping float16/32/64 and promoting the rest."""
    a = np.asarray(x)
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    return a


def _exp_minus_abs(x: FloatArray) -> FloatArray:
    """``exp(-|x|)``: in (0, 1], so it never overflows."""
    return np.exp(-np.abs(x))


def log1pexp(x: ArrayLike) -> FloatArray:
    """Softplus ``log(1 + exp(x))``, stably.

    Identity: ``log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))``.

    Examples
    --------
    >>> log1pexp([0.0, 1000.0, -1000.0])
    array([6.93147181e-01, 1.00000000e+03, 0.00000000e+00])
    """
    x = _as_float(x)
    return np.maximum(x, 0) + np.log1p(_exp_minus_abs(x))


def log_sigmoid(x: ArrayLike) -> FloatArray:
    """``log(sigmoid(x)) = -log(1 + exp(-x))``, stably.

    Also ``log(1 - sigmoid(x)) = log_sigmoid(-x)``: nothing else computes it by hand.

    Examples
    --------
    >>> log_sigmoid([0.0, -1000.0])
    array([-6.93147181e-01, -1.00000000e+03])
    """
    x = _as_float(x)
    return -log1pexp(-x)


def expit(x: ArrayLike) -> FloatArray:
    """The logistic sigmoid ``1 / (1 + exp(-x))``, stably.

    Identity: with ``e = exp(-|x|)``, ``sigmoid(x) = 1/(1+e)`` for ``x >= 0`` and
    ``e/(1+e)`` for ``x < 0``; both branches only ever see ``e <= 1``.

    Examples
    --------
    >>> expit([0.0, 1000.0, -1000.0])
    array([0.5, 1. , 0. ])
    """
    x = _as_float(x)
    e = _exp_minus_abs(x)
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


sigmoid = expit


def _shifted(a: FloatArray, axis: int) -> FloatArray:
    """``a - max(a)`` along ``axis``: every entry <= 0, so its ``exp`` lies in [0, 1].

    For inputs spanning more than the dtype's range (``-max`` and ``+max`` together)
    the difference rounds to ``-inf``, whose ``exp`` is the correct 0; that rounding
    is expected here and is not reported as an overflow.
    """
    with np.errstate(over="ignore"):
        return a - np.max(a, axis=axis, keepdims=True)


def logsumexp(a: ArrayLike, axis: int = -1) -> FloatArray:
    """``log(sum(exp(a), axis))``, stably.

    Identity: ``log sum_k exp(a_k) = m + log sum_k exp(a_k - m)`` with ``m = max_k a_k``;
    the largest term of the new sum is exactly 1, so it neither overflows nor is 0.

    Examples
    --------
    >>> logsumexp([[0.0, 0.0], [1000.0, 1000.0]])
    array([6.93147181e-01, 1.00069315e+03])
    """
    a = _as_float(a)
    m = np.max(a, axis=axis)
    return m + np.log(np.sum(np.exp(_shifted(a, axis)), axis=axis))


def softmax(a: ArrayLike, axis: int = -1) -> FloatArray:
    """``exp(a_k) / sum_j exp(a_j)`` along ``axis``, stably (same shift as :func:`logsumexp`).

    Examples
    --------
    >>> softmax([[0.0, 0.0], [0.0, 1000.0]])
    array([[0.5, 0.5],
           [0. , 1. ]])
    """
    a = _as_float(a)
    e = np.exp(_shifted(a, axis))
    return e / np.sum(e, axis=axis, keepdims=True)
