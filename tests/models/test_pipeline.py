"""The fitting pipeline: fits right in any units, or saying why not (issue 16, finding 4),
unpenalized fits to the digits statsmodels prints (issue 17, item 5), and a stop short of
convergence never silent (issue 16, finding 7)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import sparse

from log_reg import ConvergenceWarning, LogisticRegression
from log_reg.backends import backend_for
from log_reg.inference.separation import PerfectSeparationWarning
from log_reg.models import pipeline
from log_reg.solvers.stopping import unpenalized_tol

rng = np.random.default_rng(0)
X_UNIT = rng.normal(size=(300, 3))
Y = (X_UNIT @ [1.0, -1.0, 0.5] + rng.logistic(size=300) > 0).astype(int)
SCALES_64 = [1e-300, 1e-200, 1e-150, 1e-20, 1e-3, 1e3, 1e20, 1e150, 1e200, 1e300]
SCALES_32 = [1e-30, 1e-20, 1e-3, 1e3, 1e20, 1e30]  # float32 holds 1e-38 .. 3e38


def fit_quietly(model, X, y):
    """Fit with every warning an error: a right fit says nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return model.fit(X, y)


def relative_error(coef, reference):
    return float(np.max(np.abs(coef - reference) / np.abs(reference)))


@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton-cg", "cd"])
@pytest.mark.parametrize(
    ("dtype", "scale"),
    [(np.float64, s) for s in SCALES_64] + [(np.float32, s) for s in SCALES_32],
)
def test_an_unpenalized_fit_is_the_same_in_any_units(solver, dtype, scale):
    # Unpenalized, the optimum in X * s is the one in X with coefficients / s. Before, this
    # came out as all zeros after 0 iterations, "converged", below 1e-8 or so, and
    # unconverged or with NumPy overflow warnings above 1e8.
    reference = LogisticRegression(C=np.inf, solver=solver).fit(X_UNIT.astype(dtype), Y)
    model = fit_quietly(
        LogisticRegression(C=np.inf, solver=solver), (X_UNIT * scale).astype(dtype), Y
    )
    assert model.converged_ and model.n_iter_[0] > 0
    # both fits are as right as tol * 1e-4 makes them (Newton's last step: to rounding;
    # L-BFGS, on its own path through the rounded X * s: about 1e-6), float32 as its
    # tol of 1e-4 does
    rtol = (1e-5 if solver == "lbfgs" else 1e-7) if dtype == np.float64 else 1e-3
    assert relative_error(model.coef_ * scale, reference.coef_) < rtol
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("scale", [1e-300, 1e300])
@pytest.mark.parametrize("multi_class", ["multinomial", "ovr"])
def test_unpenalized_multiclass_and_sparse_fits_are_the_same_in_any_units(scale, multi_class):
    X = rng.normal(size=(200, 4))
    y = np.argmax(X @ rng.normal(size=(4, 3)) + rng.gumbel(size=(200, 3)), axis=1)
    reference = LogisticRegression(C=np.inf, multi_class=multi_class).fit(X, y)
    for data in (X * scale, sparse.csr_matrix(X * scale)):
        model = fit_quietly(LogisticRegression(C=np.inf, multi_class=multi_class), data, y)
        assert relative_error(model.coef_ * scale, reference.coef_) < 1e-12


@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton-cg", "cd"])
@pytest.mark.parametrize(
    ("dtype", "scale"),
    [(np.float64, s) for s in (1e-300, 1e-150, 1e150, 1e300)]
    + [(np.float32, s) for s in (1e-30, 1e-20, 1e20, 1e30)],
)
def test_a_standardized_fit_is_the_same_in_any_units(solver, dtype, scale):
    # Standardized, penalized or not, the fit does not depend on the units; before, the
    # moments overflowed (x^2 of 1e200) or vanished, giving zeros "converged" with NumPy
    # warnings the only sign.
    X = X_UNIT.astype(dtype)
    reference = LogisticRegression(standardize=True, solver=solver).fit(X, Y)
    model = fit_quietly(
        LogisticRegression(standardize=True, solver=solver), (X_UNIT * scale).astype(dtype), Y
    )
    assert model.converged_
    rtol = 1e-12 if dtype == np.float64 else 1e-5  # float32: X * s rounds anew
    assert relative_error(model.coef_ * scale, reference.coef_) < rtol


def test_a_float32_column_of_1e30_is_kept_when_standardized():
    # (x - mean)^2 of 1e30 overflows float32: the column's spread became inf, its values
    # 0, and the feature silently dropped (coefficient 0).
    X = X_UNIT.astype(np.float32)
    reference = LogisticRegression(standardize=True).fit(X, Y)
    X[:, 1] *= np.float32(1e30)
    model = fit_quietly(LogisticRegression(standardize=True), X, Y)
    coef = model.coef_ * np.array([1, 1e30, 1])
    assert relative_error(coef, reference.coef_) < 1e-5


