"""Built-in data: the teaching script's toy problem."""

from __future__ import annotations

import numpy as np

from log_reg.core.arrays import FloatArray, IntArray

__all__ = ["load_toy"]


def load_toy() -> tuple[FloatArray, IntArray]:
    """Ten points in two well-separated clusters: the first five class 0, the last five class 1.

    Returns
    -------
    X : ndarray of shape (10, 2)
    y : ndarray of shape (10,), ints

    Examples
    --------
    >>> X, y = load_toy()
    >>> X.shape, y.tolist()
    ((10, 2), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    """
    X = np.array(
        [
            [1.0, 2.0],
            [2.0, 1.0],
            [2.0, 3.0],
            [3.0, 2.0],
            [1.5, 1.5],  # class 0
            [6.0, 7.0],
            [7.0, 6.0],
            [7.0, 8.0],
            [8.0, 7.0],
            [6.5, 6.5],  # class 1
        ]
    )
    y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    return X, y
