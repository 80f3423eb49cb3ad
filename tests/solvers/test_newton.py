"""Tests for the Newton solver: scikit-learn's answers, quadratic convergence, safeguards.

Reference fits use scikit-learn's ``LogisticRegression`` with ``tol=1e-12``; our runs stop at
``tol=1e-10``. Both then sit within about 1e-7 of the exact minimizer on these well
conditioned problems, so coefficients are compared to relative 1e-5 (largest difference over
largest coefficient): tight enough to catch a wrong Hessian, loose enough for BLAS rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from log_reg.core.objective import Objective, make_objective
from log_reg.core.penalty import ElasticNet, alpha_from_C, l1, l2, no_penalty
from log_reg.solvers.newton import (
    _drifted_decrement,
    _extend,
    _newton_direction,
    _start,
    solve_newton,
)
from log_reg.solvers.result import IterationInfo

RTOL = 1e-5  # see the module docstring


def softmax_data(seed: int, n: int = 300, d: int = 4, n_classes: int = 3):
    """Labels drawn from a random softmax model: overlapping classes, a finite optimum."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    Z = X @ rng.standard_normal((n_classes, d)).T  # (n, K)
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    y = (rng.random(n)[:, None] > P.cumsum(axis=1)).sum(axis=1)  # one draw per row
    return X, np.minimum(y, n_classes - 1), rng.uniform(0.5, 2.0, n)


def objective_for(X, y, n_classes, C, sample_weight=None, fit_intercept=True) -> Objective:
    """Our objective with the same minimizer as scikit-learn's for ``C``."""
    S = len(y) if sample_weight is None else float(np.sum(sample_weight))
    penalty = no_penalty() if np.isinf(C) else l2(alpha_from_C(C, S))
    return make_objective(
        X,
        y,
        n_classes=n_classes,
        penalty=penalty,
        sample_weight=sample_weight,
        fit_intercept=fit_intercept,
    )


def sklearn_coef(X, y, C, sample_weight=None, fit_intercept=True, solver="lbfgs"):
    """scikit-learn's answer as our matrix view ``(n_raw, p)``, intercept in the last column."""
    model = LogisticRegression(
        C=C, solver=solver, tol=1e-12, max_iter=10_000, fit_intercept=fit_intercept
    )
    model.fit(X, y, sample_weight=sample_weight)
    if fit_intercept:
        return np.c_[model.coef_, model.intercept_]
    return model.coef_


def relative_error(coef, reference) -> float:
    return float(np.max(np.abs(coef - reference)) / np.max(np.abs(reference)))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("C", [1.0, 0.05])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_sklearn(n_classes, C, weighted, fit_intercept):
    X, y, s = softmax_data(0, n_classes=n_classes)
    s = s if weighted else None
    f = objective_for(X, y, n_classes, C, s, fit_intercept)
    result = solve_newton(f, tol=1e-10)
    assert result.converged, result.message
    assert result.optimality <= 1e-10
    M = result.coef.reshape(f.coef_shape)
    assert relative_error(M, sklearn_coef(X, y, C, s, fit_intercept)) <= RTOL


@pytest.mark.parametrize("weighted", [False, True])
def test_unpenalized_multinomial_matches_sklearn(weighted):
    # H is singular along (v, ..., v); scikit-learn reports the sum-to-zero solution.
    X, y, s = softmax_data(1, n_classes=4)
    s = s if weighted else None
    f = objective_for(X, y, 4, np.inf, s)
    result = solve_newton(f, tol=1e-10)
    assert result.converged, result.message
    M = result.coef.reshape(f.coef_shape)
    assert relative_error(M, sklearn_coef(X, y, np.inf, s)) <= RTOL
    np.testing.assert_allclose(M.sum(axis=0), 0, atol=1e-12)  # rounding only


def test_multinomial_start_is_centered():
    # Adding one vector to every class changes no prediction, so any start gives one answer.
    X, y, _ = softmax_data(2)
    f = objective_for(X, y, 3, 1.0)
    shifted = np.tile(np.arange(f.coef_shape[1], dtype=float), f.coef_shape[0])
    a, b = solve_newton(f, tol=1e-12), solve_newton(f, shifted, tol=1e-12)
    # each within |g|_2 / lambda_min(H on S) <= sqrt(15) 1e-12 / (1 / 300) ~ 1.2e-9 of it
    np.testing.assert_allclose(a.coef, b.coef, rtol=0, atol=2.5e-9)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_duplicated_column_with_l2(n_classes):
    # H's copies of a column are identical; L2 keeps it definite and splits the weight evenly.
    X, y, _ = softmax_data(3, n_classes=n_classes)
    X = np.c_[X, X[:, 0]]
    f = objective_for(X, y, n_classes, 1.0)
    result = solve_newton(f, tol=1e-10)
    assert result.converged, result.message
    M = result.coef.reshape(f.coef_shape)
    np.testing.assert_allclose(M[:, 0], M[:, 4], rtol=1e-8)
    assert relative_error(M, sklearn_coef(X, y, 1.0)) <= RTOL


