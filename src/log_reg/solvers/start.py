"""Where every solver starts: the caller's ``coef0``, checked, or the intercept-only model."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray
from log_reg.core.objective import Objective

__all__ = ["start_point"]


def start_point(objective: Objective, coef0: ArrayLike | None) -> FloatArray:
    """``coef0`` as a fresh vector in the objective's dtype, clipped into its bounds (if any);
    ``objective.start()`` when it is ``None``.

    Raises
    ------
    ValueError
        If ``coef0`` is not one flat vector of ``objective.n_coef`` numbers (see the
        objective's Conventions for their layout).

    Examples
    --------
    >>> from log_reg.core.objective import make_objective
    >>> f = make_objective(np.array([[0.0], [1.0]]), [0, 1])
    >>> start_point(f, [0.5, 0.0])
    array([0.5, 0. ])
    >>> start_point(f, [[0.5, 0.0]])
    Traceback (most recent call last):
    ...
    ValueError: coef0 must have shape (2,), the objective's n_coef; got shape (1, 2).
    """
    if coef0 is None:
        return objective.start()
    coef = np.array(coef0, dtype=objective.dtype)
    if coef.shape != (objective.n_coef,):
        raise ValueError(
            f"coef0 must have shape ({objective.n_coef},), the objective's n_coef; "
            f"got shape {coef.shape}."
        )
    return objective.project(coef)
