"""Central finite differences: the independent oracle for every gradient and Hessian."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6):
    """``(f(x + h e_j) - f(x - h e_j)) / 2h`` for every coordinate ``j``; error O(h^2)."""
    grad = np.empty_like(x, dtype=np.float64)
    for j in range(x.size):
        e = np.zeros_like(x, dtype=np.float64)
        e.flat[j] = h
        grad.flat[j] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def numerical_jacobian(g: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6):
    """Column ``j`` is ``(g(x + h e_j) - g(x - h e_j)) / 2h``; for a gradient, the Hessian."""
    columns = []
    for j in range(x.size):
        e = np.zeros_like(x, dtype=np.float64)
        e.flat[j] = h
        columns.append(((g(x + e) - g(x - e)) / (2 * h)).ravel())
    return np.stack(columns, axis=1)