def test_duplicated_column_unpenalized_gives_minimum_norm():
    # H is singular; the damped step keeps the split even, and the sum is the unduplicated fit.
    X, y, _ = softmax_data(4, n_classes=2)
    f = objective_for(np.c_[X, X[:, 0]], y, 2, np.inf)
    result = solve_newton(f, tol=1e-10)
    assert result.converged, result.message
    w = result.coef
    single = solve_newton(objective_for(X, y, 2, np.inf), tol=1e-10).coef
    # even up to rounding: each damped step moves along the null direction by about
    # eps |g| / mu, with mu = 1e-10 tau, so the halves drift apart by ~1e-6 over a few steps
    np.testing.assert_allclose(w[0], w[4], rtol=1e-4)
    np.testing.assert_allclose(w[0] + w[4], single[0], rtol=RTOL)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("tol", [1e-4, 0.0])
def test_separable_data_stops_finite(n_classes, tol):
    # Unpenalized and separable: the minimum lies at infinity and H -> 0 along the way.
    rng = np.random.default_rng(5)
    X = rng.standard_normal((100, 2))
    y = np.digitize(X[:, 0] + X[:, 1], [0.0] if n_classes == 2 else [-0.5, 0.5])
    f = objective_for(X, y, n_classes, np.inf)
    result = solve_newton(f, tol=tol, max_iter=100)
    assert result.n_iter <= 100
    assert np.all(np.isfinite(result.coef)) and np.all(np.isfinite(result.loss_history))
    assert np.all(np.diff(result.loss_history) <= 0)  # Armijo: f never rises
    # tol=1e-4 is reached within a dozen steps; tol=0 only ends at a rounding wall
    assert result.converged == (tol > 0), result.message


def test_quadratic_convergence_on_breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    f = objective_for(X, y, 2, 1.0)
    seen: list[IterationInfo] = []
    result = solve_newton(f, tol=1e-10, callback=seen.append)
    assert result.converged and result.n_iter <= 10, result.message
    reference = sklearn_coef(X, y, 1.0, solver="newton-cholesky")
    assert relative_error(result.coef.reshape(f.coef_shape), reference) <= RTOL
    # the callback reports every iteration, numbered from 1, with the loss history
    assert [info.iteration for info in seen] == list(range(1, result.n_iter + 1))
    np.testing.assert_array_equal([info.loss for info in seen], result.loss_history[1:])
    # quadratic: near the end each step gains about twice the digits of the one before
    # (linear convergence would gain the same number); 1.5 leaves room for rounding
    gains = -np.diff(np.log10([info.optimality for info in seen]))[-3:]
    assert np.all(gains[1:] >= 1.5 * gains[:-1]), gains


def test_too_short_full_steps_are_doubled(monkeypatch):
    # Breast cancer at C = 1 is nearly separable: the optimum lies far out, f curves less
    # ahead than at each iterate, and the full step falls short for several iterations.
    X, y = load_breast_cancer(return_X_y=True)
    f = objective_for((X - X.mean(axis=0)) / X.std(axis=0), y, 2, 1.0)
    passes = []
    counted = f.loss_gradient

    def loss_gradient(coef):
        passes.append(coef)
        return counted(coef)

    object.__setattr__(f, "loss_gradient", loss_gradient)  # a frozen dataclass
    doubled = solve_newton(f, tol=1e-8)
    doubled_passes = len(passes)
    monkeypatch.setattr("log_reg.solvers.newton.MAX_DOUBLINGS", 0)
    passes.clear()
    plain = solve_newton(f, tol=1e-8)
    assert doubled.converged and plain.converged
    assert doubled.n_iter <= plain.n_iter - 2, (doubled.n_iter, plain.n_iter)  # 6 against 9
    assert doubled_passes < len(passes), (doubled_passes, len(passes))  # 9 against 10
    assert np.all(np.diff(doubled.loss_history) < 0)  # every doubling lowered f
    np.testing.assert_allclose(doubled.coef, plain.coef, rtol=0, atol=1e-6)


