"""Line searches: how far to go along a descent direction ``d`` from ``coef``.

A line search looks at the objective on the ray ``phi(t) = f(coef + t d)`` only. Every
trial step costs one pass over ``X`` (``objective.loss_gradient``), which returns the value,
the slope ``phi'(t) = grad f(coef + t d) . d`` and the gradient itself, so the caller gets
the gradient at the accepted point for free.

``line_search_wolfe`` returns a step meeting the strong Wolfe conditions

    phi(t) <= phi(0) + c1 t phi'(0)          (sufficient decrease, "Armijo")
    |phi'(t)| <= c2 |phi'(0)|                (curvature: the slope has flattened)

which quasi-Newton methods need: the second one guarantees ``s'y > 0`` for the pair
``s = t d``, ``y = grad f(coef + t d) - grad f(coef)``, so their Hessian estimate stays
positive definite. ``line_search_armijo`` only asks for the first, by backtracking: the
one line search of the Newton-type solvers (``newton``, ``newton_cg``, and ``cd``, whose
``phi`` is the full non-smooth ``f`` and whose predicted decrease is its model's).

Reference: Nocedal and Wright, *Numerical Optimization*, 2nd ed. (2006), section 3.5,
Algorithms 3.5 (bracketing) and 3.6 (zoom), and equation (3.59) for the cubic step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

import numpy as np

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_number

__all__ = [
    "ArmijoStep",
    "LineSearchResult",
    "Phi",
    "line_function",
    "line_search_armijo",
    "line_search_wolfe",
]

_EPS = float(np.finfo(np.float64).eps)

#: ``t -> (phi(t), phi'(t), grad f(coef + t d))``: the objective along one ray.
Phi = Callable[[float], tuple[float, float, FloatArray]]
#: What a caller's ``phi`` returns beside ``phi(t)`` to ``line_search_armijo``.
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class LineSearchResult:
    """The step a line search chose, and what the objective is there.

    Attributes
    ----------
    step : float
        The accepted step ``t``; on failure, the trial step with the lowest ``phi``.
    value : float
        ``phi(step) = f(coef + step d)``.
    gradient : ndarray of shape (n_coef,)
        ``grad f(coef + step d)``: the caller's next gradient, no extra pass needed.
    n_evals : int
        Calls made to ``phi`` (passes over ``X``).
    success : bool
        Whether ``step`` meets the search's conditions. When it is False the caller
        should not trust ``step``; its fields only describe the best trial.
    """

    step: float
    value: float
    gradient: FloatArray
    n_evals: int
    success: bool


class _Trial(NamedTuple):
    """One evaluated step: ``t``, ``phi(t)``, ``phi'(t)``, and the gradient (``None`` at 0)."""

    step: float
    value: float
    slope: float
    gradient: FloatArray | None


@dataclass(frozen=True)
class _Conditions:
    """The tests a step must pass, given ``phi(0) = f0`` and ``phi'(0) = slope0 < 0``."""

    f0: float
    slope0: float
    c1: float
    c2: float = 0.9
    noise: float = 0.0

    def __post_init__(self) -> None:
        if not self.slope0 < 0:
            raise ValueError(f"slope0 must be < 0 (a descent direction); got {self.slope0!r}.")

    def decreases(self, trial: _Trial) -> bool:
        """Sufficient decrease ``phi(t) <= phi(0) + c1 t phi'(0)`` (+ noise); False for NaN."""
        return trial.value <= self.f0 + self.c1 * trial.step * self.slope0 + self.noise

    def higher(self, trial: _Trial, than: _Trial) -> bool:
        """``phi(t) > phi(than)`` by more than the noise: values within it tie."""
        return trial.value > than.value + self.noise

    def flat(self, trial: _Trial) -> bool:
        """Strong curvature ``|phi'(t)| <= c2 |phi'(0)|``; False for a NaN slope."""
        return abs(trial.slope) <= -self.c2 * self.slope0


