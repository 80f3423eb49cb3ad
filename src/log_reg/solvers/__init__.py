"""The solvers, one a module, and the table of what each one supports.

Every solver is a pure function ``solve_x(objective, coef0=None, *, tol, max_iter, callback,
...) -> SolverResult``; it sees only the objective's callables (see ``log_reg.objective``).
``SOLVERS`` is the registry that validation and the "auto" choice read: no other module
branches on a solver's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._result import Callback, IterationInfo, SolverResult
from .gd import solve_gd
from .sgd import solve_sgd

__all__ = [
    "SOLVERS",
    "Callback",
    "IterationInfo",
    "SolverResult",
    "SolverSpec",
    "solve_gd",
    "solve_sgd",
]


@dataclass(frozen=True)
class SolverSpec:
    """One row of the registry: a solver and what it can do."""

    name: str
    solve: Callable[..., SolverResult]
    supports_l1: bool
    supports_multinomial: bool
    summary: str


SOLVERS: dict[str, SolverSpec] = {
    spec.name: spec
    for spec in [
        SolverSpec("gd", solve_gd, True, True, "batch (proximal) gradient descent, step 1/L"),
        SolverSpec("sgd", solve_sgd, True, True, "mini-batch (proximal) SGD, early stopping"),
    ]
}