def test_a_full_step_that_lands_on_the_minimum_is_not_doubled():
    # On a quadratic, the Newton step ends where the slope is 0: no pass is spent on t = 2.
    f = objective_for(*softmax_data(8, n_classes=2)[:2], 2, 1.0)
    H, g = np.diag([2.0, 3.0, 4.0, 5.0, 6.0]), np.array([1.0, -2.0, 0.5, 0.0, 3.0])

    def quadratic(coef):  # f(c) = g^T c + c^T H c / 2
        return float(g @ coef + coef @ H @ coef / 2), g + H @ coef

    d = -np.linalg.solve(H, g)
    full = quadratic(d)
    object.__setattr__(f, "loss_gradient", lambda coef: pytest.fail("a pass was spent"))
    point, value, _ = _extend(f, np.zeros(5), 0.0, float(g @ d), d, *full)
    np.testing.assert_array_equal(point, d)
    assert value == full[0]


@pytest.mark.parametrize("minimum, passes, step", [(1.4, 0, 1.0), (3.0, 1, 2.0)])
def test_a_doubling_is_tried_only_where_the_cubic_predicts_a_decrease(minimum, passes, step):
    # phi(t) = (t - minimum)^2 along d: the full step falls short in both cases, and the
    # cubic through phi, phi' at 0 and 1 (exact here) says whether phi(2) < phi(1)
    f = objective_for(*softmax_data(8, n_classes=2)[:2], 2, 1.0)
    d = np.ones(f.n_coef) / np.sqrt(f.n_coef)  # unit length: phi'(t) = grad . d
    evaluated = []

    def phi(coef):  # f(c) = (c . d - minimum)^2, gradient 2 (c . d - minimum) d
        evaluated.append(coef)
        t = float(coef @ d)
        return (t - minimum) ** 2, 2 * (t - minimum) * d

    object.__setattr__(f, "loss_gradient", phi)
    value, grad = phi(d)
    evaluated.clear()
    point, _, _ = _extend(f, np.zeros(f.n_coef), minimum**2, -2 * minimum, d, value, grad)
    assert len(evaluated) == passes
    np.testing.assert_allclose(point, step * d)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_drifted_decrement_bounds_the_exact_one_from_above(n_classes):
    X, y, _ = softmax_data(9, n_classes=n_classes)
    f = objective_for(X, y, n_classes, 1.0)
    coef = _start(f, None)
    for _ in range(6):  # plain Newton steps, from far out to the optimum
        H, grad = f.hessian(coef), f.gradient(coef)
        step, _ = _newton_direction(f, H, grad)
        new_grad = f.gradient(coef + step)
        exact = -0.5 * new_grad @ _newton_direction(f, f.hessian(coef + step), new_grad)[0]
        bound = _drifted_decrement(f, f, H, step, new_grad)
        assert exact <= bound <= np.exp(f.curvature_drift(step)) ** 2 * exact, (exact, bound)
        coef = coef + step


def test_the_last_hessian_is_saved(monkeypatch):
    X, y = load_breast_cancer(return_X_y=True)
    f = objective_for((X - X.mean(axis=0)) / X.std(axis=0), y, 2, 1.0)
    counted, hessians = f.hessian, []
    object.__setattr__(f, "hessian", lambda coef: hessians.append(coef) or counted(coef))
    saved = solve_newton(f)
    saved_hessians = len(hessians)
    monkeypatch.setattr("log_reg.solvers.newton._drifted_decrement", lambda *args: np.inf)
    hessians.clear()
    plain = solve_newton(f)
    assert saved.converged and plain.converged and saved.n_iter == plain.n_iter
    assert (saved_hessians, len(hessians)) == (saved.n_iter, plain.n_iter + 1)  # 5 and 6
    np.testing.assert_array_equal(saved.coef, plain.coef)  # the same steps


def test_max_iter_reached():
    X, y, _ = softmax_data(6)
    result = solve_newton(objective_for(X, y, 3, 1.0), tol=1e-12, max_iter=2)
    assert not result.converged
    assert result.n_iter == 2 and len(result.loss_history) == 2
    assert "max_iter=2" in result.message
    assert result.optimality > 1e-12


def test_warm_start_at_the_optimum_takes_no_step():
    X, y, _ = softmax_data(7, n_classes=2)
    f = objective_for(X, y, 2, 1.0)
    first = solve_newton(f, tol=1e-8)
    again = solve_newton(f, first.coef, tol=1e-8)
    assert again.converged and again.n_iter == 0 and len(again.loss_history) == 1
    np.testing.assert_array_equal(again.coef, first.coef)


