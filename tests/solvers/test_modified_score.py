"""The modified-score solver: closed forms, fixed coefficients, both step matrices, stops."""

from __future__ import annotations

import numpy as np
import pytest

from log_reg.core import firth
from log_reg.core.firth import FirthLikelihood
from log_reg.solvers.modified_score import solve_modified_score


def two_groups(events0, n0, events1, n1):
    """A binary x and the intercept: the saturated model of a 2 x 2 table."""
    X = np.array([[0.0, 1.0]] * n0 + [[1.0, 1.0]] * n1)
    y = np.array(
        [1.0] * events0 + [0.0] * (n0 - events0) + [1.0] * events1 + [0.0] * (n1 - events1)
    )
    return FirthLikelihood(X, y, np.ones(n0 + n1))


@pytest.mark.parametrize("table", [(0, 3, 3, 3), (0, 5, 2, 4), (1, 6, 6, 6)])
def test_saturated_model_adds_a_half_to_every_cell(table):
    # Firth's estimate of a saturated 2 x 2 model is the ML estimate with 1/2 added to each
    # cell: logit((events + 1/2) / (n + 1)) in each group (Firth 1993), even when a cell is 0.
    e0, n0, e1, n1 = table
    result = solve_modified_score(two_groups(*table))
    logit0, logit1 = (np.log((e + 0.5) / (n - e + 0.5)) for e, n in [(e0, n0), (e1, n1)])
    expected = [logit1 - logit0, logit0]
    assert result.converged
    np.testing.assert_allclose(result.coef, expected, rtol=1e-12)


@pytest.mark.parametrize("exact", [True, False])
def test_exact_and_working_steps_reach_the_same_estimate(monkeypatch, exact):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=(80, 3)), np.ones(80)])
    y = (X[:, 0] + rng.logistic(size=80) > 1).astype(float)
    f = FirthLikelihood(X, y, np.ones(80))
    reference = solve_modified_score(f, tol=1e-13).coef
    if not exact:
        monkeypatch.setattr(firth, "EXACT_HESSIAN_WORK", 0)
    result = solve_modified_score(f)
    assert result.converged
    np.testing.assert_allclose(result.coef, reference, rtol=1e-9)  # tol 1e-10 on the steps
    assert np.max(np.abs(f.at(result.coef).score)) < 1e-8


def test_fixed_coefficients_stay_and_the_others_maximize():
    f = two_groups(1, 5, 4, 5)
    free = np.array([False, True])
    result = solve_modified_score(f, [0.7, 0.0], free=free)
    assert result.coef[0] == 0.7
    assert abs(f.at(result.coef).score[1]) < 1e-10
    assert result.value == pytest.approx(f.at(result.coef).value)


def test_gain_tol_stops_early_and_the_gain_estimates_what_is_left():
    f = two_groups(1, 5, 4, 5)
    exact = solve_modified_score(f, tol=1e-14)
    rough = solve_modified_score(f, tol=0.0, gain_tol=1e-4)
    assert rough.converged and rough.n_iter < exact.n_iter
    assert exact.value - rough.value <= 2 * rough.gain + 1e-15
    assert abs(exact.value - (rough.value + rough.gain)) < abs(exact.value - rough.value)


def test_loss_history_ends_at_the_answer_and_never_rises():
    result = solve_modified_score(two_groups(0, 4, 3, 4))
    assert result.loss_history[-1] == pytest.approx(-result.value)
    assert np.all(np.diff(result.loss_history) <= 1e-12)


def test_collinear_columns_are_a_clear_error():
    X = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 1.0], [3.0, 6.0, 1.0], [4.0, 8.0, 1.0]])
    f = FirthLikelihood(X, np.array([0.0, 1.0, 0.0, 1.0]), np.ones(4))
    with pytest.raises(ValueError, match="linearly dependent"):
        solve_modified_score(f)


def test_max_iter_reached_is_reported_not_converged():
    result = solve_modified_score(two_groups(0, 4, 3, 4), max_iter=1)
    assert not result.converged and "max_iter=1" in result.message and result.n_iter == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"tol": -1.0}, "tol must be"),
        ({"max_step": 0.0}, "max_step must be"),
        ({"coef0": [0.0]}, r"coef0 and free must have shape \(2,\)"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        solve_modified_score(two_groups(0, 4, 3, 4), **kwargs)
