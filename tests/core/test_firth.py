"""Firth's penalized likelihood: every derivative against finite differences, the
identities the solvers rely on, and frequency weights that mean repeated rows."""

from __future__ import annotations

import numpy as np
import pytest
from finite_differences import numerical_gradient, numerical_jacobian

from log_reg.core import firth
from log_reg.core.firth import FirthLikelihood


def likelihood(n=40, d=3, seed=0, weights=True, offset=True, tau=0.5):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=(n, d)), np.ones(n)])
    y = (rng.random(n) < 0.35).astype(float)
    s = rng.integers(0, 4, size=n).astype(float) if weights else np.ones(n)
    o = 0.3 * rng.normal(size=n) if offset else None
    return FirthLikelihood(X, y, s, o, tau=tau)


@pytest.mark.parametrize("tau", [0.5, 0.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_score_is_the_gradient_of_the_penalized_log_likelihood(seed, tau):
    f = likelihood(seed=seed, tau=tau)
    beta = np.random.default_rng(seed).normal(scale=0.4, size=f.n_coef)
    numeric = numerical_gradient(lambda b: f.at(b).value, beta)
    # central differences with h = 1e-6 on a value of size ~30: error ~1e-8
    np.testing.assert_allclose(f.at(beta).score, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_negative_hessian_is_minus_the_jacobian_of_the_score(seed):
    f = likelihood(seed=seed)
    beta = np.random.default_rng(seed).normal(scale=0.4, size=f.n_coef)
    numeric = numerical_jacobian(lambda b: f.at(b).score, beta)
    np.testing.assert_allclose(f.at(beta).negative_hessian, -numeric, rtol=1e-6, atol=1e-6)


def test_the_working_information_is_information_plus_the_penalty_curvature():
    f = likelihood()
    point = f.at(np.full(f.n_coef, 0.1))
    v = f.weights * point.p * (1 - point.p)
    np.testing.assert_allclose(point.information, f.X.T @ (v[:, None] * f.X), rtol=1e-12)
    augmented = (f.weights + point.hat) * point.p * (1 - point.p)
    np.testing.assert_allclose(
        point.working_information, f.X.T @ (augmented[:, None] * f.X), rtol=1e-12
    )


def test_hat_values_are_the_diagonal_of_the_hat_matrix_and_sum_to_p():
    f = likelihood(weights=False)
    point = f.at(np.full(f.n_coef, -0.2))
    v = point.p * (1 - point.p)
    A = np.sqrt(v)[:, None] * f.X
    H = A @ np.linalg.solve(A.T @ A, A.T)
    np.testing.assert_allclose(point.hat, np.diag(H), rtol=1e-12)
    assert point.hat.sum() == pytest.approx(f.n_coef, rel=1e-12)  # trace of a projection


def test_value_is_log_likelihood_plus_half_log_det_information():
    f = likelihood()
    point = f.at(np.zeros(f.n_coef))
    z = f.offset
    log_likelihood = np.sum(f.weights * (f.y * z - np.log1p(np.exp(z))))
    sign, log_det = np.linalg.slogdet(point.information)
    assert sign == 1
    assert point.value == pytest.approx(log_likelihood + 0.5 * log_det, rel=1e-13)


def test_weights_are_frequencies_in_the_penalty_too():
    f = likelihood(weights=True)
    rows = np.repeat(np.arange(len(f.y)), f.weights.astype(int))  # each row s_i times
    repeated = FirthLikelihood(f.X[rows], f.y[rows], np.ones(len(rows)), f.offset[rows])
    beta = np.array([0.3, -0.2, 0.1, -0.5])
    a, b = f.at(beta), repeated.at(beta)
    assert a.value == pytest.approx(b.value, rel=1e-12)
    np.testing.assert_allclose(a.score, b.score, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.working_information, b.working_information, rtol=1e-10)


def test_a_singular_information_gives_minus_infinity_not_an_error():
    X = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 1.0], [3.0, 6.0, 1.0]])  # column 2 = 2 x column 1
    point = FirthLikelihood(X, np.array([0.0, 1.0, 1.0]), np.ones(3)).at(np.zeros(3))
    assert point.singular and point.value == -np.inf
    with pytest.raises(np.linalg.LinAlgError):
        _ = point.hat


def test_step_matrix_is_exact_on_small_data_and_working_information_on_large(monkeypatch):
    f = likelihood()
    point = f.at(np.full(f.n_coef, 0.05))
    np.testing.assert_array_equal(point.step_matrix(), point.negative_hessian)
    monkeypatch.setattr(firth, "EXACT_HESSIAN_WORK", 0)
    fresh = f.at(point.beta)
    np.testing.assert_allclose(fresh.step_matrix(), fresh.working_information, rtol=1e-14)
    other = f.at(np.zeros(f.n_coef))  # I here, the penalty's curvature there
    expected = fresh.information + other.penalty_curvature
    np.testing.assert_allclose(fresh.step_matrix(other), expected, rtol=1e-14)


def test_rounding_covers_the_noise_of_the_value():
    f = likelihood()
    point = f.at(np.full(f.n_coef, 0.2))
    shuffled = np.random.default_rng(3).permutation(len(f.y))
    again = FirthLikelihood(f.X[shuffled], f.y[shuffled], f.weights[shuffled], f.offset[shuffled])
    assert abs(again.at(point.beta).value - point.value) <= point.rounding
