"""L-BFGS: agrees with scikit-learn and SciPy, stops for the right reasons, keeps the dtype."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from log_reg.core.objective import make_objective
from log_reg.core.penalty import ElasticNet, alpha_from_C, l1, l2, no_penalty
from log_reg.solvers import IterationInfo
from log_reg.solvers.lbfgs import solve_lbfgs


def _data(n_classes: int, weighted: bool, seed: int = 0):
    """Overlapping classes (so the unpenalized optimum exists), 150 x 5, fixed seed."""
    X, y = make_classification(
        n_samples=150,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        flip_y=0.1,
        class_sep=0.8,
        random_state=seed,
    )
    sw = np.random.default_rng(seed).uniform(0.2, 3.0, size=len(y)) if weighted else None
    return X, y, sw


def _centered(M: np.ndarray) -> np.ndarray:
    """Subtract each column's mean over classes: the part of a multinomial fit that is unique.

    Adding one vector to every class's row changes no probability, so without a penalty on
    it (always the intercept column, every column with no penalty) only differences between
    rows are determined. Binary fits (one row) are left as they are.
    """
    return M - M.mean(axis=0) if M.shape[0] > 1 else M


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("C", [1.0, np.inf], ids=["C=1", "C=inf"])
def test_matches_sklearn(n_classes, weighted, fit_intercept, C):
    X, y, sw = _data(n_classes, weighted)
    S = len(y) if sw is None else sw.sum()
    penalty = no_penalty() if np.isinf(C) else l2(alpha_from_C(C, S))
    f = make_objective(
        X, y, n_classes=n_classes, penalty=penalty, sample_weight=sw, fit_intercept=fit_intercept
    )
    result = solve_lbfgs(f, tol=1e-10)
    assert result.converged, result.message

    ref = LogisticRegression(
        C=C, solver="lbfgs", tol=1e-12, max_iter=10_000, fit_intercept=fit_intercept
    ).fit(X, y, sample_weight=sw)
    expected = np.hstack([ref.coef_, ref.intercept_[:, None]]) if fit_intercept else ref.coef_
    ours = result.coef.reshape(f.coef_shape)
    # We stop at a gradient <= 1e-10 on a problem whose curvature is >= ~1e-2 (away from the
    # class-shift directions _centered removes), so within ~1e-8 of the optimum; sklearn
    # stops where f stops decreasing in float64 (~1e-9 gradients, ~1e-7 in the coefficients).
    # 1e-5 relative leaves room to spare for both.
    np.testing.assert_allclose(
        _centered(ours), _centered(expected), rtol=1e-5, atol=1e-5 * np.abs(expected).max()
    )


@pytest.mark.parametrize("n_classes", [2, 4])
def test_matches_scipy_lbfgsb_on_the_same_objective(n_classes):
    X, y, sw = _data(n_classes, weighted=True, seed=1)
    f = make_objective(X, y, n_classes=n_classes, penalty=l2(0.01), sample_weight=sw)
    result = solve_lbfgs(f, tol=1e-8)
    ref = minimize(
        f.loss_gradient,
        f.start(),  # where solve_lbfgs starts
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-8, "ftol": 0.0, "maxiter": 10_000},
    )
    assert result.converged and ref.success
    # Curvature >= 0.01 (the L2 term) off the class-shift direction of the intercepts, in
    # which neither solver moves: gradients <= 1e-8 put both within 1e-6 of the optimum.
    np.testing.assert_allclose(result.coef, ref.x, atol=2e-6)
    # and the same algorithm takes about as many steps (measured: 14 and 31 iterations for
    # both)
    assert abs(result.n_iter - ref.nit) <= 3


def test_converges_in_few_iterations_when_well_conditioned():
    # Standardized features and a strong penalty: the Hessian's condition number is small,
    # so quasi-Newton needs a handful of iterations (measured: 11), not hundreds.
    X, y, _ = _data(2, weighted=False)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    f = make_objective(X, y, penalty=l2(1.0))
    result = solve_lbfgs(f, tol=1e-8)
    assert result.converged
    assert result.optimality <= 1e-8
    assert result.optimality == f.optimality(result.coef, f.gradient(result.coef))
    assert result.n_iter <= 15


def test_history_callback_and_monotone_decrease():
    X, y, sw = _data(3, weighted=True)
    f = make_objective(X, y, n_classes=3, penalty=l2(0.01), sample_weight=sw)
    seen: list[IterationInfo] = []
    result = solve_lbfgs(f, tol=1e-8, callback=seen.append)
    assert result.converged
    history = result.loss_history
    assert len(history) == result.n_iter + 1
    assert history[0] == pytest.approx(f.value(f.start()), rel=1e-14)  # sums in another order
    assert [info.iteration for info in seen] == list(range(1, result.n_iter + 1))
    np.testing.assert_array_equal([info.loss for info in seen], history[1:])
    assert seen[-1].optimality == result.optimality
    # every accepted step meets sufficient decrease, up to f's rounding error (4 eps |f|)
    assert np.all(np.diff(history) <= 4 * np.finfo(np.float64).eps * history[1:])
    assert history[-1] == pytest.approx(f.value(result.coef), rel=1e-12)


@pytest.mark.parametrize("memory", [1, 3, 30])
def test_any_memory_reaches_the_same_optimum(memory):
    X, y, _ = _data(3, weighted=False)
    f = make_objective(X, y, n_classes=3, penalty=l2(0.01))
    result = solve_lbfgs(f, tol=1e-8, memory=memory, max_iter=1000)
    assert result.converged, result.message
    # curvature >= 0.01 off the intercepts' class-shift direction: within 1e-6 of the optimum
    reference = solve_lbfgs(f, tol=1e-8).coef
    np.testing.assert_allclose(result.coef, reference, atol=2e-6)


def test_max_iter_reached_is_not_converged():
    X, y, _ = _data(3, weighted=False)
    f = make_objective(X, y, n_classes=3, penalty=l2(1e-3))
    result = solve_lbfgs(f, tol=1e-12, max_iter=3)
    assert not result.converged
    assert result.n_iter == 3 and len(result.loss_history) == 4
    assert "max_iter=3" in result.message
    assert result.optimality > 1e-12


def test_starting_at_the_optimum_takes_no_step():
    X, y, _ = _data(2, weighted=False)
    f = make_objective(X, y, penalty=l2(0.1))
    solution = solve_lbfgs(f, tol=1e-9).coef
    result = solve_lbfgs(f, solution, tol=1e-8)
    assert result.converged and result.n_iter == 0
    np.testing.assert_array_equal(result.coef, solution)


@pytest.mark.parametrize("penalty", [l1(0.1), ElasticNet(0.1, 0.5)], ids=["l1", "elasticnet"])
def test_l1_penalty_is_refused(penalty):
    X, y, _ = _data(2, weighted=False)
    f = make_objective(X, y, penalty=penalty)
    with pytest.raises(ValueError, match="lbfgs' handles no L1 penalty.*supports L1"):
        solve_lbfgs(f)


def test_bad_arguments_are_named():
    X, y, _ = _data(2, weighted=False)
    f = make_objective(X, y)
    with pytest.raises(ValueError, match=r"coef0 must have shape \(6,\)"):
        solve_lbfgs(f, np.zeros(5))
    with pytest.raises(ValueError, match="memory must be an integer >= 1"):
        solve_lbfgs(f, memory=0)
    with pytest.raises(ValueError, match="tol must be a number >= 0"):
        solve_lbfgs(f, tol=-1.0)


def test_float32_stays_float32():
    X, y, _ = _data(3, weighted=False)
    f32 = make_objective(X.astype(np.float32), y, n_classes=3, penalty=l2(0.01))
    f64 = make_objective(X, y, n_classes=3, penalty=l2(0.01))
    result = solve_lbfgs(f32, tol=1e-4)
    assert result.converged and result.coef.dtype == np.float32
    # a gradient of 1e-4 over curvature >= 0.01 puts it within ~1e-2 of the float64 optimum
    exact = solve_lbfgs(f64, tol=1e-9).coef
    np.testing.assert_allclose(result.coef, exact, atol=1e-2)


@pytest.mark.parametrize(("dtype", "best"), [(np.float32, 1e-6), (np.float64, 1e-12)])
def test_unreachable_tol_stops_honestly_at_machine_precision(dtype, best):
    # tol=0 cannot be met: it must stop well before max_iter, not converged, and say why
    # (the line search fails, or no progress), near the dtype's best. Values of f ~ 0.5 stop
    # resolving progress at gradients ~sqrt(eps f curvature) (~1e-9 in float64); letting the
    # slopes decide takes the gradient much further (measured: 1e-17 and 7e-9).
    X, y, _ = _data(2, weighted=False)
    f = make_objective(X.astype(dtype), y, penalty=l2(0.01))
    result = solve_lbfgs(f, tol=0.0, max_iter=500)
    assert not result.converged
    assert result.n_iter < 100
    assert "line search" in result.message or "stalled" in result.message
    assert result.optimality < best


def test_tight_tol_is_reached_in_float64_where_f_alone_cannot_tell():
    # At a gradient of 1e-12 f moves by ~1e-24 per step, far below its rounding (1e-16): only
    # the slopes can guide the last steps, and they do.
    X, y, sw = _data(3, weighted=True)
    f = make_objective(X, y, n_classes=3, penalty=l2(0.01), sample_weight=sw)
    result = solve_lbfgs(f, tol=1e-12)
    assert result.converged, result.message
