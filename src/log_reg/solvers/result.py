"""What every solver returns, and what it reports after each iteration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from log_reg.core.arrays import FloatArray

__all__ = ["Callback", "IterationInfo", "SolverResult"]


@dataclass(frozen=True)
class IterationInfo:
    """Passed to a solver's ``callback`` after each iteration (an epoch, for ``sgd``)."""

    iteration: int
    loss: float
    optimality: float


Callback = Callable[[IterationInfo], None]


@dataclass(frozen=True, eq=False)
class SolverResult:
    """A solver's answer.

    Attributes
    ----------
    coef : ndarray of shape (n_coef,)
        The final coefficients, laid out as in ``objective``'s Conventions.
    n_iter : int
        Iterations (epochs, for ``sgd``) performed.
    converged : bool
        Whether the solver's stopping criterion was met (for most solvers:
        ``objective.optimality <= tol``).
    message : str
        Why it stopped, in words.
    loss_history : ndarray of shape (n_iter,) or so
        The objective's value at each iteration, L1 half included.
    optimality : float
        ``objective.optimality`` at ``coef``: how far from the optimum it stopped.
    """

    coef: FloatArray
    n_iter: int
    converged: bool
    message: str
    loss_history: FloatArray
    optimality: float
