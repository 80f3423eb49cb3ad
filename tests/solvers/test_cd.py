"""newGLMNET (``solve_cd``): against scikit-learn's saga and lbfgs, glmnet, and the KKT conditions."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import make_problem
from sklearn.linear_model import LogisticRegression

from log_reg.core.objective import make_objective
from log_reg.core.penalty import ElasticNet, alpha_from_C, l1
from log_reg.solvers.cd import solve_cd

CASES = [
    pytest.param(K, weighted, intercept, id=f"K{K}-w{weighted:d}-b{intercept:d}")
    for K in (2, 3)
    for weighted in (False, True)
    for intercept in (False, True)
]
L1_RATIOS = [pytest.param(1.0, id="l1"), pytest.param(0.5, id="enet")]


def build(K, weighted, intercept, *, C=0.5, l1_ratio=1.0, n=80, d=6, seed=0):
    """An objective with scikit-learn's ``C``, and the data that made it."""
    X, y = make_problem(n=n, d=d, n_classes=K, seed=seed)
    s = np.random.default_rng(seed).uniform(0.1, 3, n) if weighted else np.ones(n)
    alpha = alpha_from_C(C, s.sum())
    f = make_objective(
        X,
        y,
        n_classes=K,
        penalty=ElasticNet(alpha, l1_ratio),
        sample_weight=s,
        fit_intercept=intercept,
    )
    return f, X, y, s


def sklearn_coef(f, model):
    """scikit-learn's ``coef_`` and ``intercept_`` in our layout (see objective's Conventions)."""
    M = np.hstack([model.coef_, model.intercept_[:, None]]) if f.fit_intercept else model.coef_
    return M.ravel()


def identifiable(f, coef):
    """Multinomial coefficients are unique only up to a shift shared by all classes in the
    columns the penalty does not pin: the intercepts, and every column without a penalty.
    Centering those across classes makes two minimizers comparable."""
    M = coef.reshape(f.coef_shape).copy()
    if f.n_raw > 1:
        free = slice(None) if f.penalty.alpha == 0 else slice(f.n_features, None)
        M[:, free] -= M[:, free].mean(axis=0)
    return M.ravel()


def gradient_at_zero_weights(f):
    """Gradient of the loss in ``W`` at ``W = 0`` with the intercepts at their optimum.

    With the intercept fitted, the intercept-only model predicts the weighted class
    frequencies; without it, ``W = 0`` predicts 1/2 (binary) or 1/K. Shape ``(n_raw, d)``.
    """
    freq = (
        f.weights @ f.Y
        if f.fit_intercept
        else np.full(f.n_raw, 0.5 if f.n_raw == 1 else 1 / f.n_raw)
    )
    return (freq - f.Y).T @ (f.weights[:, None] * f.X)


@pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("K, weighted, intercept", CASES)
def test_no_worse_than_saga(K, weighted, intercept, l1_ratio):
    f, X, y, s = build(K, weighted, intercept, l1_ratio=l1_ratio)
    result = solve_cd(f, tol=1e-12)
    assert result.converged, result.message
    # scikit-learn 1.9: `penalty` is deprecated; l1_ratio alone selects L1 (1) or elastic net.
    saga = LogisticRegression(
        solver="saga",
        C=0.5,
        l1_ratio=l1_ratio,
        tol=1e-10,
        max_iter=100_000,
        fit_intercept=intercept,
    ).fit(X, y, sample_weight=s)
    theirs = sklearn_coef(f, saga)
    # f is a mean of O(1) terms: 1e-13 is rounding, far below what saga's tol=1e-10 leaves.
    assert f.value(result.coef) <= f.value(theirs) + 1e-13
    # Same minimizer: saga stops ~5e-10 away; the solution is unique up to the class shift.
    np.testing.assert_allclose(identifiable(f, result.coef), identifiable(f, theirs), atol=1e-8)


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("K, weighted, intercept", CASES)
def test_subgradient_optimality_conditions(K, weighted, intercept, l1_ratio):
    f, *_ = build(K, weighted, intercept, l1_ratio=l1_ratio, C=0.1)
    scale = float(np.abs(f.gradient(f.zeros())).max())
    result = solve_cd(f, tol=1e-7 * scale)
    assert result.converged, result.message
    # The KKT conditions, written out: 0 is in the subdifferential of f at coef.
    coef, grad = result.coef, f.gradient(result.coef)
    lam = f.penalty.l1_strength * f.penalized_mask()
    nonzero = coef != 0
    np.testing.assert_allclose(
        (grad + lam * np.sign(coef))[nonzero], 0, atol=1e-7 * scale
    )  # g_j = -lam sign(c_j)
    assert np.all(np.abs(grad[~nonzero]) <= lam[~nonzero] + 1e-7 * scale)  # |g_j| <= lam
    assert 0 < nonzero.sum() < f.n_coef  # C = 0.1 gives a sparse, non-trivial solution
    assert result.optimality == f.optimality(coef, grad)


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("K, weighted, intercept", CASES)
def test_zero_weights_exactly_above_alpha_max(K, weighted, intercept, l1_ratio):
    f, *_ = build(K, weighted, intercept, l1_ratio=l1_ratio)
    # At W = 0 the L1 half wins while |grad_W| <= alpha r everywhere: alpha_max = max|grad_W|/r.
    alpha_max = float(np.abs(gradient_at_zero_weights(f)).max()) / l1_ratio
    for factor, all_zero in [(10, True), (1 + 1e-6, True), (1 - 1e-3, False)]:
        g = replace(f, penalty=ElasticNet(factor * alpha_max, l1_ratio))
        result = solve_cd(g, tol=1e-12)
        assert result.converged, result.message
        W, _ = g.split(result.coef)
        assert np.all(W == 0) == all_zero, factor  # exactly zero, not merely small
        if all_zero and intercept:  # the intercept-only model predicts the class frequencies
            proba = g.loss.proba(g.raw_prediction(result.coef))  # (n, n_raw), every row alike
            np.testing.assert_allclose(proba, np.broadcast_to(g.weights @ g.Y, proba.shape))