def test_standardizing_ordinary_data_is_unchanged_bit_for_bit():
    # the rescaling before the moments is only done where a column is far from 1
    X = X_UNIT * [1e-3, 1.0, 1e4]
    settings = dict(C=1.0, l1_ratio=0.0, tol=1e-4, max_iter=100, fit_intercept=True)
    settings |= dict(solver="auto", multi_class="multinomial", class_weight=None, dual=False)
    settings |= dict(standardize=True, intercept_scaling=1, random_state=None, verbose=0)
    problem = pipeline.Problem(**settings)
    spec = pipeline.choose_spec(problem, 2, X.shape)
    s = np.ones(len(X))
    Xfit, scaling = pipeline._scaled(X, s, problem, spec, backend_for(X), rescale=False)
    mean = X.T @ s / len(X)  # the formulas as they were, before the rescaling
    spread = np.sqrt(((X - mean) ** 2).T @ s / len(X))
    np.testing.assert_array_equal(scaling.shift, mean)
    np.testing.assert_array_equal(scaling.scale, spread)
    np.testing.assert_array_equal(Xfit, (X - mean) / spread)


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "newton-cg", "cd", "gd", "sgd"])
@pytest.mark.parametrize(("dtype", "scale"), [(np.float64, 1e300), (np.float32, 1e30)])
def test_a_penalized_fit_too_large_for_the_precision_says_so(solver, dtype, scale):
    # A penalized optimum depends on the units, and in these the arithmetic overflows: one
    # clear error (or, where the solver gives up first, a ConvergenceWarning), not NumPy
    # warnings and a meaningless model (nor LAPACK's "Eigenvalues did not converge").
    X = (X_UNIT * scale).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises((ValueError, ConvergenceWarning), match="standardize=True") as info:
            LogisticRegression(solver=solver, random_state=0).fit(X, Y)
    assert info.type is not ValueError or "overflowed" in str(info.value)
    # and the way out it names works
    assert fit_quietly(LogisticRegression(solver=solver, standardize=True, random_state=0), X, Y)


def test_separation_is_found_in_any_units():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]) * 1e300
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(PerfectSeparationWarning, match="'x0' alone"):
            LogisticRegression(C=np.inf).fit(X, [0, 0, 0, 1, 1, 1])


def test_a_fit_that_stops_short_on_separated_data_says_so():
    # gd on separated data ran out of iterations with converged_=False and only the
    # separation warning: now a ConvergenceWarning too, saying why no solver converges.
    X = np.array([[0.0], [1.0], [2.0], [4.0], [5.0]])
    with (
        pytest.warns(PerfectSeparationWarning),
        pytest.warns(ConvergenceWarning, match="separated"),
    ):
        model = LogisticRegression(C=np.inf, solver="gd").fit(X, [0, 0, 0, 1, 1])
    assert not model.converged_


def test_an_unpenalized_fit_prints_the_digits_statsmodels_prints():
    # README's Spector example printed an intercept of -13.0204 (Stata: -13.0213) and a
    # CI bound of -22.685 (-22.687): the default stop left 1e-4 relative errors.
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.spector.load_pandas()
    X, y = data.exog.to_numpy(float), data.endog.to_numpy()
    expected = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-14, maxiter=100).params
    for solver in ["auto", "lbfgs", "newton-cg", "cd"]:
        model = fit_quietly(LogisticRegression(C=np.inf, solver=solver), X, y)
        ours = np.r_[model.intercept_, model.coef_[0]]
        assert relative_error(ours, expected) < 5e-8, solver
    summary = LogisticRegression(C=np.inf).fit(X, y).summary()
    assert f"{summary.coef[0]:.4f}" == "-13.0213" and f"{summary.ci_low[0]:.3f}" == "-22.687"


def test_only_unpenalized_fits_run_with_the_tighter_tol(monkeypatch):
    tols = []
    solve = pipeline.solve

    def recorded(spec, objective, coef0, problem, label=""):
        tols.append(problem.tol)
        return solve(spec, objective, coef0, problem, label)

    monkeypatch.setattr(pipeline, "solve", recorded)
    for C in (1.0, np.inf):
        LogisticRegression(C=C).fit(X_UNIT, Y)
        LogisticRegression(C=C).fit(X_UNIT.astype(np.float32), Y)
    assert tols == [1e-4, 1e-4, unpenalized_tol(1e-4, np.float64), 1e-4]
    assert unpenalized_tol(1e-4, np.float64) == pytest.approx(1e-8)


@pytest.mark.parametrize("C", [1.0, np.inf])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_two_warm_started_newton_cg_steps_are_one_fit_of_two(C, fit_intercept):
    # scikit-learn's test_warm_start_newton_solver[newton-cg]: our Newton-CG recomputed its
    # preconditioner every 4 iterations, so a warm start did not continue the fit.
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    options = dict(solver="newton-cg", C=C, fit_intercept=fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)  # iris at C = inf
        once = LogisticRegression(max_iter=2, **options).fit(X, y)
        twice = LogisticRegression(max_iter=1, warm_start=True, **options).fit(X, y).fit(X, y)
    np.testing.assert_allclose(twice.coef_, once.coef_, rtol=1e-12)
    np.testing.assert_allclose(twice.intercept_, once.intercept_, rtol=1e-12, atol=1e-14)
