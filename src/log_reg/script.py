"""The teaching script's interface, ``log_reg(X, y, lr, epochs, patience) -> (w, b)``.

A thin function over the package: the binary objective without penalty (the mean binary
cross-entropy) minimized by ``solve_gd``. The math lives in ``loss``, ``objective`` and
``solvers.gd``; nothing here computes it again.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_labels, check_number, check_X
from log_reg.core.objective import make_objective
from log_reg.solvers.gd import solve_gd

__all__ = ["log_reg"]


def log_reg(
    X: ArrayLike,
    y: ArrayLike,
    lr: float = 0.01,
    epochs: int = 1000,
    patience: int | None = None,
    *,
    tol: float = 0.0,
) -> tuple[FloatArray, float]:
    """Binary logistic regression by batch gradient descent, as the teaching script did it.

    Minimizes the mean binary cross-entropy
    ``(1/n) sum_i [log(1 + exp(z_i)) - y_i z_i]`` with ``z_i = w . x_i + b``, starting at
    zero and stepping ``(w, b) <- (w, b) - lr * gradient`` once per epoch.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Two classes; the larger label (1 for 0/1 labels) is the positive one.
    lr : float > 0
        Learning rate.
    epochs : int >= 1
        Gradient steps at most.
    patience : int >= 1, optional
        Stop once the loss has not improved for this many epochs.
    tol : float >= 0
        Also stop once every gradient entry is at most ``tol`` (0: never, as the script).

    Returns
    -------
    w : ndarray of shape (n_features,)
    b : float

    Examples
    --------
    >>> from log_reg import sigmoid
    >>> X = np.array([[1, 2], [2, 3], [6, 6], [7, 7]])
    >>> y = np.array([0, 0, 1, 1])
    >>> w, b = log_reg(X, y, lr=0.001, epochs=100000)
    >>> (sigmoid(X @ w + b) > 0.5).astype(int)
    array([0, 0, 1, 1])
    """
    X = check_X(X)
    classes, encoded = check_labels(y, X.shape[0])
    if len(classes) != 2:
        raise ValueError(
            f"y must contain exactly two classes for log_reg; got {len(classes)}: "
            f"{classes.tolist()}. LogisticRegression handles more."
        )
    lr = check_number(lr, "lr", low=0, low_inclusive=False)
    epochs = check_int(epochs, "epochs", low=1)
    if patience is not None:
        patience = check_int(patience, "patience", low=1)
    objective = make_objective(X.astype(np.float64), encoded)
    result = solve_gd(objective, lr=lr, tol=tol, max_iter=epochs, patience=patience)
    W, b = objective.split(result.coef)
    return W[0].copy(), float(b[0])