@pytest.mark.parametrize("penalty", [l1(0.01), ElasticNet(0.01, 0.5)])
def test_l1_penalty_is_refused(penalty):
    X, y, _ = softmax_data(8, n_classes=2)
    f = make_objective(X, y, penalty=penalty)
    with pytest.raises(ValueError, match="newton solver handles no L1 penalty.*'gd'"):
        solve_newton(f)


def test_bad_arguments():
    X, y, _ = softmax_data(9, n_classes=2)
    f = make_objective(X, y)
    with pytest.raises(ValueError, match=r"coef0 must have shape \(5,\)"):
        solve_newton(f, np.zeros(3))
    with pytest.raises(ValueError, match="max_iter must be an integer >= 0"):
        solve_newton(f, max_iter=-1)
    with pytest.raises(ValueError, match="tol must be a number >= 0"):
        solve_newton(f, tol=-1.0)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_float32_stays_float32(n_classes):
    X, y, _ = softmax_data(10, n_classes=n_classes)
    f32 = objective_for(X.astype(np.float32), y, n_classes, 1.0)
    result = solve_newton(f32, tol=1e-6)
    assert result.converged, result.message
    assert result.coef.dtype == np.float32
    exact = solve_newton(objective_for(X, y, n_classes, 1.0), tol=1e-10).coef
    # |g| <= 1e-6 and H >= 3e-3 on the sum-to-zero subspace here (alpha = 1/300) put the
    # float32 answer within 1e-6 / 3e-3 ~ 3e-4 of the minimizer; coefficients are ~2
    assert relative_error(result.coef, exact) <= 1e-3


@pytest.mark.parametrize("m", [1, 63, 64, 65, 200])
def test_forward_substitution_in_blocks_matches_a_dense_solve(m):
    from log_reg.solvers.newton import _forward_substitution

    rng = np.random.default_rng(m)
    L = np.tril(rng.normal(size=(m, m))) + m * np.eye(m)  # well-conditioned, lower-triangular
    b = rng.normal(size=m)
    np.testing.assert_allclose(_forward_substitution(L, b), np.linalg.solve(L, b), rtol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_subsampled_hessian_reaches_the_exact_newton_optimum(n_classes):
    rng = np.random.default_rng(4)
    n, d = 12_000, 6
    X = rng.normal(size=(n, d)) * np.array([1, 10, 0.1, 1, 3, 1])  # unscaled columns
    Z = X @ rng.normal(size=(d, n_classes)) / 3
    y = np.argmax(Z + rng.gumbel(size=Z.shape), axis=1)
    f = make_objective(X, y, n_classes=n_classes, penalty=l2(alpha_from_C(1.0, n)))
    exact = solve_newton(f, tol=1e-10)
    f_star = f.value(exact.coef)
    sub = solve_newton(f, hessian_rows=600)  # 5% of the rows
    assert sub.converged, sub.message
    assert (f.value(sub.coef) - f_star) / f_star <= 1e-6
    again = solve_newton(f, hessian_rows=600)  # the rows are drawn the same way each time
    np.testing.assert_array_equal(again.coef, sub.coef)
    # and it converges all the way (linearly: the step is not quite Newton's)
    tight = solve_newton(f, hessian_rows=600, tol=1e-9)
    assert tight.converged and (f.value(tight.coef) - f_star) / f_star <= 1e-12
    # as many rows as there are, or more: the exact Hessian
    np.testing.assert_array_equal(solve_newton(f, hessian_rows=n).coef, solve_newton(f).coef)
    with pytest.raises(ValueError, match="hessian_rows"):
        solve_newton(f, hessian_rows=0)


def test_auto_takes_the_subsampled_hessian_on_tall_data_only():
    from log_reg.solvers import SUBSAMPLE_ROWS_PER_COEF, choose_solver

    def auto(n, n_coef):
        return choose_solver("auto", penalty=l2(1.0), n_coef=n_coef, n_samples=n).name

    assert auto(500, 31) == "newton"  # the exact Hessian is cheap
    assert auto(200_000, 51) == "newton-subsampled"
    assert auto(1_000_000, 51) == "newton-subsampled"
    assert auto(3 * SUBSAMPLE_ROWS_PER_COEF * 51, 51) == "lbfgs-newton-cg"  # too few rows
    assert auto(200_000, 2_020) == "lbfgs-newton-cg"  # too many coefficients
