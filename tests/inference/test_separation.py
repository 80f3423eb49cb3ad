"""Separation checks: certificates only (never a false alarm), checked against an LP oracle."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_problem
from scipy.optimize import linprog

from log_reg import LogisticRegression
from log_reg.inference.separation import PerfectSeparationWarning, Separation, check_separation


def fitted_check(X, y, tol=1e-6, fit_intercept=True, sample_weight=None):
    model = LogisticRegression(C=np.inf, tol=tol, fit_intercept=fit_intercept, max_iter=200)
    model.fit(X, y, sample_weight=sample_weight)
    return check_separation(
        X,
        y,
        model.coef_,
        model.intercept_,
        sample_weight=sample_weight,
        fit_intercept=fit_intercept,
    )


def lp_separation(X, y):
    """Oracle: the largest sum of binary margins over directions in the unit box, with every
    margin >= 0 (quasi-complete when > 0), and the largest smallest margin (complete when > 0)."""
    D = np.c_[X, np.ones(len(X))] * np.where(y == 1, 1.0, -1.0)[:, None]  # rows m_i(v) = D_i v
    n, p = D.shape
    quasi = linprog(-D.sum(0), A_ub=-D, b_ub=np.zeros(n), bounds=[(-1, 1)] * p)
    complete = linprog(
        np.r_[np.zeros(p), -1.0],
        A_ub=np.c_[-D, np.ones(n)],
        b_ub=np.zeros(n),
        bounds=[(-1, 1)] * p + [(None, 1)],
    )
    return -quasi.fun > 1e-7, -complete.fun > 1e-7


def test_one_feature_separating_completely_is_named():
    X, _ = make_problem(n=50, d=3, seed=0)
    y = (X[:, 2] > 0.1).astype(int)
    assert fitted_check(X, y) == Separation("complete", (2,))


def test_a_combination_of_features_is_found_by_the_fit():
    X, _ = make_problem(n=50, d=3, seed=0)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    assert fitted_check(X, y) == Separation("complete", ())


def test_a_dummy_predicting_one_class_is_quasi_complete():
    rng = np.random.default_rng(1)
    dummy = (rng.random(60) < 0.3).astype(float)
    y = np.where(dummy == 1, 1, (rng.random(60) < 0.5).astype(int))
    X = np.c_[rng.normal(size=(60, 2)), dummy]
    assert fitted_check(X, y) == Separation("quasi-complete", (2,))


def test_quasi_complete_separation_by_a_combination():
    """Rows in group g are separated by x0 + x1; the others have x0 = x1 = 0 and mixed labels."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 3))
    g = rng.random(200) < 0.4
    X[~g, :2] = 0.0
    y = np.where(g, X[:, 0] + X[:, 1] > 0, rng.random(200) < 0.5).astype(int)
    for tol in (1e-4, 1e-10):
        assert fitted_check(X, y, tol=tol) == Separation("quasi-complete", ())


def test_without_intercept_the_threshold_is_zero():
    X, _ = make_problem(n=50, d=2, seed=3)
    y = (X[:, 1] > 0).astype(int)
    assert fitted_check(X, y, fit_intercept=False) == Separation("complete", (1,))
    shifted = X + np.array([0.0, 5.0])  # still separated by x1 > 5, but not through the origin
    single = check_separation(shifted, y, np.zeros((1, 2)), np.zeros(1), fit_intercept=False)
    assert single is None


def test_multinomial():
    X, y = make_problem(n=90, d=2, n_classes=3, seed=4, separable=True)
    assert fitted_check(X, y) == Separation("complete", ())
    X, y = make_problem(n=90, d=2, n_classes=3, seed=4)
    assert fitted_check(X, y) is None
    X[y == 2, 1] += 20.0  # class 2 split from the rest by x1: quasi-complete
    assert fitted_check(X, y) == Separation("quasi-complete", (1,))


def test_rows_of_weight_zero_are_ignored():
    X, _ = make_problem(n=40, d=2, seed=5)
    y = (X[:, 0] > 0).astype(int)
    X = np.r_[X, [[5.0, 0.0]]]
    y = np.r_[y, 0]  # breaks the separation, unless its weight is 0
    weights = np.r_[np.ones(40), 0.0]
    assert fitted_check(X, y) is None
    assert fitted_check(X, y, sample_weight=weights) == Separation("complete", (0,))


def test_strong_but_overlapping_signal_is_not_flagged():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(400, 2)) * [30.0, 1.0]
    y = (rng.random(400) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)  # large coefficient, overlap
    assert fitted_check(X, y, tol=1e-10) is None


@pytest.mark.parametrize("seed", range(40))
def test_agrees_with_a_linear_program(seed):
    """Never a false alarm; on these small problems, every separation is found."""
    rng = np.random.default_rng(seed)
    n, d = rng.integers(8, 25), rng.integers(1, 4)
    X = rng.normal(size=(n, d))
    if seed % 3 == 0:
        X[:, 0] = rng.integers(0, 2, n)  # a dummy, for quasi-complete cases
    y = (X @ rng.normal(size=d) + rng.normal(scale=0.7, size=n) > 0).astype(int)
    if len(np.unique(y)) < 2:
        y[0] = 1 - y[0]
    quasi, complete = lp_separation(X, y)
    found = fitted_check(X, y, tol=1e-8)
    assert (found is not None) == quasi
    assert found is None or (found.kind == "complete") == complete


def test_message_and_warning_class():
    message = Separation("quasi-complete", (0, 2)).message(["age", "dose", "group"])
    assert "features 'age', 'group' each alone separate" in message and "finite C" in message
    assert "combination" in Separation("complete", ()).message()
    assert "'x1'" in Separation("complete", (1,)).message()
    assert issubclass(PerfectSeparationWarning, UserWarning)


def test_sparse_input_runs_the_feature_and_fit_checks():
    from scipy import sparse

    rng = np.random.default_rng(7)
    dummy = (rng.random(80) < 0.3).astype(float)
    y = np.where(dummy == 1, 1, (rng.random(80) < 0.5).astype(int))
    X = np.c_[rng.normal(size=(80, 2)) * (rng.random((80, 2)) < 0.5), dummy]
    coef, intercept = np.array([[0.1, -0.2, 9.0]]), np.array([0.3])
    dense = check_separation(X, y, coef, intercept)
    assert dense == Separation("quasi-complete", (2,))
    assert check_separation(sparse.csr_matrix(X), y, coef, intercept) == dense
    y = (X[:, 0] > 0).astype(int)
    found = check_separation(sparse.csc_matrix(X), y, np.array([[50.0, 0, 0]]), np.array([-1e-3]))
    assert found == check_separation(X, y, np.array([[50.0, 0, 0]]), np.array([-1e-3]))
