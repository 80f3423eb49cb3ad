"""``log_reg.logit``: formula fits agree with statsmodels' ``smf.logit`` (patsy's formulas),
and every method of the fitted model takes a data frame of raw columns.

Tolerances: both fits run Newton to a gradient of about 1e-10, so coefficients and what
derives from them agree to far better than the 1e-6 asked (relative to max(1, |value|)).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

import log_reg
from log_reg import FirthLogisticRegression, LogisticRegression, logit

FORMULA = "y ~ x1 + C(x2) + x1:x3"


def frame(n=400, seed=0):
    """Raw columns: two numbers, a text column of three levels; y from a logistic model."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.choice(["a", "b", "c"], n),
            "x3": rng.normal(size=n),
        }
    )
    eta = 0.3 + 0.8 * data.x1 - 0.5 * (data.x2 == "b") + 0.7 * (data.x2 == "c")
    eta += 0.6 * data.x1 * data.x3
    data["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return data


@pytest.fixture(scope="module")
def fits():
    data = frame()
    ours = logit(FORMULA, data, tol=1e-10)
    theirs = smf.logit(FORMULA, data).fit(disp=0, tol=1e-12)
    return data, ours, theirs


def close(a, b, tol=1e-6):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b)))


def test_coefficients_equal_statsmodels_with_a_categorical_term_and_an_interaction(fits):
    _, ours, theirs = fits
    assert isinstance(ours, LogisticRegression) and ours.C == np.inf
    assert ours.feature_names_in_.tolist() == ["x1", "C(x2)[T.b]", "C(x2)[T.c]", "x1:x3"]
    assert ours.fit_intercept
    coef = dict(zip(ours.feature_names_in_, ours.coef_[0]), Intercept=ours.intercept_[0])
    assert set(coef) == set(theirs.params.index)  # patsy names the columns as formulaic
    assert close([coef[k] for k in theirs.params.index], theirs.params)


def test_summary_equals_statsmodels(fits):
    _, ours, theirs = fits
    s = ours.summary()
    names = ["Intercept" if n == "(Intercept)" else n for n in s.names]
    ci = theirs.conf_int()
    for ours_values, theirs_values in [
        (s.coef, theirs.params),
        (s.std_err, theirs.bse),
        (s.z, theirs.tvalues),
        (s.p_value, theirs.pvalues),
        (s.ci_low, ci[0]),
        (s.ci_high, ci[1]),
    ]:
        assert close(ours_values, theirs_values[names])
    assert close([s.log_likelihood, s.null_log_likelihood], [theirs.llf, theirs.llnull])
    assert close([s.aic, s.bic, s.pseudo_r2], [theirs.aic, theirs.bic, theirs.prsquared])


def test_predictions_take_raw_columns_and_equal_statsmodels(fits):
    data, ours, theirs = fits
    fresh = frame(n=50, seed=7).drop(columns="y")  # no outcome needed to predict
    p = ours.predict_proba(fresh)[:, 1]
    assert close(p, theirs.predict(fresh), 1e-9)
    assert np.array_equal(ours.predict(fresh), (p > 0.5).astype(int))
    assert ours.decision_function(fresh).shape == (50,)
    assert ours.predict_log_proba(fresh).shape == (50, 2)
    assert ours.score(data, data["y"]) == np.mean(ours.predict(data) == data["y"])


def test_margins_intervals_and_summary_with_data_take_raw_columns(fits):
    data, ours, theirs = fits
    X = ours.formula_.model_matrix(data)
    assert list(X.columns) == ours.feature_names_in_.tolist()
    plain = LogisticRegression(C=np.inf, tol=1e-10).fit(X, data["y"])  # the same design
    assert np.array_equal(ours.marginal_effects(data).effect, plain.marginal_effects(X).effect)
    margeff = pd.Series(theirs.get_margeff().margeff, index=theirs.params.index[1:])
    assert close(ours.marginal_effects().effect, margeff[list(ours.feature_names_in_)])
    given = ours.summary(X=data, y=data["y"])
    assert np.array_equal(given.std_err, ours.summary().std_err)
    interval = ours.predict_interval(data.head(5))
    frame_ = theirs.get_prediction(data.head(5)).summary_frame()
    assert close(interval.ci_low, frame_["ci_lower"]) and close(
        interval.ci_high, frame_["ci_upper"]
    )
    training = (data, data["y"])
    assert np.array_equal(
        ours.predict_interval(data.head(5), training=training).ci_low, interval.ci_low
    )


def test_a_formula_without_intercept_fits_without_one_and_every_level_of_a_factor():
    data = frame()
    ours = logit("y ~ C(x2) + x1 - 1", data, tol=1e-10)
    theirs = smf.logit("y ~ C(x2) + x1 - 1", data).fit(disp=0, tol=1e-12)
    assert not ours.fit_intercept and ours.intercept_.tolist() == [0.0]
    assert ours.feature_names_in_.tolist() == ["C(x2)[a]", "C(x2)[b]", "C(x2)[c]", "x1"]
    assert close(ours.coef_[0], theirs.params[list(ours.feature_names_in_)])
    with pytest.raises(ValueError, match="fit_intercept=True disagrees with the formula"):
        logit("y ~ x1 - 1", data, fit_intercept=True)