def test_glmnet_ridge_values():
    """R's glmnet values from scikit-learn's ``test_logistic_glmnet`` (lambda = 1, alpha = 0).

    glmnet minimizes the mean loss + lambda ((1 - a)/2 ||W||^2 + a ||W||_1): our objective,
    with alpha = lambda and l1_ratio = a (scikit-learn's C = 1 / (lambda n)). glmnet's binary
    values are within 1e-8 (relative) of the exact minimizer, its multinomial ones ~3e-8
    (absolute): its thresh bounds a change in deviance, not the gradient. Hence rtol = 1e-7
    for the first and scikit-learn's own rtol = 1e-5, atol = 1e-8 for the second.
    """
    X = np.array([[-4, -3, -2, -1, 0, 1, 2, 3, 4], [0, 0, 1, 0, 1, 1, 1, 0, 0]], dtype=float).T
    assert alpha_from_C(1 / 9, 9) == pytest.approx(1.0)
    f = make_objective(X, [0, 0, 0, 1, 1, 1, 1, 1, 1], penalty=ElasticNet(1.0, 0.0))
    result = solve_cd(f, tol=1e-12)
    np.testing.assert_allclose(
        result.coef, [0.44464569182, 0.01457563448, 0.89230405539], rtol=1e-7
    )

    y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    f = make_objective(X, y, n_classes=3, penalty=ElasticNet(1.0, 0.0))
    result = solve_cd(f, tol=1e-12)
    glmnet = [  # rows: classes; columns: a, b, intercept (glmnet centers the intercepts)
        [-0.38023389305, -0.01226499932, -0.12004759652],
        [-8.164030176e-05, 4.734548012e-02, 2.251747383e-01],
        [0.3803155334, -0.0350804808, -0.1051271418],
    ]
    np.testing.assert_allclose(identifiable(f, result.coef), np.ravel(glmnet), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("C", [pytest.param(np.inf, id="none"), pytest.param(1.0, id="l2")])
@pytest.mark.parametrize("K, weighted, intercept", CASES)
def test_smooth_penalty_matches_lbfgs(K, weighted, intercept, C):
    """Without an L1 half (lambda = 0) the method is Newton's, with CD solving for the step."""
    f, X, y, s = build(K, weighted, intercept, C=C, l1_ratio=0.0, n=200, d=4)
    result = solve_cd(f, tol=1e-12)
    assert result.converged, result.message
    lbfgs = LogisticRegression(C=C, tol=1e-12, max_iter=10_000, fit_intercept=intercept)
    theirs = sklearn_coef(f, lbfgs.fit(X, y, sample_weight=s))
    # lbfgs at tol=1e-12 stops with a gradient of 1e-8 to 1e-10 (ours: ~1e-13), which leaves its
    # smallest multinomial entries ~3e-6 off in relative terms: hence rtol = 1e-5.
    np.testing.assert_allclose(identifiable(f, result.coef), identifiable(f, theirs), rtol=1e-5)


def test_max_iter_reached_is_not_converged():
    f, *_ = build(3, False, True)
    result = solve_cd(f, tol=1e-12, max_iter=2)
    assert not result.converged
    assert result.n_iter == 2 and len(result.loss_history) == 2
    assert "max_iter=2" in result.message
    assert result.optimality > 1e-12


def test_float32_stays_float32():
    f64, X, y, s = build(2, True, True)
    f32 = make_objective(X.astype(np.float32), y, penalty=f64.penalty, sample_weight=s)
    result = solve_cd(f32, tol=1e-6)  # float32 gradients are accurate to ~1e-8 here
    assert result.converged, result.message
    assert result.coef.dtype == np.float32
    reference = solve_cd(f64, tol=1e-10).coef
    # Optimality tol leaves coef within about tol / lambda_min(H) = 1e-6 / 0.06 of the minimizer.
    np.testing.assert_allclose(result.coef, reference, atol=2e-5)


def test_history_callback_and_monotone_decrease():
    f, *_ = build(3, True, True, C=0.1, l1_ratio=0.5)
    infos = []
    result = solve_cd(f, tol=1e-10, callback=infos.append)
    # One report after each iteration, of the state it reached: history holds f before each.
    assert [i.iteration for i in infos] == list(range(1, result.n_iter + 1))
    np.testing.assert_array_equal([i.loss for i in infos], result.loss_history[1:])
    # The line search never goes up, beyond a rounding-level step near the solution (100 eps f).
    assert np.all(
        np.diff(result.loss_history) <= 100 * np.finfo(float).eps * result.loss_history[0]
    )
    assert infos[-1].optimality == result.optimality <= 1e-10
    # Newton's local convergence: few outer iterations, whatever the tolerance.
    assert result.n_iter <= 15


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_singular_hessian(l1_ratio):
    """A column of zeros (zero curvature) and a duplicated column (singular H)."""
    X, y = make_problem(n=100, d=3, n_classes=2, seed=3)
    X = np.hstack([X, np.zeros((100, 1)), X[:, :1]])
    f = make_objective(X, y, penalty=ElasticNet(0.0 if l1_ratio == 0 else 0.02, l1_ratio))
    result = solve_cd(f, tol=1e-10)
    assert result.converged, result.message
    assert result.coef[3] == 0  # no gradient, no curvature: soft-thresholding leaves it at 0
    if l1_ratio == 0.5:  # the L2 half splits the weight evenly between the twins
        assert result.coef[0] == pytest.approx(result.coef[4], rel=1e-8)


def test_warm_start_at_the_solution_stops_at_once():
    f, *_ = build(2, False, True)
    solution = solve_cd(f, tol=1e-12).coef
    result = solve_cd(f, solution, tol=1e-10)
    assert result.converged and result.n_iter == 0
    np.testing.assert_array_equal(result.coef, solution)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"tol": -1.0}, "tol must be"),
        ({"max_iter": -1}, "max_iter must be"),
        ({"max_inner": 0}, "max_inner must be"),
        ({"coef0": np.zeros(2)}, r"coef0 must have shape \(3,\)"),
    ],
)
def test_bad_arguments(kwargs, match):
    f = make_objective(np.array([[0.0, 1.0], [1.0, 0.0]]), [0, 1], penalty=l1(0.1))
    with pytest.raises(ValueError, match=match):
        solve_cd(f, **kwargs)