def line_function(
    loss_gradient: Callable[[FloatArray], tuple[float, FloatArray]],
    coef: FloatArray,
    direction: FloatArray,
) -> Phi:
    """``phi(t) = f(coef + t d)`` with its slope, from a value-and-gradient function ``f``.

    The point is formed in ``coef``'s dtype; the slope ``grad . d`` is summed in float64.

    Examples
    --------
    >>> f = lambda x: (float(x @ x), 2 * x)  # f(x) = ||x||^2
    >>> phi = line_function(f, np.array([1.0, 0.0]), np.array([-1.0, 0.0]))
    >>> phi(0.5)[:2]  # f((0.5, 0)), slope 2 (0.5, 0) . (-1, 0)
    (0.25, -1.0)
    """
    d64 = direction.astype(np.float64)

    def phi(t: float) -> tuple[float, float, FloatArray]:
        value, grad = loss_gradient(coef + t * direction)
        return value, float(grad.astype(np.float64) @ d64), grad

    return phi


def line_search_wolfe(
    phi: Phi,
    f0: float,
    slope0: float,
    *,
    step0: float = 1.0,
    c1: float = 1e-4,
    c2: float = 0.9,
    noise: float = 0.0,
    max_evals: int = 20,
) -> LineSearchResult:
    """A step meeting the strong Wolfe conditions (Nocedal and Wright, Algorithm 3.5).

    Parameters
    ----------
    phi : callable
        ``t -> (phi(t), phi'(t), gradient)``, e.g. from :func:`line_function`.
    f0, slope0 : float
        ``phi(0)`` and ``phi'(0) < 0`` (the caller already has them).
    step0 : float > 0
        First trial step: 1 for a (quasi-)Newton direction.
    c1, c2 : float, ``0 < c1 < c2 <= 1``
        Sufficient decrease and curvature constants (0.9 suits quasi-Newton methods).
    noise : float >= 0
        How far ``phi``'s values may be off by rounding, e.g. ``eps |f0|``. Values closer
        than that count as equal: sufficient decrease is relaxed by ``noise``, and where two
        values tie, the slopes decide. Near an optimum, where ``f`` changes by less than its
        rounding error, this lets the search still find a flat step, as the approximate Wolfe
        conditions of Hager and Zhang (2005) do. 0 gives Nocedal and Wright's tests exactly.
    max_evals : int >= 1
        Calls to ``phi`` at most; the search fails when they run out.

    Returns
    -------
    LineSearchResult

    Examples
    --------
    >>> phi = lambda t: ((t - 3.0) ** 2, 2 * (t - 3.0), np.array([2 * (t - 3.0)]))
    >>> result = line_search_wolfe(phi, 9.0, -6.0)  # step 1 meets both conditions
    >>> result.success, result.step, result.value, result.n_evals
    (True, 1.0, 4.0, 1)
    """
    step0 = check_number(step0, "step0", low=0, low_inclusive=False)
    c1 = check_number(c1, "c1", low=0, low_inclusive=False, high=1)
    c2 = check_number(c2, "c2", low=c1, low_inclusive=False, high=1)
    max_evals = check_int(max_evals, "max_evals", low=1)
    noise = check_number(noise, "noise", low=0)
    wolfe = _Conditions(f0, slope0, c1, c2, noise)
    trials: list[_Trial] = []
    prev, step = _Trial(0.0, f0, slope0, None), step0
    while len(trials) < max_evals:
        # 1. evaluate the trial step; done if it meets both conditions
        trial = _evaluate(phi, step, trials)
        if wolfe.decreases(trial) and wolfe.flat(trial):
            return _result(trial, trials, True)
        # 2. too far (no sufficient decrease, or up again): a Wolfe point lies in [prev, trial]
        if not wolfe.decreases(trial) or (len(trials) > 1 and wolfe.higher(trial, prev)):
            return _zoom(phi, prev, trial, wolfe, trials, max_evals)
        # 3. the slope turned positive: we stepped over a minimizer, in [prev, trial]
        if trial.slope >= 0:
            return _zoom(phi, trial, prev, wolfe, trials, max_evals)
        # 4. still going down steeply: extrapolate (by MINPACK's largest factor, 4)
        prev, step = trial, 4.0 * step
    return _failure(trials)


