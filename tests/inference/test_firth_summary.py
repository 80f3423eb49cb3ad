"""The rows of a Firth summary and the model's likelihood-ratio test."""

from __future__ import annotations

import numpy as np
import pytest

from log_reg.core.firth import FirthLikelihood
from log_reg.inference.distributions import chi2_sf, norm_sf
from log_reg.inference.firth_summary import coefficient_rows, model_lr_test
from log_reg.solvers.modified_score import solve_modified_score


def estimate(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=(n, 2)), np.ones(n)])
    y = (X[:, 0] + rng.logistic(size=n) > 0.5).astype(float)
    f = FirthLikelihood(X, y, np.ones(n))
    return f.at(solve_modified_score(f).coef)


def test_wald_rows_are_the_textbook_formulas():
    point = estimate()
    rows = coefficient_rows(point, [2, 0, 1], ci="wald")
    se = np.sqrt(np.diag(np.linalg.inv(point.information)))[[2, 0, 1]]
    np.testing.assert_allclose(rows.std_err, se, rtol=1e-14)
    z = rows.coef / se
    np.testing.assert_allclose(rows.chi2, z**2, rtol=1e-14)
    np.testing.assert_allclose(rows.p_value, 2 * norm_sf(np.abs(z)), rtol=1e-12)
    np.testing.assert_allclose(rows.ci_low, rows.coef - 1.959963984540054 * se, rtol=1e-14)


def test_profile_rows_hold_profile_intervals_around_the_estimate():
    point = estimate()
    rows = coefficient_rows(point, [0, 1], ci="profile")
    assert np.all(rows.ci_low < rows.coef) and np.all(rows.coef < rows.ci_high)
    assert rows.method == ("profile", "profile")
    np.testing.assert_allclose(rows.p_value, chi2_sf(rows.chi2, 1), rtol=1e-12)


def test_rows_join_in_order():
    point = estimate()
    a, b = coefficient_rows(point, [2], ci="wald"), coefficient_rows(point, [0, 1], ci="wald")
    joined = a.join(b)
    np.testing.assert_array_equal(joined.coef, point.beta[[2, 0, 1]])
    assert joined.method == ("Wald",) * 3


def test_model_test_refits_the_intercept_alone():
    point = estimate()
    null, test = model_lr_test(point, [0, 1])
    f = point.likelihood
    intercept_only = solve_modified_score(f, np.zeros(3), free=[False, False, True], tol=1e-13)
    assert null == pytest.approx(intercept_only.value, abs=1e-8)
    assert test.df == 2 and test.statistic == pytest.approx(2 * (point.value - null))


def test_bad_ci_names_itself():
    with pytest.raises(ValueError, match="ci must be one of 'profile', 'wald'"):
        coefficient_rows(estimate(), [0], ci="score")
