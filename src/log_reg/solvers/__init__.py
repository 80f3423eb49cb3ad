"""The solvers, one a module, and the tables of what each one supports.

Every solver is a pure function ``solve_x(objective, coef0=None, *, tol, max_iter, callback,
...) -> SolverResult``; it sees only the objective's callables (see ``log_reg.core.objective``).
``SOLVERS`` (ours) and ``SKLEARN_SOLVERS`` (scikit-learn's names, each running one of ours
on the same objective) are the registry that validation and the "auto" choice read: no
other module branches on a solver's name. A penalty (``log_reg.core.penalty.Penalty``)
meets the registry through ``is_smooth`` (only the proximal solvers minimize one that is
not) and ``name`` (scikit-learn's, for its error messages and liblinear's limits). The
layer between the core (the objective) and the estimators: solvers import only
``log_reg.core`` and each other, never a back end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from log_reg.core.penalty import Penalty
from log_reg.solvers.cd import solve_cd
from log_reg.solvers.gd import solve_gd
from log_reg.solvers.hybrid import solve_hybrid
from log_reg.solvers.lbfgs import solve_lbfgs
from log_reg.solvers.newton import solve_newton
from log_reg.solvers.newton_cg import solve_newton_cg
from log_reg.solvers.newton_subsampled import SUBSAMPLE_ROWS_PER_COEF, solve_newton_subsampled
from log_reg.solvers.result import Callback, IterationInfo, SolverResult
from log_reg.solvers.sgd import solve_sgd

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
    "solve_hybrid",
    "solve_lbfgs",
    "solve_newton",
    "solve_newton_cg",
    "solve_newton_subsampled",
    "solve_sgd",
]


@dataclass(frozen=True)
class SolverSpec:
    """One row of the registry: a solver and what it can do."""

    name: str
    solve: Callable[..., SolverResult]
    supports_nonsmooth: bool  # penalties that are not smooth (L1, ...), by their prox
    summary: str
    supports_multinomial: bool = True
    randomized: bool = False  # takes random_state
    penalizes_intercept: bool = False  # liblinear's objective: the intercept is a feature
    #: The penalties it takes, by ``Penalty.name`` (``None`` in it: no penalty); ``None``:
    #: every penalty it can minimize
    penalties: frozenset[str | None] | None = None
    float64_only: bool = False  # results in float64 whatever the input (liblinear's C code)
    supports_bounds: bool = False  # honours lower/upper bounds on the coefficients


SOLVERS: dict[str, SolverSpec] = {
    spec.name: spec
    for spec in [
        SolverSpec("lbfgs", solve_lbfgs, False, "L-BFGS, strong Wolfe line search"),
        SolverSpec("newton", solve_newton, False, "Newton on the full Hessian (Cholesky)"),
        SolverSpec(
            "newton-subsampled",
            solve_newton_subsampled,
            False,
            "Newton, the Hessian from 200 random rows per coefficient",
        ),
        SolverSpec("newton-cg", solve_newton_cg, False, "truncated Newton: CG on H v products"),
        SolverSpec("lbfgs-newton-cg", solve_hybrid, False, "L-BFGS, then Newton-CG if slow"),
        SolverSpec(
            "cd",
            solve_cd,
            True,
            "proximal Newton, coordinate descent inside (newGLMNET)",
            supports_bounds=True,
        ),
        SolverSpec(
            "gd",
            solve_gd,
            True,
            "batch (proximal) gradient descent, step 1/L",
            supports_bounds=True,
        ),
        SolverSpec(
            "sgd",
            solve_sgd,
            True,
            "mini-batch (proximal) SGD",
            randomized=True,
            supports_bounds=True,
        ),
    ]
}

#: scikit-learn's solver names -> the solver of ours that minimizes the same objective.
#: "newton-cg" named explicitly is scikit-learn's: every iteration a function of the
#: coefficients alone (the preconditioner recomputed each time), so a warm start continues
#: a fit exactly; "auto"'s Newton-CG recomputes it every 4 iterations, which is cheaper.
#: "sag" has no exact counterpart here; L-BFGS reaches the same optimum, deterministically.
#: "liblinear" keeps liblinear's objective and limits: the intercept is penalized (a constant
#: feature of value ``intercept_scaling``), binary problems only (one-vs-rest on request),
#: no elastic net, no unpenalized fit, float64 results.
SKLEARN_SOLVERS: dict[str, SolverSpec] = {
    "newton-cg": replace(SOLVERS["newton-cg"], solve=partial(solve_newton_cg, refresh=1)),
    "newton-cholesky": SOLVERS["newton"],
    "sag": SOLVERS["lbfgs"],
    "saga": SOLVERS["cd"],
    "liblinear": replace(
        SOLVERS["newton-cg"],  # liblinear's own L2 method is a trust-region Newton-CG
        supports_multinomial=False,
        penalizes_intercept=True,
        penalties=frozenset({"l2"}),
        float64_only=True,
    ),
}

#: With a penalty that is not smooth (an L1 part), these scikit-learn names run ``cd``
#: instead (same objective).
SKLEARN_L1_SOLVERS: dict[str, SolverSpec] = {
    "saga": SOLVERS["cd"],
    "liblinear": replace(
        SOLVERS["cd"],
        supports_multinomial=False,
        penalizes_intercept=True,
        penalties=frozenset({"l1"}),
        float64_only=True,
    ),
}

#: scikit-learn's words when a solver does not take a penalty, by the penalty's name.
_REFUSALS = {
    None: "C=np.inf as well as penalty=None is not supported for the {solver} solver: it "
    "penalizes the intercept. Use another solver.",
    "elasticnet": "Only 'saga' solver supports elasticnet penalty, got solver={solver}. Of "
    "ours, 'auto', 'cd', 'gd' and 'sgd' do too.",
}

#: "auto" takes Newton while a Hessian costs at most this many multiply-adds (n_samples *
#: n_coef^2): its 5-10 steps then beat L-BFGS's many cheaper ones (benchmarks/README.md).
AUTO_NEWTON_MAX_WORK = 5e7
#: Beyond that, below this many samples per coefficient many directions are curved by the
#: penalty alone and L-BFGS crawls: Newton-CG; above, L-BFGS first (``solvers.hybrid``).
AUTO_SAMPLES_PER_COEF = 5
#: Between the two, Newton on a sampled Hessian (``newton-subsampled``) when that Hessian
#: fits the work above and its rows are at most 1 / this of all rows (benchmarks/README.md).
AUTO_SUBSAMPLE_FRACTION = 4


def _row(name: str, smooth: bool) -> SolverSpec:
    """The registry row a name runs, for a problem with a smooth penalty or not."""
    nonsmooth = not smooth and SKLEARN_L1_SOLVERS.get(name)
    return nonsmooth or SKLEARN_SOLVERS.get(name) or SOLVERS[name]


def _names(can: Callable[[SolverSpec], bool], smooth: bool) -> str:
    """The solver names whose row can do something, "auto" first: for error messages."""
    names = [n for n in [*SOLVERS, *SKLEARN_SOLVERS] if can(_row(n, smooth))]
    return ", ".join(map(repr, ["auto", *dict.fromkeys(names)]))


def choose_solver(
    name: str,
    *,
    penalty: Penalty,
    n_coef: int,
    n_samples: int = 0,
    dual: bool = False,
    bounded: bool = False,
) -> SolverSpec:
    """The registry row for ``name`` ("auto" included), checked against the problem.

    ``penalty`` is the problem's: its form decides (``is_smooth``, ``name``), not its
    strength. Raises ``ValueError``, with scikit-learn's wording first where code may match
    on it, for an unknown name, a penalty the solver cannot handle, bounds it cannot honour,
    or ``dual=True`` with anything but liblinear.

    Examples
    --------
    >>> from log_reg.core.penalty import l1, l2
    >>> choose_solver("auto", penalty=l1(0.1), n_coef=11).name
    'cd'
    >>> choose_solver("saga", penalty=l2(0.1), n_coef=11).name
    'cd'
    """
    known = ["auto", *SOLVERS, *(n for n in SKLEARN_SOLVERS if n not in SOLVERS)]
    if name not in known:
        raise ValueError(f"solver must be one of {', '.join(map(repr, known))}; got {name!r}.")
    smooth = penalty.is_smooth
    if dual and name != "liblinear":
        raise ValueError(
            f"Solver {name} supports only dual=False, got dual=True: dual=True is only "
            "supported with solver='liblinear'."
        )
    if name == "auto":
        if not smooth or bounded:
            return SOLVERS["cd"]
        if n_samples * n_coef**2 <= AUTO_NEWTON_MAX_WORK:
            return SOLVERS["newton"]
        rows = SUBSAMPLE_ROWS_PER_COEF * n_coef  # a sub-sampled Hessian, as cheap, on tall data
        if rows * n_coef**2 <= AUTO_NEWTON_MAX_WORK and n_samples >= AUTO_SUBSAMPLE_FRACTION * rows:
            return SOLVERS["newton-subsampled"]
        few_samples = n_samples < AUTO_SAMPLES_PER_COEF * n_coef
        return SOLVERS["newton-cg" if few_samples else "lbfgs-newton-cg"]
    spec = _row(name, smooth)
    if not smooth and not spec.supports_nonsmooth:
        raise ValueError(
            f"Solver {name} supports only 'l2' or None penalties, got {penalty.name} penalty. "
            f"{name!r} cannot handle an L1 penalty (l1_ratio > 0), nor any other that is not "
            f"smooth; use one of {_names(lambda s: s.supports_nonsmooth, False)}."
        )
    if bounded and not spec.supports_bounds:
        raise ValueError(
            f"solver {name!r} cannot honour lower_bounds/upper_bounds; use one of "
            f"{_names(lambda s: s.supports_bounds, smooth)}."
        )
    if spec.penalties is not None and penalty.name not in spec.penalties:
        allowed = ", ".join(sorted(map(repr, spec.penalties)))
        refusal = _REFUSALS.get(
            penalty.name, "solver {solver!r} takes only the penalties {allowed}; got {penalty!r}."
        )
        raise ValueError(refusal.format(solver=name, allowed=allowed, penalty=penalty.name))
    return spec
