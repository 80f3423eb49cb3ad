"""FirthLogisticRegression: the estimator's promises, FLIC and FLAC, and scikit-learn's checks."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from log_reg import FirthLogisticRegression, LogisticRegression

DATA = Path(__file__).resolve().parents[1] / "data" / "endometrial.csv"


def endometrial():
    d = np.genfromtxt(DATA, delimiter=",", names=True)
    return np.column_stack([d["NV"], d["PI"], d["EH"]]), d["HG"].astype(int)


def test_separated_data_give_finite_estimates_and_no_warning():
    X, y = endometrial()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no separation warning, nor any other
        model = FirthLogisticRegression().fit(X, y)
    assert model.converged_ and np.all(np.isfinite(model.coef_))
    assert model.coef_[0, 0] == pytest.approx(2.929273353197, rel=1e-10)  # brglm2's AS_mean
    with pytest.warns(UserWarning, match="separat"):  # the unpenalized fit has no estimate
        LogisticRegression(C=np.inf).fit(X, y)


def test_fitted_attributes_have_scikit_learns_shapes():
    X, y = endometrial()
    model = FirthLogisticRegression().fit(X, np.where(y == 1, "high", "low"))
    assert model.coef_.shape == (1, 3) and model.intercept_.shape == (1,)
    assert model.n_iter_.shape == (1,) and model.n_features_in_ == 3
    assert list(model.classes_) == ["high", "low"]  # "low" is the positive class
    proba = model.predict_proba(X)
    assert proba.shape == (79, 2) and np.allclose(proba.sum(axis=1), 1)
    z = X @ model.coef_[0] + model.intercept_[0]
    np.testing.assert_allclose(model.decision_function(X), z, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), np.where(z > 0, "low", "high"))
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-12)


def test_without_intercept_the_intercept_is_zero():
    X, y = endometrial()
    model = FirthLogisticRegression(fit_intercept=False).fit(X, y)
    assert model.intercept_.tolist() == [0.0]
    s = model.summary(ci="wald")
    assert s.names == ("x0", "x1", "x2") and s.lr_test.df == 3


def test_integer_weights_equal_repeated_rows():
    X, y = endometrial()
    w = np.random.default_rng(0).integers(0, 3, size=len(y))
    rows = np.repeat(np.arange(len(y)), w)
    weighted = FirthLogisticRegression().fit(X, y, sample_weight=w)
    repeated = FirthLogisticRegression().fit(X[rows], y[rows])
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9)
    a, b = weighted.summary(), repeated.summary()
    np.testing.assert_allclose(
        [a.ci_low, a.ci_high, a.p_value], [b.ci_low, b.ci_high, b.p_value], rtol=1e-5
    )


def test_an_offset_is_a_known_term_of_the_linear_predictor():
    X, y = endometrial()
    offset = 0.1 * X[:, 1]  # a known coefficient 0.1 on PI
    with_offset = FirthLogisticRegression().fit(X[:, [0, 2]], y, offset=offset)
    proba = with_offset.predict_proba(X[:, [0, 2]], offset=offset)
    z = X[:, [0, 2]] @ with_offset.coef_[0] + with_offset.intercept_[0] + offset
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-z)), rtol=1e-12)
    assert with_offset.summary(ci="wald").n_obs == 79


def test_summary_reports_what_logistf_reports():
    X, y = endometrial()
    import pandas as pd

    frame = pd.DataFrame(X, columns=["NV", "PI", "EH"])
    s = FirthLogisticRegression().fit(frame, y).summary()
    assert s.names == ("(Intercept)", "NV", "PI", "EH") and s.method == ("profile",) * 4
    # brglm2's estimates and firthmodels' (logistf's method) intervals, to 4 decimals
    np.testing.assert_allclose(s.coef, [3.7746, 2.9293, -0.0348, -2.6042], atol=1e-4)
    np.testing.assert_allclose(s.ci_low, [1.0825, 0.6097, -0.1245, -4.3652], atol=1e-4)
    np.testing.assert_allclose(s.ci_high, [7.2093, 7.8546, 0.0405, -1.2327], atol=1e-4)
    assert s.lr_test.df == 3 and s.lr_test.statistic == pytest.approx(43.6558, abs=1e-4)
    text = str(s)
    assert "NV" in text and "profile" in text and "LR test" in text
    table = s.to_frame()
    assert list(table.index) == list(s.names) and table.loc["EH", "p_value"] < 0.001


def test_wald_summary_uses_the_inverse_information():
    X, y = endometrial()
    s = FirthLogisticRegression().fit(X, y).summary(ci="wald", alpha=0.1)
    np.testing.assert_allclose(np.sqrt(np.diag(s.cov)), s.std_err, rtol=1e-14)
    np.testing.assert_allclose(s.ci_high - s.coef, 1.6448536269514722 * s.std_err, rtol=1e-12)
    assert s.method == ("Wald",) * 4 and s.alpha == 0.1


@pytest.mark.parametrize("correction", ["flic", "flac"])
def test_corrections_make_the_average_prediction_the_share_of_events(correction):
    X, y = endometrial()
    plain = FirthLogisticRegression().fit(X, y)
    model = FirthLogisticRegression(intercept_correction=correction).fit(X, y)
    assert model.predict_proba(X)[:, 1].mean() == pytest.approx(y.mean(), rel=1e-9)
    assert plain.predict_proba(X)[:, 1].mean() != pytest.approx(y.mean(), rel=1e-4)
    s = model.summary()
    assert s.intercept_correction == correction and s.coef[0] == model.intercept_[0]
    if correction == "flic":  # Firth's slopes, a Wald row for the new intercept
        np.testing.assert_allclose(model.coef_, plain.coef_, rtol=0)
        assert s.method == ("Wald", "profile", "profile", "profile")


def test_flic_intercept_is_the_ml_intercept_with_the_slopes_as_offset():
    sm = pytest.importorskip("statsmodels.api")
    X, y = endometrial()
    model = FirthLogisticRegression(intercept_correction="flic").fit(X, y)
    glm = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=X @ model.coef_[0])
    assert model.intercept_[0] == pytest.approx(glm.fit(tol=1e-14).params[0], rel=1e-9)


def test_flac_is_ml_on_the_augmented_data():
    sm = pytest.importorskip("statsmodels.api")
    X, y = endometrial()
    firth = FirthLogisticRegression().fit(X, y)
    hat = firth._fitted[0].hat  # Firth's hat values
    flac = FirthLogisticRegression(intercept_correction="flac").fit(X, y)
    n = len(y)
    design = np.column_stack([np.vstack([X, X, X]), np.repeat([0, 1, 1], n), np.ones(3 * n)])
    response = np.concatenate([y, y, 1 - y])
    weights = np.concatenate([np.ones(n), hat / 2, hat / 2])
    glm = sm.GLM(response, design, family=sm.families.Binomial(), freq_weights=weights)
    params = glm.fit(tol=1e-14).params
    np.testing.assert_allclose(flac.coef_[0], params[:3], rtol=1e-8)
    assert flac.intercept_[0] == pytest.approx(params[4], rel=1e-8)


def test_pickles_drop_the_data_and_summary_then_needs_it():
    X, y = endometrial()
    model = FirthLogisticRegression().fit(X, y)
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    with pytest.raises(ValueError, match="Pass X and y"):
        loaded.summary()
    again, first = loaded.summary(ci="wald", X=X, y=y), model.summary(ci="wald")
    np.testing.assert_allclose(again.std_err, first.std_err, rtol=1e-12)
    with pytest.raises(ValueError, match="not the data this model was fitted on"):
        loaded.summary(X=X[::-1], y=y)


@pytest.mark.parametrize(
    "kwargs, data, error, match",
    [
        ({}, "three classes", ValueError, "Only binary classification is supported"),
        ({"intercept_correction": "flip"}, None, ValueError, "intercept_correction must be one of"),
        (
            {"intercept_correction": "flic", "fit_intercept": False},
            None,
            ValueError,
            "needs fit_intercept=True",
        ),
        ({}, "sparse", TypeError, "needs dense data held by NumPy"),
        ({}, "wide", ValueError, "5 coefficients but 3 rows of positive weight"),
        ({"tol": -1}, None, ValueError, "tol must be"),
    ],
)
def test_errors_name_the_problem(kwargs, data, error, match):
    X, y = endometrial()
    if data == "three classes":
        y = np.arange(len(y)) % 3
    elif data == "sparse":
        from scipy import sparse

        X = sparse.csr_matrix(X)
    elif data == "wide":
        X, y = np.random.default_rng(0).normal(size=(3, 4)), np.array([0, 1, 1])
    with pytest.raises(error, match=match):
        FirthLogisticRegression(**kwargs).fit(X, y)


def test_not_converging_warns():
    X, y = endometrial()
    with pytest.warns(UserWarning, match="did not converge"):
        model = FirthLogisticRegression(max_iter=2).fit(X, y)
    assert not model.converged_


#: Checks expected to fail, each with the reason a scikit-learn maintainer would accept.
EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": (
        "the check fits 15 rows with 30 features: the Fisher information is singular, "
        "Firth's penalty log det I is -inf everywhere and no estimate exists"
    ),
}


@parametrize_with_checks(
    [FirthLogisticRegression(), FirthLogisticRegression(intercept_correction="flac")],
    expected_failed_checks=lambda estimator: EXPECTED_FAILURES,
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check(estimator)
