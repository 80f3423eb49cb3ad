"""Marginal effects agree with statsmodels' get_margeff and with a slow numerical oracle.

Fits use ``tol=1e-12`` (ours) and Newton at 1e-14 (statsmodels), so the two estimates agree
to ~1e-10; statsmodels differentiates the effects by complex step, which is exact to
rounding, so effects and standard errors are compared at a relative 1e-6 (they agree to
~1e-13). The oracle differentiates in x by complex step and in the coefficients by
central differences (error ~1e-9), so it too is compared at 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from conftest import make_problem
from statsmodels.tools.numdiff import approx_fprime_cs

from log_reg import LogisticRegression
from log_reg.inference.margins import MarginalEffects, marginal_effects

RTOL, ATOL = 1e-6, 1e-12
METHODS = ["dydx", "eyex", "dyex", "eydx"]


def fit(X, y, sample_weight=None, **kwargs):
    kwargs = {"tol": 1e-12, **kwargs}
    return LogisticRegression(C=np.inf, **kwargs).fit(X, y, sample_weight=sample_weight)


def sm_fit(sm_model, **kwargs):
    return sm_model.fit(disp=0, method="newton", tol=1e-14, **kwargs)


def spector():
    """GPA continuous, TUCE a count, PSI a 0/1 dummy."""
    data = sm.datasets.spector.load_pandas()
    return data.exog.to_numpy(), data.endog.to_numpy()


def multinomial():
    """Three classes; two continuous features, a 0/1 dummy and a count."""
    X, y = make_problem(n=300, d=2, n_classes=3, seed=1)
    rng = np.random.default_rng(4)
    X = np.column_stack([X, rng.integers(0, 2, 300), rng.poisson(2.0, 300)]).astype(float)
    return X, y


def assert_matches(ours, effect, std_err):
    np.testing.assert_allclose(ours.effect, effect, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours.std_err, std_err, rtol=RTOL, atol=ATOL)


# -- statsmodels: Logit ----------------------------------------------------------------------


# elasticities in x have no meaning for discrete changes (statsmodels refuses them too)
BINARY_CASES = [(m, d) for m in ("dydx", "eydx") for d in ("dummy", "count", "both")]


@pytest.mark.parametrize("at", ["overall", "mean"])
@pytest.mark.parametrize(("method", "discrete"), [(m, "none") for m in METHODS] + BINARY_CASES)
def test_binary_matches_get_margeff(at, method, discrete):
    dummy, count = discrete in ("dummy", "both"), discrete in ("count", "both")
    X, y = spector()
    ref = sm_fit(sm.Logit(y, sm.add_constant(X))).get_margeff(at, method, None, dummy, count)
    ours = marginal_effects(fit(X, y), at=at, method=method, dummy=dummy, count=count)
    assert_matches(ours, ref.margeff, ref.margeff_se)
    frame = ref.summary_frame()
    np.testing.assert_allclose(ours.z, frame["z"], rtol=RTOL)
    np.testing.assert_allclose(ours.p_value, frame["Pr(>|z|)"], rtol=RTOL)
    np.testing.assert_allclose(np.c_[ours.ci_low, ours.ci_high], ref.conf_int(), rtol=RTOL)
    np.testing.assert_allclose(ours.cov, ref.margeff_cov, rtol=RTOL, atol=ATOL)
    expected = {"none": (), "dummy": ("x2",), "count": ("x1",), "both": ("x1", "x2")}
    assert ours.discrete == expected[discrete]


def test_binary_without_intercept_and_with_a_robust_covariance():
    X, y = make_problem(n=250, d=3, seed=3)
    ref = sm_fit(sm.Logit(y, X), cov_type="HC0").get_margeff()
    ours = marginal_effects(fit(X, y, fit_intercept=False), cov_type="HC0")
    assert_matches(ours, ref.margeff, ref.margeff_se)
    assert ours.cov_type == "HC0"


def test_values_given_in_at_match_atexog():
    X, y = spector()
    ref = sm_fit(sm.Logit(y, sm.add_constant(X))).get_margeff("mean", atexog={1: 3.0, 3: 1.0})
    model = fit(sm.datasets.spector.load_pandas().exog, y)  # a data frame: names
    ours = marginal_effects(model, at={"GPA": 3.0, 2: 1.0})
    assert_matches(ours, ref.margeff, ref.margeff_se)
    assert ours.at == "mean" and ours.point[[0, 2]].tolist() == [3.0, 1.0]


# -- statsmodels: MNLogit --------------------------------------------------------------------


@pytest.mark.parametrize("at", ["overall", "mean"])
@pytest.mark.parametrize("method", ["dydx", "eydx"])
def test_multinomial_matches_get_margeff(at, method):
    """statsmodels' MNLogit breaks on "eyex"/"dyex" (a broadcast error); the oracle below
    covers them."""
    X, y = multinomial()
    ref = sm_fit(sm.MNLogit(y, sm.add_constant(X))).get_margeff(at, method)
    ours = marginal_effects(fit(X, y), at=at, method=method)
    assert ours.effect.shape == (3, 4) and ours.classes == (0, 1, 2)
    assert_matches(ours, ref.margeff.T, ref.margeff_se.T)


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_multinomial_dummy_matches_statsmodels_own_delta_method(at):
    """MNLogit's get_margeff(dummy=True) fails on its standard errors (a shape error in
    MNLogit._derivative_predict), so take its effects and complex-step their Jacobian."""
    X, y = multinomial()
    res = sm_fit(sm.MNLogit(y, sm.add_constant(X)))
    exog = sm.add_constant(X)
    if at == "mean":
        exog = exog.mean(axis=0, keepdims=True)
    dummy = np.array([3])  # column 3 of exog (constant first) is x2

    def effects(params):  # (K, k) in statsmodels' order, flattened
        e = res.model._derivative_exog(params, exog, "dydx", dummy, None)
        return e.reshape(len(exog), 5, 3, order="F").mean(axis=0)[1:].T.ravel()

    G = approx_fprime_cs(res.params.ravel("F"), effects)
    se = np.sqrt(np.diag(G @ res.cov_params() @ G.T))
    ours = marginal_effects(fit(X, y), at=at, dummy=True)
    assert ours.discrete == ("x2",)
    assert_matches(ours, effects(res.params.ravel("F")).reshape(3, 4), se.reshape(3, 4))


# -- the slow oracle ---------------------------------------------------------------------------


def oracle(theta, V, X, method, dummies=()):
    """Average effects by complex step in x (differences for dummies), their Jacobian by
    central differences in theta, and the delta method with V."""
    J, p = theta.shape

    def probabilities(t, B):
        D = np.column_stack([np.ones(len(B)), B])
        e = np.exp(D @ np.vstack([np.zeros(p), t.reshape(J, p)]).T)
        return e / e.sum(axis=1, keepdims=True)  # (n, K)

    def effects(t):
        P, out = probabilities(t, X), []
        for col in range(X.shape[1]):
            if col in dummies:
                hi, lo = X.copy(), X.copy()
                hi[:, col], lo[:, col] = 1, 0
                F = np.log if method.startswith("ey") else (lambda q: q)
                out.append((F(probabilities(t, hi)) - F(probabilities(t, lo))).mean(axis=0))
                continue
            B = X.astype(complex)
            B[:, col] += 1e-30j
            f = probabilities(t, B).imag / 1e-30  # dP/dx_l, (n, K)
            f = f * (X[:, [col]] if method.endswith("ex") else 1)
            out.append((f / (P if method.startswith("ey") else 1)).mean(axis=0))
        return np.array(out).T  # (K, d)

    t0, h = theta.ravel(), 1e-5
    G = np.stack(
        [(effects(t0 + h * e) - effects(t0 - h * e)).ravel() / (2 * h) for e in np.eye(J * p)], 1
    )
    return effects(t0), np.sqrt(np.diag(G @ V @ G.T)).reshape(J + 1, -1)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_matches_the_oracle_for_more_classes(method):
    X, y = multinomial()
    X = X[:, :3]  # the continuous pair and the dummy
    model = fit(X, y)
    s = model.summary()
    dummy = not method.endswith("ex")
    effect, se = oracle(s.coef, s.cov, X, method, dummies=(2,) if dummy else ())
    assert_matches(marginal_effects(model, method=method, dummy=dummy), effect, se)


def test_frequency_weights_are_repeated_rows():
    X, y = spector()
    w = np.arange(len(y)) % 3 + 1
    weighted = marginal_effects(fit(X, y, sample_weight=w), at="mean", dummy=True)
    repeated = marginal_effects(
        fit(np.repeat(X, w, axis=0), np.repeat(y, w)), at="mean", dummy=True
    )
    np.testing.assert_allclose(weighted.effect, repeated.effect, rtol=1e-8)
    np.testing.assert_allclose(weighted.std_err, repeated.std_err, rtol=1e-8)


def test_new_rows_use_the_training_covariance():
    X, y = spector()
    model = fit(X, y)
    half = marginal_effects(model, X[:16])
    explicit = marginal_effects(model, X[:16], training=(X, y))
    assert half.n_rows == 16
    np.testing.assert_array_equal(half.std_err, explicit.std_err)
    assert not np.allclose(half.effect, marginal_effects(model).effect)


# -- penalized fits, results, errors -----------------------------------------------------------


def test_penalized_fits_give_point_estimates_only():
    X, y = multinomial()
    model = LogisticRegression(C=0.1, tol=1e-10).fit(X, y)
    m = marginal_effects(model, X)
    h = 1e-6  # the average of dP/dx by central differences on predict_proba
    numeric = [
        (model.predict_proba(X + h * e) - model.predict_proba(X - h * e)).mean(axis=0) / (2 * h)
        for e in np.eye(X.shape[1])
    ]
    np.testing.assert_allclose(m.effect, np.array(numeric).T, rtol=1e-6, atol=1e-10)
    assert m.cov_type is None and np.isnan(m.std_err).all() and np.isnan(m.p_value).all()
    assert "penalized" in str(m)
    with pytest.raises(ValueError, match="Pass X"):
        marginal_effects(model)


def test_result_is_frozen_with_a_frame_and_a_table():
    pd = pytest.importorskip("pandas")
    X, y = multinomial()
    m = fit(X, y).marginal_effects(at="mean", count=True)
    assert isinstance(m, MarginalEffects) and m.discrete == ("x3",)
    with pytest.raises(AttributeError):
        m.effect = None
    frame = m.to_frame()
    assert isinstance(frame.index, pd.MultiIndex) and frame.shape == (12, 6)
    np.testing.assert_array_equal(frame.loc[(2, "x1"), "effect"], m.effect[2, 1])
    text = str(m)
    assert (
        "-- class 1 " in text
        and "Discrete change:  x3" in text
        and "At:               mean" in text
    )


def test_the_estimator_method_delegates_and_checks_names():
    pd = pytest.importorskip("pandas")
    frame = sm.datasets.spector.load_pandas().exog
    y = sm.datasets.spector.load_pandas().endog
    model = fit(frame, y)
    m = model.marginal_effects(frame, dummy=True)
    assert m.names == ("GPA", "TUCE", "PSI") and m.discrete == ("PSI",)
    assert m.to_frame().index.tolist() == ["GPA", "TUCE", "PSI"]
    with pytest.raises(ValueError, match="feature names"):
        model.marginal_effects(frame[["TUCE", "GPA", "PSI"]])
    assert isinstance(pd.DataFrame(m.to_frame()), pd.DataFrame)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "elasticity"}, "method"),
        ({"at": "median"}, "at"),
        ({"at": {"nope": 1.0}}, "unknown feature 'nope'"),
        ({"at": {9: 1.0}}, "unknown feature 9"),
        ({"method": "eyex", "dummy": True}, "discrete change"),
        ({"alpha": 1.5}, "alpha"),
        ({"sample_weight": [1.0, 2.0]}, "sample_weight"),
        ({"training": [1, 2]}, "training must be a tuple"),
    ],
)
def test_errors_name_the_argument(kwargs, message):
    X, y = spector()
    with pytest.raises(ValueError, match=message):
        marginal_effects(fit(X, y), X if "sample_weight" in kwargs else None, **kwargs)


def test_models_without_training_data_need_it_passed_or_no_errors():
    X, y = spector()
    model = fit(X, y)
    model._training_data = None  # as after log_reg.load or unpickling
    with pytest.raises(ValueError, match=r"training=\(X, y\)"):
        marginal_effects(model, X)
    assert np.isnan(marginal_effects(model, X, cov_type=None).std_err).all()
    np.testing.assert_allclose(
        marginal_effects(model, X, training=(X, y)).std_err, marginal_effects(fit(X, y)).std_err
    )


def test_one_vs_rest_and_unfitted_models_are_refused():
    X, y = multinomial()
    with pytest.raises(ValueError, match="multi_class='multinomial'"):
        marginal_effects(LogisticRegression(multi_class="ovr").fit(X, y), X)
    with pytest.raises(Exception, match="not fitted"):
        marginal_effects(LogisticRegression(), X)
