"""Numerically stable primitives: the only place that exponentiates a raw prediction.

Every function takes any real array (or scalar), returns the same floating dtype
(float32 stays float32; integers and Python numbers become float64), and gives a
finite, correct value for every finite input, the dtype's extremes included, without
a NumPy overflow, division or invalid-value warning. Underflow to zero is the
correctly rounded answer where it happens (``exp(-1000) == 0``) and is not an error.

They work on arrays of any library that follows the Python array API standard (PyTorch,
CuPy, array-api-strict, ...), in that library and on its device: ``xp`` below is the
input's namespace, NumPy for NumPy input.

The one trick behind them all: never compute ``exp`` of a large positive number.
With ``e = exp(-|x|)``, which lies in ``(0, 1]``,

    log(1 + exp(x)) = max(x, 0) + log1p(e)
    sigmoid(x)      = 1 / (1 + e)  if x >= 0  else  e / (1 + e)
"""

from __future__ import annotations

import contextlib
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray, array_library, is_numpy

__all__ = [
    "expit",
    "log1pexp",
    "log_sigmoid",
    "logsumexp",
    "sigmoid",
    "softmax",
]


def _prepare(x: ArrayLike) -> tuple[ModuleType, Any]:
    """``(xp, x)``: the namespace, and ``x`` as a floating array of it.

    NumPy keeps float16/32/64 and promotes the rest (ints, lists, Python numbers) to
    float64; other libraries' arrays are used as they are.
    """
    if not isinstance(x, np.ndarray) and hasattr(x, "__array_function__"):
        return np, x  # a duck array (Dask's, ...): NumPy's functions dispatch to it
    if not is_numpy(x):
        return array_library(x).xp, x
    a = np.asarray(x)
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    return np, a


def log1pexp(x: ArrayLike) -> FloatArray:
    """Softplus ``log(1 + exp(x))``, stably.

    Identity: ``log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))``.

    Examples
    --------
    >>> log1pexp([0.0, 1000.0, -1000.0])
    array([6.93147181e-01, 1.00000000e+03, 0.00000000e+00])
    """
    xp, a = _prepare(x)
    return xp.maximum(a, 0.0) + xp.log1p(xp.exp(-xp.abs(a)))


def log_sigmoid(x: ArrayLike) -> FloatArray:
    """``log(sigmoid(x)) = -log(1 + exp(-x))``, stably.

    Also ``log(1 - sigmoid(x)) = log_sigmoid(-x)``: nothing else computes it by hand.

    Examples
    --------
    >>> log_sigmoid([0.0, -1000.0])
    array([-6.93147181e-01, -1.00000000e+03])
    """
    _, a = _prepare(x)
    return -log1pexp(-a)


def expit(x: ArrayLike) -> FloatArray:
    """The logistic sigmoid ``1 / (1 + exp(-x))``, stably.

    Identity: with ``e = exp(-|x|)``, ``sigmoid(x) = 1/(1+e)`` for ``x >= 0`` and
    ``e/(1+e)`` for ``x < 0``; both branches only ever see ``e <= 1``.

    Examples
    --------
    >>> expit([0.0, 1000.0, -1000.0])
    array([0.5, 1. , 0. ])
    """
    xp, a = _prepare(x)
    e = xp.exp(-xp.abs(a))  # in (0, 1]: never overflows
    return xp.where(a >= 0, 1 / (1 + e), e / (1 + e))


sigmoid = expit


def max_and_shifted(xp: ModuleType, a: Any, axis: int) -> tuple[Any, Any]:
    """``m = max(a)`` along ``axis`` (kept as a length-1 axis) and ``a - m``.

    Every entry of ``a - m`` is <= 0, so its ``exp`` lies in [0, 1]. For inputs spanning
    more than the dtype's range (``-max`` and ``+max`` together) the difference rounds to
    ``-inf``, whose ``exp`` is the correct 0; that rounding is expected here and is not
    reported as an overflow.
    """
    m = xp.max(a, axis=axis, keepdims=True)
    quiet = np.errstate(over="ignore") if xp is np else contextlib.nullcontext()
    with quiet:
        return m, a - m


def _shifted(xp: ModuleType, a: Any, axis: int) -> Any:
    """``a - max(a)`` along ``axis`` (see ``max_and_shifted``)."""
    return max_and_shifted(xp, a, axis)[1]


def logsumexp(a: ArrayLike, axis: int = -1) -> FloatArray:
    """``log(sum(exp(a), axis))``, stably.

    Identity: ``log sum_k exp(a_k) = m + log sum_k exp(a_k - m)`` with ``m = max_k a_k``;
    the largest term of the new sum is exactly 1, so it neither overflows nor is 0.

    Examples
    --------
    >>> logsumexp([[0.0, 0.0], [1000.0, 1000.0]])
    array([6.93147181e-01, 1.00069315e+03])
    """
    xp, b = _prepare(a)
    m = xp.max(b, axis=axis)
    return m + xp.log(xp.sum(xp.exp(_shifted(xp, b, axis)), axis=axis))


def softmax(a: ArrayLike, axis: int = -1) -> FloatArray:
    """``exp(a_k) / sum_j exp(a_j)`` along ``axis``, stably (same shift as :func:`logsumexp`).

    Examples
    --------
    >>> softmax([[0.0, 0.0], [0.0, 1000.0]])
    array([[0.5, 0.5],
           [0. , 1. ]])
    """
    xp, b = _prepare(a)
    e = xp.exp(_shifted(xp, b, axis))
    return e / xp.sum(e, axis=axis, keepdims=True)
