"""Predicted probabilities with intervals agree with statsmodels' get_prediction.

Fits use ``tol=1e-12`` (ours) and Newton at 1e-14 (statsmodels): estimates agree to ~1e-10,
so probabilities, standard errors and interval ends are compared at a relative 1e-6.
statsmodels' MNLogit has no get_prediction; there the standard errors are checked against
the delta method with statsmodels' covariance and a complex-step Jacobian of its
``predict`` (exact to rounding), also at 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from conftest import make_problem
from scipy import stats
from statsmodels.tools.numdiff import approx_fprime_cs

from log_reg import LogisticRegression
from log_reg.inference.predicted import PredictedProbabilities, predict_interval

RTOL = 1e-6


def fit(X, y, **kwargs):
    return LogisticRegression(C=np.inf, tol=1e-12, **kwargs).fit(X, y)


def sm_fit(sm_model, **kwargs):
    return sm_model.fit(disp=0, method="newton", tol=1e-14, **kwargs)


def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog.to_numpy(), data.endog.to_numpy()


def frame_columns(frame):
    """statsmodels' (mean, se, lower, upper), whichever names its version gives them."""
    return [frame.iloc[:, j].to_numpy() for j in range(4)]


@pytest.mark.parametrize("level", [0.95, 0.8])
@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0"])
def test_binary_matches_get_prediction(level, cov_type):
    X, y = spector()
    res = sm_fit(sm.Logit(y, sm.add_constant(X)), cov_type=cov_type)
    rows = X + np.random.default_rng(0).normal(scale=0.5, size=X.shape)  # new rows
    mean, se, lower, upper = frame_columns(
        res.get_prediction(sm.add_constant(rows)).summary_frame(alpha=1 - level)
    )
    p = predict_interval(fit(X, y), rows, level=level, cov_type=cov_type)
    for ours, theirs in [(p.probability, mean), (p.std_err, se)]:
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)
    np.testing.assert_allclose(p.ci_low, lower, rtol=RTOL)
    np.testing.assert_allclose(p.ci_high, upper, rtol=RTOL)
    assert p.classes == (1.0,) and p.level == level and p.cov_type == cov_type


def test_binary_without_intercept_matches_get_prediction():
    X, y = make_problem(n=250, d=3, seed=3)
    res = sm_fit(sm.Logit(y, X))
    mean, se, lower, upper = frame_columns(res.get_prediction(X[:20]).summary_frame())
    p = predict_interval(fit(X, y, fit_intercept=False), X[:20])
    np.testing.assert_allclose(
        np.c_[p.probability, p.std_err, p.ci_low, p.ci_high],
        np.c_[mean, se, lower, upper],
        rtol=RTOL,
    )


def test_intervals_stay_inside_zero_one_far_out():
    X, y = spector()
    rows = np.array([[-20.0, 0.0, 0.0], [30.0, 80.0, 1.0], [2.0, 20.0, 0.0]])
    p = predict_interval(fit(X, y), rows)  # log-odds -70, 82 and -5
    assert np.all((0 < p.ci_low) & (p.ci_low < p.probability))
    assert np.all((p.probability <= p.ci_high) & (p.ci_high <= 1))
    assert p.ci_high[0] < 1e-5 and p.ci_low[1] > 1 - 1e-6  # confident both ways, no NaN
    assert p.probability[0] < 1e-30 and p.ci_low[0] < 1e-50  # the sigmoid keeps tiny values
    crit = stats.norm.ppf(0.975)
    np.testing.assert_allclose(
        p.ci_low, 1 / (1 + np.exp(-(p.log_odds - crit * p.log_odds_std_err))), rtol=1e-12
    )


def test_multinomial_is_the_delta_method_on_each_class_log_odds():
    X, y = make_problem(n=300, d=3, n_classes=3, seed=1)
    res = sm_fit(sm.MNLogit(y, sm.add_constant(X)))
    rows = sm.add_constant(X[:25])
    P = res.model.predict(res.params, rows)  # (25, 3)
    K = rows.shape[1]

    def predict(b):  # statsmodels' (K, J - 1) parameters, flattened equation by equation
        return res.model.predict(b.reshape(K, 2, order="F"), rows).ravel()

    G = approx_fprime_cs(res.params.ravel("F"), predict)
    se = np.sqrt(np.diag(G @ res.cov_params() @ G.T)).reshape(25, 3)  # delta method on P
    p = predict_interval(fit(X, y), X[:25])
    assert p.probability.shape == (25, 3) and p.classes == (0, 1, 2)
    np.testing.assert_allclose(p.probability, P, rtol=RTOL)
    np.testing.assert_allclose(p.std_err, se, rtol=RTOL)
    np.testing.assert_allclose(p.log_odds_std_err, se / (P * (1 - P)), rtol=RTOL)
    np.testing.assert_allclose(p.log_odds, np.log(P / (1 - P)), rtol=RTOL)


def test_two_classes_fit_as_multinomial_or_binary_agree():
    """A two-class fit is one equation; the per-class formula gives it back (g = D)."""
    X, y = spector()
    model = fit(X, y)
    p = predict_interval(model, X)
    s = model.summary()
    D = sm.add_constant(X)
    np.testing.assert_allclose(p.log_odds_std_err, np.sqrt(np.sum(D @ s.cov * D, axis=1)))


def test_result_methods_and_training_data():
    pd = pytest.importorskip("pandas")
    X, y = make_problem(n=300, d=3, n_classes=3, seed=1)
    model = fit(X, y)
    p = model.predict_interval(X[:4], 0.9)
    assert isinstance(p, PredictedProbabilities)
    with pytest.raises(AttributeError):
        p.level = 0.5
    frame = p.to_frame()
    assert isinstance(frame.index, pd.MultiIndex) and frame.shape == (12, 6)
    assert frame.loc[(3, 2), "probability"] == p.probability[3, 2]
    binary = fit(*spector()).predict_interval(spector()[0][:5]).to_frame()
    assert frame.columns.tolist() == binary.columns.tolist() and len(binary) == 5
    model._training_data = None  # as after log_reg.load or unpickling
    with pytest.raises(ValueError, match=r"training=\(X, y\)"):
        model.predict_interval(X[:4])
    np.testing.assert_array_equal(
        model.predict_interval(X[:4], 0.9, training=(X, y)).ci_low, p.ci_low
    )


@pytest.mark.parametrize(
    ("model", "kwargs", "message"),
    [
        (LogisticRegression(C=1.0), {}, "unpenalized"),
        (LogisticRegression(C=np.inf, multi_class="ovr"), {}, "multinomial"),
        (LogisticRegression(C=np.inf), {"level": 1.0}, "level"),
        (LogisticRegression(C=np.inf), {"level": 0.0}, "level"),
        (LogisticRegression(C=np.inf), {"cov_type": "HC7"}, "cov_type"),
    ],
)
def test_errors_name_the_argument(model, kwargs, message):
    X, y = make_problem(n=100, d=2, n_classes=3, seed=2)
    with pytest.raises(ValueError, match=message):
        predict_interval(model.fit(X, y), X, **kwargs)


def test_feature_count_is_checked():
    X, y = spector()
    with pytest.raises(ValueError, match="X has 2 features; the model has 3"):
        predict_interval(fit(X, y), X[:, :2])