def _zoom(
    phi: Phi, lo: _Trial, hi: _Trial, wolfe: _Conditions, trials: list[_Trial], max_evals: int
) -> LineSearchResult:
    """Nocedal and Wright's Algorithm 3.6: shrink the interval ``[lo, hi]`` around a Wolfe point.

    Invariants: ``lo`` has sufficient decrease and the lowest value seen, and its slope
    points towards ``hi`` (``phi'(lo) (hi - lo) < 0``), so the interval holds a Wolfe point.
    """
    bisect = False
    while len(trials) < max_evals:
        # 1. a trial step inside the interval: interpolated, or the midpoint when the last
        #    step shrank the interval too little (the safeguard of Moré and Thuente)
        width = abs(hi.step - lo.step)
        step = _interpolate(lo, hi, bisect)
        if step is None:  # the interval has shrunk to rounding error
            break
        trial = _evaluate(phi, step, trials)
        if wolfe.decreases(trial) and wolfe.flat(trial):
            return _result(trial, trials, True)
        # 2. too far: the trial becomes the new upper end
        if not wolfe.decreases(trial) or wolfe.higher(trial, lo):
            hi = trial
        # 3. lower: the trial becomes the lower end; keep the end its slope points to
        else:
            if trial.slope * (hi.step - lo.step) >= 0:
                hi = lo
            lo = trial
        bisect = abs(hi.step - lo.step) > 0.66 * width
    return _failure(trials)


@dataclass(frozen=True, eq=False)
class ArmijoStep(Generic[T]):
    """The step ``line_search_armijo`` accepted: ``t``, ``phi(t)``, what ``phi`` returned with
    it (the caller's point, gradient, ...), and whether it passed the sufficient-decrease
    test (``False``: it was taken for ``progress`` at rounding level)."""

    step: float
    value: float
    at: T
    decreased: bool


def line_search_armijo(
    phi: Callable[[float], tuple[float, T]],
    f0: float,
    slope0: float,
    *,
    step0: float = 1.0,
    c1: float = 1e-4,
    shrink: float = 0.5,
    noise: float = 0.0,
    max_evals: int = 30,
    rounding: float = 0.0,
    progress: Callable[[T], bool] | None = None,
) -> ArmijoStep[T] | None:
    """Backtracking: the first of ``t = step0, shrink step0, shrink^2 step0, ...`` with

        phi(t) <= phi(0) + c1 t slope0 + noise        (sufficient decrease, "Armijo")

    (Nocedal and Wright, Algorithm 3.1), or, where ``phi(t)`` is within ``rounding`` of
    ``phi(0)`` (its last digits are noise), one that ``progress`` accepts, e.g. by a smaller
    optimality. ``None`` if none of ``max_evals`` steps passes.

    Parameters
    ----------
    phi : callable
        ``t -> (phi(t), at)``: the objective at ``coef + t d`` and whatever the caller wants
        back from there (``objective.loss_gradient`` gives the gradient).
    f0 : float
        ``phi(0)``.
    slope0 : float
        The decrease predicted per unit ``t``: ``phi'(0) = g^T d < 0`` for a smooth ``f``;
        the model's decrease for a proximal Newton step (``solvers.cd``).
    step0, shrink : float
        First step ``> 0`` and the factor in ``(0, 1)`` between two tries.
    c1 : float in (0, 1]
        The fraction of the predicted decrease a step must achieve.
    noise : float >= 0
        How far ``phi``'s values may be off by rounding: sufficient decrease is relaxed by it.
    max_evals : int >= 1
        Calls to ``phi`` at most.
    rounding : float >= 0, and progress : callable, optional
        ``at -> bool``: whether a step whose value is within ``rounding`` of ``f0`` is
        progress all the same.

    Returns
    -------
    ArmijoStep or None

    Examples
    --------
    >>> phi = lambda t: ((t - 0.2) ** 2, None)
    >>> found = line_search_armijo(phi, 0.04, -0.4)  # 1 and 0.5 overshoot
    >>> found.step, round(found.value, 6), found.decreased
    (0.25, 0.0025, True)
    """
    step0 = check_number(step0, "step0", low=0, low_inclusive=False)
    c1 = check_number(c1, "c1", low=0, low_inclusive=False, high=1)
    shrink = check_number(shrink, "shrink", low=0, low_inclusive=False, high=1)
    max_evals = check_int(max_evals, "max_evals", low=1)
    step = step0
    for _ in range(max_evals):
        value, at = phi(step)
        if value <= f0 + c1 * step * slope0 + noise:
            return ArmijoStep(step, value, at, True)
        if progress is not None and abs(value - f0) <= rounding and progress(at):
            return ArmijoStep(step, value, at, False)
        step *= shrink
    return None


