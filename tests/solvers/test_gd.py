"""Batch gradient descent: reaches scikit-learn's tight optimum; the script's early stopping."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_problem, sklearn_optimum

from log_reg.core.objective import make_objective
from log_reg.core.penalty import ElasticNet, alpha_from_C, l2
from log_reg.solvers import IterationInfo, solve_gd


@pytest.mark.parametrize("n_classes", [2, 3])
def test_reaches_the_optimum(n_classes):
    X, y = make_problem(n=300, d=4, n_classes=n_classes, seed=3)
    s = np.random.default_rng(0).uniform(0.5, 2, len(y))
    f = make_objective(
        X, y, n_classes=n_classes, penalty=l2(alpha_from_C(1.0, s.sum())), sample_weight=s
    )
    result = solve_gd(f, tol=1e-9, max_iter=100_000)
    assert result.converged and result.optimality <= 1e-9
    # Gradient 1e-9 with strong convexity >= alpha ~ 3e-3 puts coef within ~1e-6 of the optimum.
    np.testing.assert_allclose(result.coef, sklearn_optimum(X, y, 1.0, s), rtol=1e-5)
    assert np.all(np.diff(result.loss_history) <= 1e-15)  # step 1/L never goes uphill


def test_proximal_steps_solve_the_elastic_net():
    X, y = make_problem(n=200, d=6, seed=5)
    f = make_objective(X, y, penalty=ElasticNet(0.05, 0.7))
    result = solve_gd(f, tol=1e-8, max_iter=100_000)
    assert result.converged
    assert f.optimality(result.coef, f.gradient(result.coef)) <= 1e-8  # the KKT conditions
    assert np.any(result.coef[:-1] == 0)  # L1 puts some weights exactly at zero


def test_max_iter_and_patience_are_reported():
    X, y = make_problem(n=100, d=3)
    f = make_objective(X, y, penalty=l2(0.01))
    result = solve_gd(f, tol=1e-12, max_iter=5)
    assert (result.n_iter, result.converged, len(result.loss_history)) == (5, False, 5)
    assert "max_iter=5" in result.message
    wild = solve_gd(f, lr=100.0, tol=0.0, max_iter=1000, patience=3)
    assert not wild.converged and "patience=3" in wild.message and wild.n_iter < 1000


def test_callback_sees_every_iteration():
    X, y = make_problem(n=50, d=2)
    f = make_objective(X, y, penalty=l2(0.1))
    seen: list[IterationInfo] = []
    result = solve_gd(f, max_iter=7, tol=0.0, callback=seen.append)
    # One report after each step, of the state it reached; loss_history holds f before each.
    assert [i.iteration for i in seen] == list(range(1, 8))
    np.testing.assert_array_equal([i.loss for i in seen][:-1], result.loss_history[1:])


def test_float32_stays_float32():
    X, y = make_problem(n=50, d=2)
    f = make_objective(X.astype(np.float32), y, penalty=l2(0.1))
    assert solve_gd(f, max_iter=10).coef.dtype == np.float32


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lr": 0.0}, "lr must be a number > 0"),
        ({"max_iter": -1}, "max_iter must be an integer >= 0"),
        ({"patience": -2}, "patience must be an integer >= 1"),
        ({"tol": -1.0}, "tol must be"),
    ],
)
def test_rejects_bad_options(kwargs, match):
    X, y = make_problem(n=10, d=2)
    with pytest.raises(ValueError, match=match):
        solve_gd(make_objective(X, y), **kwargs)
