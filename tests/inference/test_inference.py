"""Inference agrees with statsmodels (Logit, MNLogit) and with the published Stata values.

Fits use ``tol=1e-10`` or tighter, so our estimates sit within ~1e-9 (relative) of
statsmodels' Newton optimum; quantities derived from them are compared at 1e-6 unless
stated otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from conftest import make_problem
from scipy import stats
from statsmodels.stats import sandwich_covariance

from log_reg import LogisticRegression
from log_reg.inference.summary import (
    ChiSquareTest,
    likelihood_ratio,
    likelihood_ratio_test,
    log_likelihood,
    summary,
    wald_test,
)

RTOL = 1e-6


def fit(X, y, sample_weight=None, **kwargs):
    kwargs = {"tol": 1e-10, **kwargs}
    return LogisticRegression(C=np.inf, **kwargs).fit(X, y, sample_weight=sample_weight)


def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog.to_numpy()


def generated(seed=3, n=250, d=3):
    X, y = make_problem(n=n, d=d, seed=seed)
    return X, y


def with_constant(X, fit_intercept=True):
    X = np.asarray(X, dtype=float)
    return sm.add_constant(X, has_constant="add") if fit_intercept else X


DATASETS = {
    "spector": (spector, True),
    "generated": (generated, True),
    "generated-no-intercept": (generated, False),
}


@pytest.fixture(params=list(DATASETS))
def binary_case(request):
    load, fit_intercept = DATASETS[request.param]
    X, y = load()
    model = fit(X, y, fit_intercept=fit_intercept)
    sm_model = sm.Logit(y, with_constant(X, fit_intercept))
    return X, y, model, sm_model


def test_spector_matches_published_stata_values():
    X, y = spector()
    s = summary(fit(X, y), X, y)
    stata_coef = [-13.0213483201, 2.82611297201, 0.0951576702557, 2.37868772835]
    stata_se = [4.93132462871, 1.26294114526, 0.141554207662, 1.06456430165]
    assert s.names == ("(Intercept)", "GPA", "TUCE", "PSI")
    # The published digits come from a fit stopped ~1e-7 short of the optimum.
    np.testing.assert_allclose(s.coef, stata_coef, rtol=1e-6)
    np.testing.assert_allclose(s.std_err, stata_se, rtol=1e-5)


def test_binary_matches_statsmodels(binary_case):
    X, y, model, sm_model = binary_case
    ref = sm_model.fit(disp=0, method="newton", tol=1e-12)
    s = summary(model, X, y)
    np.testing.assert_allclose(s.coef, ref.params, rtol=RTOL)
    for ours, theirs in [(s.std_err, ref.bse), (s.z, ref.tvalues), (s.p_value, ref.pvalues)]:
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)
    np.testing.assert_allclose(np.c_[s.ci_low, s.ci_high], ref.conf_int(), rtol=RTOL)
    np.testing.assert_allclose(s.cov, ref.cov_params(), rtol=RTOL)
    np.testing.assert_allclose(
        [s.log_likelihood, s.null_log_likelihood, s.pseudo_r2, s.llr_p_value, s.aic, s.bic],
        [ref.llf, ref.llnull, ref.prsquared, ref.llr_pvalue, ref.aic, ref.bic],
        rtol=RTOL,
    )
    assert (s.n_obs, s.df_model, s.df_resid) == (ref.nobs, ref.df_model, ref.df_resid)
    assert s.converged and s.separation is None and s.cov_type == "nonrobust"


@pytest.mark.parametrize("cov_type", ["HC0", "cluster"])
def test_robust_covariances_match_statsmodels(binary_case, cov_type):
    X, y, model, sm_model = binary_case
    groups = np.arange(len(y)) % 7
    kwds = {"cov_kwds": {"groups": groups}} if cov_type == "cluster" else {}
    ref = sm_model.fit(disp=0, method="newton", tol=1e-12, cov_type=cov_type, **kwds)
    s = summary(model, X, y, cov_type=cov_type, groups=groups if kwds else None)
    np.testing.assert_allclose(s.std_err, ref.bse, rtol=RTOL)
    np.testing.assert_allclose(s.p_value, ref.pvalues, rtol=RTOL)
    np.testing.assert_allclose(np.c_[s.ci_low, s.ci_high], ref.conf_int(), rtol=RTOL)


def test_hc1_hc2_hc3_are_the_textbook_corrections(binary_case):
    """statsmodels' Logit returns HC0 for every HC type; check ours against its building blocks:
    HC1 = cov_white_simple(use_correction=True); HC2/HC3 with GLM's hat_matrix_diag."""
    X, y, model, sm_model = binary_case
    ref = sm_model.fit(disp=0, method="newton", tol=1e-12)
    np.testing.assert_allclose(
        summary(model, X, y, cov_type="HC1").cov,
        sandwich_covariance.cov_white_simple(ref, use_correction=True),
        rtol=RTOL,
    )
    glm = sm.GLM(y, sm_model.exog, family=sm.families.Binomial()).fit(tol=1e-12)
    h = glm.get_influence().hat_matrix_diag
    scores, bread = sm_model.score_obs(ref.params), np.linalg.inv(-sm_model.hessian(ref.params))
    for cov_type, power in [("HC2", 1), ("HC3", 2)]:
        meat = scores.T @ (scores / (1 - h[:, None]) ** power)
        np.testing.assert_allclose(
            summary(model, X, y, cov_type=cov_type).cov, bread @ meat @ bread, rtol=RTOL
        )