def test_stateful_transforms_keep_the_training_state_on_new_data():
    data = frame()
    model = logit("y ~ center(x1) + scale(x3) + poly(x1, 2)", data)
    one_row = data.iloc[[3]]  # its own mean would centre it at 0; the fit's does not
    X = model.formula_.model_matrix(one_row)
    assert X["center(x1)"].iloc[0] == pytest.approx(data.x1.iloc[3] - data.x1.mean(), abs=1e-12)
    full = model.predict_proba(data)[3]
    assert np.array_equal(model.predict_proba(one_row)[0], full)


def test_an_unseen_level_is_a_clear_error_naming_the_term_and_the_levels(fits):
    data, ours, _ = fits
    fresh = data.head(3).assign(x2=["a", "d", "b"])
    with pytest.raises(ValueError, match=r"C\(x2\) has \['d'\] in column 'x2', and the fit saw"):
        ours.predict(fresh)
    with pytest.raises(ValueError, match="levels the fit did not see"):
        ours.predict_interval(fresh)


def test_missing_columns_and_missing_values_are_clear_errors(fits):
    data, ours, _ = fits
    with pytest.raises(ValueError, match=r"data has no column 'x3', which 'y ~ x1"):
        ours.predict_proba(data.drop(columns="x3"))
    with pytest.raises(ValueError, match="data has no column 'nope'"):
        logit("y ~ x1 + nope", data)
    holes = data.head(5).copy()
    holes.loc[1, "x1"] = np.nan
    with pytest.raises(ValueError, match=r"missing values \(1 in 'x1'\)"):
        ours.predict(holes)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        ours.predict(data[["x1", "x3"]].to_numpy())


def test_rows_missing_a_value_are_dropped_or_refused_at_fit():
    data = frame()
    holes = data.copy()
    holes.loc[[2, 9], "x3"] = np.nan
    holes.loc[4, "y"] = np.nan
    dropped = logit(FORMULA, holes, tol=1e-10)
    complete = logit(FORMULA, data.drop(index=[2, 4, 9]), tol=1e-10)
    assert np.array_equal(dropped.coef_, complete.coef_)
    with pytest.raises(ValueError, match=r"missing values \(2 in 'x3', 1 in 'y'\)"):
        logit(FORMULA, holes, missing="raise")


def test_sample_weights_go_with_their_rows():
    data = frame()
    weights = np.arange(len(data)) % 3 + 1.0
    holes = data.copy()
    holes.loc[0, "x1"] = np.nan
    model = logit(FORMULA, holes, sample_weight=weights, tol=1e-10)
    kept = logit(FORMULA, data.iloc[1:], sample_weight=weights[1:], tol=1e-10)
    assert np.allclose(model.coef_, kept.coef_, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="one weight per row of data"):
        logit(FORMULA, data, sample_weight=weights[1:])


def test_text_outcomes_are_class_labels():
    data = frame()
    data["answer"] = np.where(data.y == 1, "yes", "no")
    data["kind"] = np.array(["p", "q", "r"])[np.arange(len(data)) % 3]
    binary = logit("answer ~ x1 + C(x2)", data)
    assert binary.classes_.tolist() == ["no", "yes"]
    numeric = logit("y ~ x1 + C(x2)", data)
    assert np.allclose(binary.coef_, numeric.coef_)
    three = logit("kind ~ x1 + x3", data)
    assert three.classes_.tolist() == ["p", "q", "r"]
    assert three.formula_.labels(data.head(4)).tolist() == ["p", "q", "r", "p"]
    boolean = logit("I(x1 > 0) ~ x3", data)
    assert set(boolean.classes_.tolist()) == {0, 1}


def test_firth_fits_the_same_design():
    data = frame(n=60)
    model = logit(FORMULA, data, firth=True)
    assert isinstance(model, FirthLogisticRegression)
    X = model.formula_.model_matrix(data)
    direct = FirthLogisticRegression().fit(X, data["y"])
    assert np.array_equal(model.coef_, direct.coef_)
    assert model.summary(ci="wald").names[1:] == tuple(model.feature_names_in_)
    assert np.array_equal(model.predict_proba(data), direct.predict_proba(X))
    assert np.array_equal(
        model.summary(ci="wald", X=data, y=data["y"]).coef, model.summary(ci="wald").coef
    )


def test_refitting_on_arrays_forgets_the_formula(fits):
    data, _, _ = fits
    model = logit(FORMULA, data)
    X = model.formula_.model_matrix(data).to_numpy()
    model.fit(X, data["y"])
    assert not hasattr(model, "formula_")
    assert model.predict(X).shape == (len(data),)


def test_formulas_that_are_not_outcome_and_terms_are_refused():
    data = frame(n=30)
    with pytest.raises(ValueError, match="'outcome ~ terms'"):
        logit("x1 + x3", data)
    with pytest.raises(ValueError, match="does not parse"):
        logit("y ~ x1 +", data)
    with pytest.raises(ValueError, match="one column of class labels"):
        logit("y + x1 ~ x3", data)
    with pytest.raises(ValueError, match="missing must be one of"):
        logit(FORMULA, data, missing="ignore")


def test_separated_data_warn_as_other_unpenalized_fits():
    data = pd.DataFrame({"y": [0, 0, 0, 1, 1, 1], "x": [1.0, 2, 3, 4, 5, 6]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        logit("y ~ x", data)
    assert any(issubclass(w.category, log_reg.PerfectSeparationWarning) for w in caught)
