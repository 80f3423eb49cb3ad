"""The solvers, one a module, and the tables of what each one supports.

Every solver is a pure function ``solve_x(objective, coef0=None, *, tol, max_iter, callback,
...) -> SolverResult``; it sees only the objective's callables (see ``log_reg.objective``).
``SOLVERS`` (ours) and ``SKLEARN_SOLVERS`` (scikit-learn's names, each running one of ours
on the same objective) are the registry that validation and the "auto" choice read: no
other module branches on a solver's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ._result import Callback, IterationInfo, SolverResult
from .cd import solve_cd
from .gd import solve_gd
from .lbfgs import solve_lbfgs
from .newton import solve_newton
from .sgd import solve_sgd

__all__ = [
    "SKLEARN_SOLVERS",
    "SOLVERS",
    "Callback",
    "IterationInfo",
    "SolverResult",
    "SolverSpec",
    "choose_solver",
    "solve_cd",
    "solve_gd",
    "solve_lbfgs",
    "solve_newton",
    "solve_sgd",
]


@dataclass(frozen=True)
class SolverSpec:
    """One row of the registry: a solver and what it can do."""

    name: str
    solve: Callable[..., SolverResult]
    supports_l1: bool
    summary: str
    supports_multinomial: bool = True
    randomized: bool = False  # takes random_state
    penalizes_intercept: bool = False  # liblinear's objective: the intercept is a feature


SOLVERS: dict[str, SolverSpec] = {
    spec.name: spec
    for spec in [
        SolverSpec("lbfgs", solve_lbfgs, False, "L-BFGS, strong Wolfe line search"),
        SolverSpec("newton", solve_newton, False, "Newton on the full Hessian (Cholesky)"),
        SolverSpec("cd", solve_cd, True, "proximal Newton, coordinate descent inside (newGLMNET)"),
        SolverSpec("gd", solve_gd, True, "batch (proximal) gradient descent, step 1/L"),
        SolverSpec("sgd", solve_sgd, True, "mini-batch (proximal) SGD", randomized=True),
    ]
}

#: scikit-learn's solver names -> the solver of ours that minimizes the same objective.
#: "sag" has no exact counterpart here; L-BFGS reaches the same optimum, deterministically.
#: "liblinear" penalizes the intercept (a constant feature of value ``intercept_scaling``),
#: as liblinear does, and fits one-vs-rest for more than two classes, as scikit-learn < 1.8.
SKLEARN_SOLVERS: dict[str, SolverSpec] = {
    "newton-cholesky": SOLVERS["newton"],
    "newton-cg": SOLVERS["newton"],
    "sag": SOLVERS["lbfgs"],
    "saga": SOLVERS["cd"],
    "liblinear": replace(SOLVERS["cd"], supports_multinomial=False, penalizes_intercept=True),
}

#: "auto" takes Newton while the Hessian (n_coef x n_coef) is small, L-BFGS beyond.
AUTO_NEWTON_MAX_COEF = 500


def choose_solver(
    name: str, *, l1: bool, multinomial: bool, n_samples: int, n_coef: int, dual: bool = False
) -> SolverSpec:
    """The registry row for ``name`` ("auto" included), checked against the problem.

    Raises ``ValueError`` for an unknown name, an L1 penalty the solver cannot handle, or
    ``dual=True`` with anything but liblinear (as scikit-learn does).
    """
    known = ["auto", *SOLVERS, *(n for n in SKLEARN_SOLVERS if n not in SOLVERS)]
    if name not in known:
        raise ValueError(f"solver must be one of {', '.join(map(repr, known))}; got {name!r}.")
    if dual and name != "liblinear":
        raise ValueError(
            f"dual=True is only supported with solver='liblinear'; got solver={name!r}."
        )
    if name == "auto":
        if l1:
            return SOLVERS["cd"]
        return SOLVERS["newton" if n_coef <= AUTO_NEWTON_MAX_COEF else "lbfgs"]
    spec = SKLEARN_SOLVERS.get(name) or SOLVERS[name]
    if l1 and not spec.supports_l1:
        able = [
            n for n in known if n == "auto" or (SKLEARN_SOLVERS.get(n) or SOLVERS[n]).supports_l1
        ]
        raise ValueError(
            f"solver {name!r} cannot handle an L1 penalty (l1_ratio > 0); use one of "
            f"{', '.join(map(repr, able))}."
        )
    return spec