def multinomial_case(reference=0):
    X, y = make_problem(n=300, d=3, n_classes=3, seed=1)
    relabeled = (y - reference) % 3  # the reference class becomes statsmodels' first
    ref = sm.MNLogit(relabeled, with_constant(X))
    return X, y, fit(X, y, multi_class="multinomial"), ref


@pytest.mark.parametrize("reference", [0, 2])
def test_multinomial_contrasts_match_mnlogit(reference):
    X, y, model, sm_model = multinomial_case(reference)
    ref = sm_model.fit(disp=0, method="newton", tol=1e-12)
    s = summary(model, X, y, reference_class=reference)
    assert s.coef.shape == (2, 4) and s.reference_class == reference
    assert s.classes == tuple(k for k in range(3) if k != reference)
    np.testing.assert_allclose(s.coef, ref.params.T, rtol=RTOL)
    np.testing.assert_allclose(s.std_err, ref.bse.T, rtol=RTOL)
    np.testing.assert_allclose(s.p_value, ref.pvalues.T, rtol=RTOL)
    np.testing.assert_allclose(s.ci_low, ref.conf_int()[:, :, 0], rtol=RTOL)
    np.testing.assert_allclose(s.cov, ref.cov_params(), rtol=RTOL)
    np.testing.assert_allclose(
        [s.log_likelihood, s.null_log_likelihood, s.llr_p_value, s.aic, s.bic],
        [ref.llf, ref.llnull, ref.llr_pvalue, ref.aic, ref.bic],
        rtol=RTOL,
    )
    assert (s.df_model, s.df_resid) == (ref.df_model, ref.df_resid)


@pytest.mark.parametrize("cov_type", ["HC0", "cluster"])
def test_multinomial_robust_covariances_match_mnlogit(cov_type):
    X, y, model, sm_model = multinomial_case()
    groups = np.arange(len(y)) % 11
    kwds = {"cov_kwds": {"groups": groups}} if cov_type == "cluster" else {}
    ref = sm_model.fit(disp=0, method="newton", tol=1e-12, cov_type=cov_type, **kwds)
    s = summary(model, X, y, cov_type=cov_type, groups=groups if kwds else None)
    np.testing.assert_allclose(s.std_err, ref.bse.T, rtol=RTOL)


