"""The teaching script's algorithm, written the slow, obvious way: an independent oracle.

Batch gradient descent on the mean binary cross-entropy, one sample at a time in plain
Python floats, with the script's early stopping. ``log_reg.log_reg`` must agree with it.
"""

from __future__ import annotations

import math


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def bce(y: float, z: float) -> float:
    """-y log p - (1 - y) log(1 - p) for p = sigmoid(z), as log(1 + e^z) - y z (no log(0))."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y * z


def reference_log_reg(X, y, lr=0.01, epochs=1000, patience=None):
    n, d = len(X), len(X[0])
    w, b = [0.0] * d, 0.0
    best, since_best = math.inf, 0
    for _ in range(epochs):
        # forward: z_i = w . x_i + b, p_i = sigmoid(z_i); loss = mean BCE
        z = [sum(wj * xj for wj, xj in zip(w, x)) + b for x in X]
        p = [sigmoid(zi) for zi in z]
        loss = sum(bce(yi, zi) for yi, zi in zip(y, z)) / n
        # early stopping, checked before the step as log_reg does
        if loss < best:
            best, since_best = loss, 0
        else:
            since_best += 1
            if patience is not None and since_best >= patience:
                break
        # backward: dL/dw_j = mean (p_i - y_i) x_ij, dL/db = mean (p_i - y_i)
        r = [pi - yi for pi, yi in zip(p, y)]
        grad_w = [sum(ri * x[j] for ri, x in zip(r, X)) / n for j in range(d)]
        grad_b = sum(r) / n
        w = [wj - lr * gj for wj, gj in zip(w, grad_w)]
        b -= lr * grad_b
    return w, b
