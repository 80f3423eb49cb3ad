"""Mini-batch stochastic gradient descent, with early stopping on the epoch loss.

Each epoch shuffles the rows and walks through them in batches ``B`` of ``batch_size``;
each batch takes a (proximal) step down an unbiased estimate of the gradient,

    coef <- prox(coef - eta_t * grad f_B(coef), eta_t),     f_B = objective.subset(B)

with the learning rate ``eta_t = schedule(lr, t)`` for epoch ``t = 0, 1, ...``. After each
epoch it measures a loss: the full objective, or, with ``validation_fraction``, the
objective on rows held out from training. It stops, converged, once that loss has not
dropped by more than ``tol`` for ``patience`` epochs in a row (scikit-learn's
``SGDClassifier`` rule). The same ``random_state`` gives the same coefficients, bit for bit.

Reference: Bottou, Curtis and Nocedal, "Optimization Methods for Large-Scale Machine
Learning", SIAM Review 60 (2018), sections 4.1-4.2.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from log_reg.core.arrays import FloatArray, IntArray
from log_reg.core.checks import check_choice, check_int, check_number
from log_reg.core.objective import Objective
from log_reg.solvers.result import Callback, IterationInfo, SolverResult
from log_reg.solvers.start import start_point

__all__ = ["SCHEDULES", "solve_sgd"]

#: Learning-rate schedules: ``eta_t = schedule(lr, t)`` for epoch ``t = 0, 1, ...``.
SCHEDULES: dict[str, Callable[[float, int], float]] = {
    "constant": lambda lr, t: lr,
    "invscaling": lambda lr, t: lr / np.sqrt(t + 1),  # eta_0 / sqrt(t + 1)
    "inverse": lambda lr, t: lr / (t + 1),  # eta_0 / (t + 1): the classic Robbins-Monro rate
}


def _split_rows(
    n: int, validation_fraction: float | None, rng: np.random.Generator
) -> tuple[IntArray, IntArray | None]:
    """Training rows and held-out rows (``None`` when there is no validation set)."""
    if validation_fraction is None:
        return np.arange(n), None
    perm = rng.permutation(n)
    n_val = max(1, round(validation_fraction * n))
    if n_val >= n:
        raise ValueError(
            f"validation_fraction={validation_fraction} leaves no rows to train on ({n} samples)."
        )
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


def solve_sgd(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    lr: float | None = None,
    schedule: str = "inverse",
    batch_size: int = 32,
    tol: float = 1e-4,
    max_iter: int = 100,
    patience: int = 5,
    validation_fraction: float | None = None,
    random_state: int | np.random.Generator | None = None,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimize ``objective`` by mini-batch (proximal) stochastic gradient descent.

    Parameters
    ----------
    objective : Objective
        What to minimize (see ``log_reg.core.objective``).
    coef0 : ndarray of shape (n_coef,), optional
        Starting point; by default ``objective.start()``, the intercept-only model.
    lr : float > 0, optional
        Initial learning rate ``eta_0``; ``1 / objective.lipschitz()`` when ``None``.
    schedule : {"constant", "invscaling", "inverse"}
        How the learning rate decays with the epoch (see ``SCHEDULES``).
    batch_size : int >= 1
        Rows per step (the last batch of an epoch may be smaller).
    tol : float >= 0
        An epoch counts as an improvement when its loss is below the best so far minus ``tol``.
    max_iter : int >= 1
        Epochs at most.
    patience : int >= 1
        Epochs without improvement before stopping.
    validation_fraction : float in (0, 1), optional
        Hold out this share of the rows and watch their loss instead of the training loss.
    random_state : int or numpy Generator, optional
        Seed for the shuffles and the hold-out split.
    callback : callable, optional
        Called with an ``IterationInfo`` after each epoch (``optimality`` is ``nan``: SGD
        does not compute the full gradient).

    Returns
    -------
    SolverResult
        ``n_iter`` counts epochs; ``loss_history`` holds the watched loss after each epoch.

    Examples
    --------
    >>> from log_reg.core.objective import make_objective
    >>> X = np.random.default_rng(0).normal(size=(200, 2))
    >>> f = make_objective(X, (X[:, 0] > 0).astype(int))
    >>> result = solve_sgd(f, batch_size=20, random_state=0)
    >>> result.converged, bool(result.loss_history[-1] < 0.2)
    (True, True)
    """
    tol = check_number(tol, "tol", low=0)
    max_iter = check_int(max_iter, "max_iter", low=0)
    patience = check_int(patience, "patience", low=1)
    batch_size = check_int(batch_size, "batch_size", low=1)
    rate = SCHEDULES[check_choice(schedule, "schedule", SCHEDULES)]
    if validation_fraction is not None:
        validation_fraction = check_number(
            validation_fraction, "validation_fraction", low=0, low_inclusive=False, high=1
        )
    rng = np.random.default_rng(random_state)
    train_rows, val_rows = _split_rows(objective.X.shape[0], validation_fraction, rng)
    train = objective if val_rows is None else objective.subset(train_rows)
    watched = train if val_rows is None else objective.subset(val_rows)
    eta0 = (
        1.0 / train.lipschitz()
        if lr is None
        else check_number(lr, "lr", low=0, low_inclusive=False)
    )

    coef = start_point(objective, coef0)  # inside the bounds, if any
    n_train = len(train_rows)
    history: list[float] = []
    best, since_best = np.inf, 0
    message, converged = f"reached max_iter={max_iter} epochs", False
    for epoch in range(max_iter):
        eta = rate(eta0, epoch)
        # 1. one pass over the shuffled rows, a proximal gradient step per batch
        order = rng.permutation(n_train)
        for start in range(0, n_train, batch_size):
            batch = train.subset(order[start : start + batch_size])
            coef = train.prox(coef - eta * batch.gradient(coef), eta)
        # 2. the epoch's loss, on the training rows or the held-out ones
        loss = watched.value(coef)
        history.append(loss)
        if callback is not None:
            callback(IterationInfo(epoch + 1, loss, float("nan")))
        # 3. stop? no improvement larger than tol for `patience` epochs
        best, since_best = (loss, 0) if loss < best - tol else (min(best, loss), since_best + 1)
        if since_best >= patience:
            message = f"loss improved by less than tol={tol:g} for patience={patience} epochs"
            converged = True
            break
    optimality = objective.optimality(coef, objective.gradient(coef))
    return SolverResult(coef, len(history), converged, message, np.array(history), optimality)