def test_wald_tests_match_statsmodels():
    X, y = spector()
    s = summary(fit(X, y), X, y)
    ref = sm.Logit(y, with_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    R = np.array([[0, 1, 0, 0], [0, 0, 1, -1.0]])
    q = np.array([2.0, 0.5])
    theirs = ref.wald_test((R, q), scalar=True, use_f=False)
    ours = s.wald_test(R, q)
    assert ours.df == 2
    np.testing.assert_allclose(
        [ours.statistic, ours.p_value], [theirs.statistic, theirs.pvalue], rtol=RTOL
    )
    by_name = wald_test(fit(X, y), X, y, ["TUCE", "PSI"])
    theirs = ref.wald_test(np.eye(4)[2:], scalar=True, use_f=False)
    np.testing.assert_allclose(
        [by_name.statistic, by_name.p_value], [theirs.statistic, theirs.pvalue], rtol=RTOL
    )


def test_multinomial_wald_test_by_name_covers_every_equation():
    X, y, model, sm_model = multinomial_case()
    ref = sm_model.fit(disp=0, method="newton", tol=1e-12)
    ours = wald_test(model, X, y, ["x1"])
    theirs = ref.wald_test(np.eye(8)[[2, 6]], scalar=True, use_f=False)
    assert ours.df == 2
    np.testing.assert_allclose(
        [ours.statistic, ours.p_value], [theirs.statistic, theirs.pvalue], rtol=RTOL
    )


def test_likelihood_ratio_test_matches_statsmodels():
    X, y = spector()
    small = X[["GPA"]]
    full_sm = sm.Logit(y, with_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    small_sm = sm.Logit(y, with_constant(small)).fit(disp=0, method="newton", tol=1e-12)
    # statsmodels' LR test for discrete models: 2 (llf_full - llf_restricted), df = df_resid diff
    lr, df = 2 * (full_sm.llf - small_sm.llf), small_sm.df_resid - full_sm.df_resid
    p = stats.chi2.sf(lr, df)
    ours = likelihood_ratio_test(fit(small, y), fit(X, y), small, X, y)
    assert ours.df == df == 2
    np.testing.assert_allclose([ours.statistic, ours.p_value], [lr, p], rtol=RTOL)
    pure = likelihood_ratio(small_sm.llf, full_sm.llf, 2)
    assert isinstance(pure, ChiSquareTest) and pure.df == 2
    np.testing.assert_allclose([pure.statistic, pure.p_value], [lr, p], rtol=1e-12)
    assert np.isclose(log_likelihood(fit(X, y), X, y), full_sm.llf, rtol=1e-10)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"])
def test_frequency_weights_equal_duplicated_rows(cov_type):
    X, y = generated(seed=5, n=80)
    counts = np.random.default_rng(0).integers(1, 4, size=len(y))
    groups = np.arange(len(y)) % 9
    weighted = summary(fit(X, y, counts, tol=1e-12), X, y, counts, cov_type, groups=groups)
    Xd, yd, gd = (np.repeat(a, counts, axis=0) for a in (X, y, groups))
    duplicated = summary(fit(Xd, yd, tol=1e-12), Xd, yd, cov_type=cov_type, groups=gd)
    np.testing.assert_allclose(weighted.coef, duplicated.coef, rtol=1e-8)
    np.testing.assert_allclose(weighted.std_err, duplicated.std_err, rtol=1e-7)
    assert weighted.n_obs == duplicated.n_obs == counts.sum()
    np.testing.assert_allclose(
        [weighted.log_likelihood, weighted.aic, weighted.bic],
        [duplicated.log_likelihood, duplicated.aic, duplicated.bic],
        rtol=1e-9,
    )


def test_string_labels_and_a_table_that_prints():
    X, y = spector()
    labels = np.array(["fail", "pass"])[y.astype(int)]
    s = summary(fit(X, labels), X, labels, alpha=0.1)
    np.testing.assert_allclose(s.coef, summary(fit(X, y), X, y).coef, rtol=1e-9)
    text = str(s)
    lines = text.splitlines()
    assert "pass vs fail" in text and "[0.05" in text and "0.95]" in text
    coefficient_lines = [line for line in lines if line.split()[0] in s.names]
    assert len(coefficient_lines) == 4 and len({len(line) for line in lines[1:]}) == 1
    frame = s.to_frame()
    assert list(frame.index) == list(s.names) and frame.shape == (4, 6)


def test_multinomial_table_and_frame():
    X, y, model, _ = multinomial_case()
    s = summary(model, X, y)
    assert "-- class 2 vs 0 " in str(s)
    assert s.to_frame().index.names == ["class", "term"] and s.to_frame().shape == (8, 6)


def test_separated_data_are_noted():
    X, y = generated(seed=2, n=40)
    y = (X[:, 1] > 0).astype(int)
    s = summary(fit(X, y, tol=1e-4), X, y)
    assert s.separation is not None and s.separation.features == (1,)
    assert "feature 'x1' alone separates" in str(s)


@pytest.mark.parametrize(
    "kwargs, call, match",
    [
        ({"C": 1.0}, {}, r"unpenalized fit: use C=np.inf"),
        ({"C": np.inf, "multi_class": "ovr"}, {}, "multi_class='multinomial'"),
        ({"C": np.inf}, {"cov_type": "HC3"}, "binary fits only"),
        ({"C": np.inf}, {"cov_type": "cluster"}, "needs groups"),
        ({"C": np.inf}, {"cov_type": "HC4"}, "cov_type must be one of"),
        ({"C": np.inf}, {"alpha": 1.5}, "alpha must be"),
        ({"C": np.inf}, {"reference_class": 7}, "not classes of the model"),
    ],
)
def test_clear_errors(kwargs, call, match):
    X, y = make_problem(n=90, d=2, n_classes=3, seed=4)
    model = LogisticRegression(**kwargs).fit(X, y)
    with pytest.raises(ValueError, match=match):
        summary(model, X, y, **call)


def test_other_errors():
    X, y = generated()
    model = fit(X, y)
    with pytest.raises(ValueError, match="not classes of the model"):
        summary(model, X, y + 5)
    with pytest.raises(ValueError, match="collinear"):
        Xc = np.c_[X, X[:, 0]]
        summary(fit(Xc, y), Xc, y)
    with pytest.raises(ValueError, match="fewer parameters"):
        likelihood_ratio_test(model, model, X, X, y)
    with pytest.raises(ValueError, match="Unknown coefficient"):
        summary(model, X, y).wald_test(["nope"])
    with pytest.raises(ValueError, match="4 columns"):
        summary(model, X, y).wald_test(np.ones((1, 3)))


def test_standardized_and_class_weighted_fits():
    """Standardizing changes no unpenalized estimate; class weights act as frequency weights."""
    X, y = generated(seed=7, n=120)
    plain = summary(fit(X, y, tol=1e-12), X, y, cov_type="HC1")
    scaled = summary(fit(X, y, tol=1e-12, standardize=True), X, y, cov_type="HC1")
    np.testing.assert_allclose(scaled.std_err, plain.std_err, rtol=1e-7)
    weighted = summary(fit(X, y, tol=1e-12, class_weight={0: 2.0}), X, y)
    counts = np.where(y == 0, 2.0, 1.0)
    np.testing.assert_allclose(
        weighted.std_err, summary(fit(X, y, counts, tol=1e-12), X, y, counts).std_err, rtol=1e-7
    )


def test_sparse_input_gives_the_dense_summary():
    from scipy import sparse

    X, y = generated(seed=8, n=100)
    dense = summary(fit(X, y), X, y, cov_type="HC0")
    Xs = sparse.csr_matrix(X)
    np.testing.assert_allclose(
        summary(fit(Xs, y), Xs, y, cov_type="HC0").std_err, dense.std_err, rtol=1e-7
    )