# -- helpers ---------------------------------------------------------------------------
def _evaluate(phi: Phi, step: float, trials: list[_Trial]) -> _Trial:
    """``phi(step)`` as a trial, recorded in ``trials`` (their number is the cost)."""
    trial = _Trial(step, *phi(step))
    trials.append(trial)
    return trial


def _result(trial: _Trial, trials: list[_Trial], success: bool) -> LineSearchResult:
    assert trial.gradient is not None  # every evaluated trial carries its gradient
    return LineSearchResult(trial.step, trial.value, trial.gradient, len(trials), success)


def _failure(trials: list[_Trial]) -> LineSearchResult:
    """The evaluated trial with the lowest value (NaN counts as +inf), flagged as a failure."""
    best = min(trials, key=lambda t: t.value if not math.isnan(t.value) else math.inf)
    return _result(best, trials, False)


def _interpolate(lo: _Trial, hi: _Trial, bisect: bool) -> float | None:
    """A step strictly inside ``(lo, hi)``: the cubic's minimizer, else the quadratic's.

    The midpoint when ``bisect`` is asked for or neither minimizer lies inside, and ``None``
    once the ends are equal to rounding error.
    """
    a, b = sorted((lo.step, hi.step))
    if b - a <= 4 * _EPS * b:
        return None
    if not bisect:
        for candidate in (_cubic_minimizer(lo, hi), _quadratic_minimizer(lo, hi)):
            if candidate is not None and a < candidate < b:
                return candidate
    return a + 0.5 * (b - a)


def _cubic_minimizer(p: _Trial, q: _Trial) -> float | None:
    """Minimizer of the cubic matching value and slope at ``p`` and ``q`` (N&W eq. 3.59).

    ``d1 = phi'(p) + phi'(q) - 3 (phi(p) - phi(q)) / (p - q)``,
    ``d2 = sign(q - p) sqrt(d1^2 - phi'(p) phi'(q))``,
    ``t = q - (q - p) (phi'(q) + d2 - d1) / (phi'(q) - phi'(p) + 2 d2)``.
    ``None`` when the cubic has no minimizer or the data is not finite.
    """
    if not all(math.isfinite(v) for v in (p.value, p.slope, q.value, q.slope)):
        return None
    d1 = p.slope + q.slope - 3 * (p.value - q.value) / (p.step - q.step)
    radicand = d1 * d1 - p.slope * q.slope
    if not (math.isfinite(radicand) and radicand >= 0):
        return None
    d2 = math.copysign(math.sqrt(radicand), q.step - p.step)
    denominator = q.slope - p.slope + 2 * d2
    if denominator == 0:
        return None
    return q.step - (q.step - p.step) * (q.slope + d2 - d1) / denominator


def _quadratic_minimizer(p: _Trial, q: _Trial) -> float | None:
    """Minimizer of the parabola matching ``phi(p)``, ``phi'(p)`` and ``phi(q)``.

    ``phi(t) ~ phi(p) + phi'(p) (t - p) + c (t - p)^2`` has ``t = p - phi'(p) / (2 c)`` when
    its curvature ``c = (phi(q) - phi(p) - phi'(p) (q - p)) / (q - p)^2`` is positive.
    """
    h = q.step - p.step
    curvature = ((q.value - p.value) / h - p.slope) / h
    if not (math.isfinite(curvature) and curvature > 0):
        return None
    return p.step - p.slope / (2 * curvature)
