"""Offsets, coefficient bounds and penalty factors, each against an independent oracle."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from conftest import make_problem
from scipy.optimize import minimize

from log_reg import LogisticRegression
from log_reg.core.objective import make_objective
from log_reg.core.penalty import ElasticNet, alpha_from_C


def test_offset_equals_statsmodels_glm():
    X, y = make_problem(n=300, d=3, seed=21)
    offset = np.random.default_rng(0).normal(scale=0.7, size=len(y))
    ours = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y, offset=offset)
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), offset=offset).fit(tol=1e-12)
    np.testing.assert_allclose(ours.intercept_[0], glm.params[0], rtol=1e-6)
    np.testing.assert_allclose(ours.coef_[0], glm.params[1:], rtol=1e-6)
    # The offset enters the predictions too, and only where it is given.
    expected = glm.predict(sm.add_constant(X), offset=offset)
    np.testing.assert_allclose(ours.predict_proba(X, offset=offset)[:, 1], expected, rtol=1e-6)
    assert not np.allclose(ours.predict_proba(X)[:, 1], expected)


def test_multinomial_offset_per_class():
    X, y = make_problem(n=200, d=2, n_classes=3, seed=22)
    offsets = np.random.default_rng(1).normal(size=(200, 3))
    model = LogisticRegression(C=1.0, tol=1e-10).fit(X, y, offset=offsets)
    # Folding the offset into an explicit objective gives the same optimum.
    f = make_objective(
        X, y, n_classes=3, penalty=ElasticNet(alpha_from_C(1.0, 200)), offset=offsets
    )
    coef = minimize(
        f.loss_gradient,
        f.zeros(),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-12, "maxiter": 10_000},
    ).x.reshape(3, 3)
    coef -= coef.mean(axis=0)  # the softmax's free shift, centred as the estimator does
    np.testing.assert_allclose(model.coef_, coef[:, :2], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("solver", ["auto", "cd", "gd"])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_bounds_hold_exactly_and_the_bounded_kkt_conditions_hold(solver, l1_ratio):
    X, y = make_problem(n=200, d=4, seed=23)
    lower, upper = np.array([-0.2, 0.0, -np.inf, -1.0]), np.array([0.2, np.inf, 0.0, 1.0])
    model = LogisticRegression(
        C=1.0,
        l1_ratio=l1_ratio,
        solver=solver,
        tol=1e-8,
        max_iter=100_000,
        lower_bounds=lower,
        upper_bounds=upper,
    ).fit(X, y)
    w = model.coef_[0]
    assert np.all(w >= lower) and np.all(w <= upper)
    assert np.any((w == lower) | (w == upper))  # some bound is active, or the test says nothing
    f = make_objective(
        X,
        y,
        penalty=ElasticNet(alpha_from_C(1.0, 200), l1_ratio),
        lower_bounds=lower,
        upper_bounds=upper,
    )
    coef = np.append(w, model.intercept_)
    assert f.optimality(coef, f.gradient(coef)) <= 1e-7
    # An independent solver of the same bounded problem (SciPy's L-BFGS-B, L2 only).
    if l1_ratio == 0:
        box = [*zip(lower, upper, strict=True), (None, None)]
        ref = minimize(
            f.loss_gradient,
            f.zeros(),
            jac=True,
            method="L-BFGS-B",
            bounds=box,
            options={"gtol": 1e-12, "ftol": 0, "maxiter": 10_000},
        ).x
        np.testing.assert_allclose(coef, ref, rtol=1e-5, atol=1e-7)


def test_bounds_are_refused_by_solvers_that_cannot_honour_them():
    X, y = make_problem(n=50, d=2)
    with pytest.raises(ValueError, match="cannot honour lower_bounds/upper_bounds.*'cd'"):
        LogisticRegression(solver="lbfgs", lower_bounds=0.0).fit(X, y)


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_penalty_factor_zero_leaves_that_feature_unpenalized(l1_ratio):
    X, y = make_problem(n=150, d=3, seed=24)
    C = 0.05
    model = LogisticRegression(
        C=C, l1_ratio=l1_ratio, penalty_factor=[0.0, 1.0, 2.0], tol=1e-10, max_iter=1000
    ).fit(X, y)
    # The explicit reformulation, smooth: w = p - m with p, m >= 0 turns |w| into p + m, so
    # SciPy's L-BFGS-B solves mean log-loss + alpha sum_j v_j ((1-r)/2 w_j^2 + r |w_j|).
    alpha, v = alpha_from_C(C, 150), np.array([0.0, 1.0, 2.0])

    def objective(u):
        w, b = u[:3] - u[3:6], u[6]
        z = X @ w + b
        r = 1 / (1 + np.exp(-z)) - y
        loss = np.mean(np.logaddexp(0, z) - y * z)
        value = loss + alpha * ((1 - l1_ratio) / 2 * v @ w**2 + l1_ratio * v @ (u[:3] + u[3:6]))
        g_w = X.T @ r / 150 + alpha * (1 - l1_ratio) * v * w
        g_abs = alpha * l1_ratio * v
        return value, np.concatenate([g_w + g_abs, -g_w + g_abs, [r.mean()]])

    box = [(0, None)] * 6 + [(None, None)]
    u = minimize(
        objective,
        np.zeros(7),
        jac=True,
        method="L-BFGS-B",
        bounds=box,
        options={"gtol": 1e-12, "ftol": 0, "maxiter": 10_000},
    ).x
    ref = np.append(u[:3] - u[3:6], u[6])
    ours = np.append(model.coef_[0], model.intercept_)
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)
    assert model.coef_[0, 0] != 0  # unpenalized: not shrunk to zero even under strong L1
