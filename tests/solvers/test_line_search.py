"""The line searches: their conditions hold at the step they return, on hard 1-D functions.

The 1-D test functions are those of Moré and Thuente, "Line search algorithms with
guaranteed sufficient decrease", ACM TOMS 20 (1994), section 6: one with a far minimizer,
one with a near one and a flat start, and one wiggly, nonconvex one with many local minima.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from log_reg.core.objective import make_objective
from log_reg.core.penalty import l2
from log_reg.solvers.line_search import (
    Phi,
    line_function,
    line_search_armijo,
    line_search_wolfe,
)


def _phi(value_slope):
    """Turn ``t -> (phi, phi')`` into the searches' ``Phi`` (gradient = ``[phi']``)."""

    def phi(t):
        value, slope = value_slope(t)
        return value, slope, np.array([slope])

    return phi


def quadratic(t):
    return (t - 3.0) ** 2, 2.0 * (t - 3.0)


def far_minimizer(t, beta=2.0):
    """``-t / (t^2 + beta)``: minimizer at ``sqrt(beta)``, flat tail (Moré-Thuente 5.1)."""
    return -t / (t * t + beta), (t * t - beta) / (t * t + beta) ** 2


def near_minimizer(t, beta=0.004):
    """``(t + beta)^5 - 2 (t + beta)^4``: minimizer near 1.6, tiny slope at 0 (5.2)."""
    u = t + beta
    return u**5 - 2 * u**4, 5 * u**4 - 8 * u**3


def wiggly(t, beta=0.01, ell=39):
    """A convex kink plus ``2(1 - beta)/(ell pi) sin(ell pi t / 2)``: many local minima (5.3)."""
    if t <= 1 - beta:
        base, dbase = 1 - t, -1.0
    elif t >= 1 + beta:
        base, dbase = t - 1, 1.0
    else:
        base, dbase = (t - 1) ** 2 / (2 * beta) + beta / 2, (t - 1) / beta
    k = ell * math.pi / 2
    return base + 2 * (1 - beta) / (ell * math.pi) * math.sin(k * t), dbase + (1 - beta) * math.cos(
        k * t
    )


FUNCTIONS = [quadratic, far_minimizer, near_minimizer, wiggly]


def _assert_strong_wolfe(phi: Phi, result, c1: float, c2: float) -> None:
    f0, slope0, _ = phi(0.0)
    value, slope, gradient = phi(result.step)
    assert result.success
    assert result.step > 0
    assert result.value == value and result.gradient[0] == gradient[0]
    assert value <= f0 + c1 * result.step * slope0  # sufficient decrease
    assert abs(slope) <= c2 * abs(slope0)  # curvature, strong form


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("step0", [1e-3, 1e-1, 1.0, 10.0, 1e3])
@pytest.mark.parametrize(("c1", "c2"), [(1e-4, 0.9), (1e-3, 0.1)])
def test_wolfe_conditions_hold_at_the_returned_step(function, step0, c1, c2):
    # step0 from far too short (extrapolation) to far too long (zoom); (c1, c2) = (1e-3, 0.1)
    # is the stringent pair of Moré and Thuente's tests, 0.9 the quasi-Newton one.
    phi = _phi(function)
    f0, slope0, _ = phi(0.0)
    result = line_search_wolfe(phi, f0, slope0, step0=step0, c1=c1, c2=c2, max_evals=30)
    _assert_strong_wolfe(phi, result, c1, c2)


def test_counts_each_evaluation_once():
    calls = []

    def phi(t):
        calls.append(t)
        return _phi(near_minimizer)(t)

    f0, slope0, _ = _phi(near_minimizer)(0.0)
    result = line_search_wolfe(phi, f0, slope0, step0=1e3, c1=1e-3, c2=0.1)
    assert result.n_evals == len(calls) > 1
    assert result.step == calls[-1]  # the accepted step is the last one evaluated


def test_nan_beyond_the_domain_is_treated_as_too_far():
    # phi is the quadratic on [0, 4) and NaN (e.g. an overflow) from 4 on: the search must
    # shrink back into the domain rather than accept or compare a NaN.
    def phi(t):
        return (math.nan, math.nan, np.array([math.nan])) if t >= 4 else _phi(quadratic)(t)

    result = line_search_wolfe(phi, 9.0, -6.0, step0=100.0)
    _assert_strong_wolfe(phi, result, 1e-4, 0.9)


def test_noise_lets_the_slopes_decide_when_values_are_rounding_error():
    # The true function 1 + 1e-18 (t - 1)^2 changes by far less than its rounding error;
    # the computed values carry an error in [0, 4e-16), as a float64 sum might. Its exact
    # minimizer t = 1 fails sufficient decrease by that error, unless the search knows it.
    def phi(t):
        error = 4e-16 * ((t * 1000 * math.pi) % 1)
        return 1.0 + 1e-18 * (t - 1) ** 2 + error, 2e-18 * (t - 1), np.array([2e-18 * (t - 1)])

    f0, slope0, _ = phi(0.0)
    assert not line_search_wolfe(phi, f0, slope0).success
    result = line_search_wolfe(phi, f0, slope0, noise=1e-15)
    assert result.success and result.step == 1.0 and result.n_evals == 1


def test_failure_reports_the_best_trial():
    # One evaluation at a step that overshoots: no Wolfe point yet, so it fails, and what it
    # returns is the only trial, flagged.
    result = line_search_wolfe(_phi(quadratic), 9.0, -6.0, step0=10.0, max_evals=1)
    assert not result.success
    assert (result.step, result.value, result.n_evals) == (10.0, 49.0, 1)


def test_ascent_direction_and_bad_constants_are_refused():
    with pytest.raises(ValueError, match="slope0 must be < 0"):
        line_search_wolfe(_phi(quadratic), 9.0, 6.0)
    for search in (line_search_wolfe, line_search_armijo):
        with pytest.raises(ValueError, match="step0 must be a number > 0"):
            search(_phi(quadratic), 9.0, -6.0, step0=0.0)
        with pytest.raises(ValueError, match="max_evals must be an integer >= 1"):
            search(_phi(quadratic), 9.0, -6.0, max_evals=0)
    with pytest.raises(ValueError, match="c2 must be a number > 0.5"):
        line_search_wolfe(_phi(quadratic), 9.0, -6.0, c1=0.5, c2=0.5)
    with pytest.raises(ValueError, match="shrink must be a number > 0 and <= 1"):
        line_search_armijo(_phi(quadratic), 9.0, -6.0, shrink=0.0)


def _valued(value_slope):
    """``t -> (phi(t), t)``: the value, and the step itself as what comes back with it."""
    return lambda t: (value_slope(t)[0], t)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("step0", [1e-1, 1.0, 1e3])
def test_armijo_backtracks_to_sufficient_decrease(function, step0):
    phi = _valued(function)
    f0, slope0 = function(0.0)
    found = line_search_armijo(phi, f0, slope0, step0=step0, max_evals=60)
    assert found is not None and found.decreased and found.at == found.step
    assert found.value == phi(found.step)[0] <= f0 + 1e-4 * found.step * slope0
    # the previous, twice as long step did not decrease enough (or it was the first one)
    assert found.step == step0 or phi(2 * found.step)[0] > f0 + 2e-4 * found.step * slope0


def test_armijo_fails_with_none_once_its_tries_run_out():
    # t = 1, 1/2, 1/4 all overshoot the quadratic's minimum at t = 0.1 by too much
    found = line_search_armijo(lambda t: ((t - 0.1) ** 2, None), 0.01, -0.2, max_evals=3)
    assert found is None
    assert line_search_armijo(lambda t: ((t - 0.1) ** 2, None), 0.01, -0.2).step == 0.125


def test_armijo_at_rounding_level_takes_a_step_that_makes_progress():
    # f rises along the ray by less than its rounding error (1e-15 here): sufficient
    # decrease fails at every t, and only `progress` (here: t <= 1/4) decides.
    def phi(t):
        return 1e-16 * (1 + t), t

    assert line_search_armijo(phi, 0.0, -1e-16) is None
    found = line_search_armijo(phi, 0.0, -1e-16, rounding=1e-15, progress=lambda t: t <= 0.25)
    assert found is not None and (found.step, found.decreased) == (0.25, False)
    # `noise` instead relaxes sufficient decrease itself: the full step passes
    found = line_search_armijo(phi, 0.0, -1e-16, noise=1e-15)
    assert found is not None and (found.step, found.decreased) == (1.0, True)


def test_line_function_is_the_objective_along_the_ray():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    f = make_objective(X, rng.integers(0, 3, size=30), n_classes=3, penalty=l2(0.1))
    coef, direction = rng.normal(size=f.n_coef), rng.normal(size=f.n_coef)
    value, slope, gradient = line_function(f.loss_gradient, coef, direction)(0.7)
    expected_value, expected_gradient = f.loss_gradient(coef + 0.7 * direction)
    assert value == expected_value
    np.testing.assert_array_equal(gradient, expected_gradient)
    # slope = grad . d, which a central difference confirms (error O(h^2) ~ 1e-10)
    h = 1e-5
    fd = (f.value(coef + (0.7 + h) * direction) - f.value(coef + (0.7 - h) * direction)) / (2 * h)
    assert slope == pytest.approx(fd, rel=1e-6)
