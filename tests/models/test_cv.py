"""LogisticRegressionCV against scikit-learn's, its folds, scorers and choice rules.

Oracles: scikit-learn's ``LogisticRegressionCV`` on the same explicit folds, its
``StratifiedKFold`` and scorers, and plain per-fold recomputations of the choice rules.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
from conftest import make_problem
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
from sklearn.metrics import get_scorer as sk_get_scorer
from sklearn.model_selection import KFold, LeaveOneGroupOut
from sklearn.model_selection import StratifiedKFold as SkStratifiedKFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from log_reg import LogisticRegression
from log_reg.models.cv import LogisticRegressionCV
from log_reg.models.folds import StratifiedKFold, make_folds
from log_reg.models.scoring import accuracy, get_scorer, neg_log_loss, roc_auc

NEW = dict(l1_ratios=(0.0,), use_legacy_attributes=False)  # no deprecation warnings


def folds_of(y, n_splits=4, seed=0):
    return list(SkStratifiedKFold(n_splits, shuffle=True, random_state=seed).split(y, y))


# -- the choice and the refit against scikit-learn -------------------------------------------
SKLEARN_CASES = {  # name -> (problem, shared options, scikit-learn's solver)
    "binary L2": (dict(n_classes=2, d=5), dict(Cs=8), "newton-cholesky"),
    "multinomial L2": (dict(n_classes=3, d=4, seed=1), dict(Cs=6), "newton-cholesky"),
    # Not C = 0.01: scikit-learn's saga stops after one epoch there, intercept not optimal.
    "binary L1": (
        dict(n_classes=2, d=6, seed=2),
        dict(Cs=[0.1, 1, 10, 100], l1_ratios=(1,)),
        "saga",
    ),
    "elastic net": (
        dict(n_classes=3, d=4, seed=3),
        dict(Cs=[0.1, 1, 10], l1_ratios=(0.2, 0.8)),
        "saga",
    ),
    "balanced, roc_auc": (
        dict(n_classes=2, seed=4),
        dict(Cs=6, class_weight="balanced", scoring="roc_auc"),
        "newton-cholesky",
    ),
    "no intercept, accuracy": (
        dict(n_classes=2, seed=5),
        dict(Cs=5, fit_intercept=False, scoring="accuracy"),
        "newton-cholesky",
    ),
    "brier (scikit-learn's scorer)": (
        dict(n_classes=3, seed=6),
        dict(Cs=5, scoring="neg_brier_score"),
        "newton-cholesky",
    ),
}


@pytest.mark.parametrize("case", SKLEARN_CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_chooses_scikit_learns_C_and_matches_its_refit(case, weighted):
    # Both at tol 1e-10 (saga 1e-10, up to 10^5 epochs): scores agree to ~1e-8, so the same
    # grid point wins; the refits then agree to rel 1e-4 (saga's own accuracy), 1e-6 else.
    problem, options, sk_solver = SKLEARN_CASES[case]
    options = {"scoring": "neg_log_loss", "l1_ratios": (0.0,), **options}
    X, y = make_problem(n=120, **problem)
    sw = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else None
    cv = folds_of(y)
    sk = SkLogisticRegressionCV(
        cv=cv,
        solver=sk_solver,
        tol=1e-10,
        max_iter=100_000,
        random_state=0,
        use_legacy_attributes=False,
        **options,
    ).fit(X, y, sample_weight=sw)
    ours = LogisticRegressionCV(
        cv=cv, tol=1e-10, max_iter=1000, use_legacy_attributes=False, **options
    ).fit(X, y, sample_weight=sw)
    assert ours.C_ == sk.C_ and ours.l1_ratio_ == sk.l1_ratio_
    assert_allclose(ours.Cs_, sk.Cs_)
    assert_allclose(ours.scores_, sk.scores_, rtol=1e-5, atol=1e-7)
    rtol = 1e-4 if sk_solver == "saga" else 1e-6  # saga: tol bounds its steps, not its gradient
    assert_allclose(ours.coef_, sk.coef_, rtol=rtol, atol=1e-6)
    assert_allclose(ours.intercept_, sk.intercept_, rtol=rtol, atol=1e-6)
    assert_allclose(ours.coefs_paths_, sk.coefs_paths_, rtol=rtol, atol=1e-5)


def test_default_folds_are_scikit_learns():
    X, y = make_problem(n=90, n_classes=3, seed=7)
    options = dict(Cs=3, scoring="neg_log_loss", tol=1e-10, max_iter=1000, **NEW)
    sk = SkLogisticRegressionCV(solver="newton-cholesky", **options).fit(X, y)
    ours = LogisticRegressionCV(**options).fit(X, y)
    assert_allclose(ours.coefs_paths_, sk.coefs_paths_, rtol=1e-6, atol=1e-7)


# -- folds ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "y",
    [
        np.array([0] * 7 + [1] * 13),
        np.array(list("abcab") * 6 + ["c"] * 4),
        np.random.default_rng(0).integers(0, 4, 53),
        np.array([1, 0] * 10),
    ],
)
@pytest.mark.parametrize("n_splits", [2, 3, 5])
def test_stratified_folds_are_scikit_learns(y, n_splits):
    ours = list(StratifiedKFold(n_splits).split(None, y))
    theirs = list(SkStratifiedKFold(n_splits).split(y, y))
    for (tr, te), (sk_tr, sk_te) in zip(ours, theirs, strict=True):
        assert_array_equal(tr, sk_tr)
        assert_array_equal(te, sk_te)


def test_shuffled_folds_are_reproducible_and_stratified():
    y = np.random.default_rng(1).integers(0, 3, 100)
    splitter = StratifiedKFold(4, shuffle=True, random_state=3)
    first, again = list(splitter.split(None, y)), list(splitter.split(None, y))
    plain = list(StratifiedKFold(4).split(None, y))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(first, again))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(first, plain))
    for (_, test), (_, plain_test) in zip(first, plain):  # same class counts per fold
        assert_array_equal(
            np.bincount(y[test], minlength=3), np.bincount(y[plain_test], minlength=3)
        )
    assert sorted(np.concatenate([t for _, t in first]).tolist()) == list(range(100))


def test_fold_errors_and_warnings():
    with pytest.raises(ValueError, match="random_state has no effect"):
        StratifiedKFold(3, random_state=0)
    with pytest.raises(ValueError, match="n_splits must be an integer >= 2"):
        StratifiedKFold(1)
    with pytest.raises(ValueError, match="cannot be greater than the number of members"):
        list(StratifiedKFold(5).split(None, [0, 0, 1, 1]))
    with pytest.warns(UserWarning, match="least populated class in y has only 2"):
        list(StratifiedKFold(3).split(None, [0, 0, 1, 1, 1, 1]))


def test_make_folds_accepts_ints_pairs_and_splitters():
    y = np.array([0, 1] * 6)
    X = np.zeros((12, 1))
    assert len(make_folds(None, X, y)) == 5
    assert len(make_folds(3, X, y)) == 3
    pairs = [(np.arange(6), np.arange(6, 12)), (np.arange(6, 12), np.arange(6))]
    assert len(make_folds(iter(pairs), X, y)) == 2  # a generator, read once
    kfold = make_folds(KFold(4), X, y)
    assert [t.tolist() for _, t in kfold] == [t.tolist() for _, t in KFold(4).split(X)]
    masks = [(y == 0, y == 1)]
    assert make_folds(masks, X, y)[0][1].tolist() == np.flatnonzero(y == 1).tolist()
    for bad, message in [
        ("abc", "cv must be None"),
        ([], "no folds"),
        ([(np.arange(3),)], "pairs"),
        ([([0, 99], [1])], "out of range"),
    ]:
        with pytest.raises(ValueError, match=message):
            make_folds(bad, X, y)


# -- scorers --------------------------------------------------------------------------------
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("name", ["neg_log_loss", "accuracy", "roc_auc"])
def test_our_scorers_are_scikit_learns(name, n_classes):
    if name == "roc_auc" and n_classes == 3:
        pytest.skip("roc_auc: two classes only")
    X, y = make_problem(n=80, n_classes=n_classes, seed=8)
    labels = np.array(["ant", "bee", "cat"])[y]
    model = LogisticRegression(C=0.3).fit(X, labels)
    sw = np.random.default_rng(2).uniform(0, 2, len(y))
    X_ties = np.round(X, 0)  # ties in the decision function, for the AUC
    ours, theirs = get_scorer(name), sk_get_scorer(name)
    for data in (X, X_ties):
        assert ours(model, data, labels) == pytest.approx(theirs(model, data, labels), rel=1e-12)
        got = ours(model, data, labels, sample_weight=sw)
        assert got == pytest.approx(theirs(model, data, labels, sample_weight=sw), rel=1e-12)


def test_scorers_with_classes_missing_from_the_rows():
    X, y = make_problem(n=60, n_classes=3, seed=9)
    model = LogisticRegression().fit(X, y)
    rows = y != 2
    from sklearn.metrics import log_loss

    expected = -log_loss(y[rows], model.predict_proba(X[rows]), labels=[0, 1, 2])
    assert neg_log_loss(model, X[rows], y[rows]) == pytest.approx(expected, rel=1e-12)
    assert accuracy(model, X[rows], y[rows]) == pytest.approx(model.score(X[rows], y[rows]))
    binary = LogisticRegression().fit(X, y == 1)
    with pytest.warns(UserWarning, match="Only one class"):
        assert np.isnan(roc_auc(binary, X[y == 1], np.ones(np.sum(y == 1), bool)))
    with pytest.raises(ValueError, match="labels the model was not fitted on"):
        neg_log_loss(model, X[:3], [0, 1, 7])
    with pytest.raises(ValueError, match="two classes"):
        roc_auc(model, X, y)


def test_scoring_names_none_and_callables():
    assert get_scorer(None) is accuracy
    calls = []

    def scorer(model, X, y):  # no sample_weight: fine while fit gets none
        calls.append(len(y))
        return float(len(calls) % 3)

    X, y = make_problem(n=40, seed=10)
    model = LogisticRegressionCV(Cs=[1, 2, 3], cv=2, scoring=scorer, **NEW).fit(X, y)
    assert len(calls) == 6 and model.C_ == 2  # scores 1, 2, 0 in fold 1: C = 2 wins
    assert model.score(X, y) == float(7 % 3)


def test_scikit_learn_names_need_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.metrics", None)  # import fails
    with pytest.raises(ValueError, match="needs scikit-learn"):
        get_scorer("neg_brier_score")
    assert get_scorer("roc_auc") is roc_auc  # ours need nothing


# -- choice rules ---------------------------------------------------------------------------
def test_one_standard_error_rule():
    X, y = make_problem(n=150, d=8, seed=11)
    options = dict(Cs=np.logspace(-3, 2, 12), cv=5, tol=1e-8, **NEW)
    best = LogisticRegressionCV(**options).fit(X, y)
    simple = LogisticRegressionCV(one_standard_error_rule=True, **options).fit(X, y)
    scores = simple.scores_[:, 0]  # (n_folds, n_Cs)
    mean = scores.mean(axis=0)
    j_best = int(np.argmax(mean))
    se = scores[:, j_best].std(ddof=1) / np.sqrt(scores.shape[0])
    expected = min(C for C, m in zip(options["Cs"], mean) if m >= mean[j_best] - se)
    assert simple.C_ == expected <= best.C_ == options["Cs"][j_best]
    assert_allclose(simple.scores_, best.scores_)


@pytest.mark.parametrize("rule", [False, True])
def test_refit_false_averages_the_folds_best(rule):
    X, y = make_problem(n=100, n_classes=3, seed=12)
    Cs = np.logspace(-2, 2, 5)
    lr = LogisticRegressionCV(Cs=Cs, cv=4, refit=False, one_standard_error_rule=rule, **NEW)
    lr.fit(X, y)
    if rule:
        C = LogisticRegressionCV(Cs=Cs, cv=4, one_standard_error_rule=True, **NEW).fit(X, y).C_
        best = [int(np.flatnonzero(Cs == C)[0])] * 4
    else:
        best = np.argmax(lr.scores_[:, 0], axis=1)
    mean = np.mean([lr.coefs_paths_[f, 0, j] for f, j in enumerate(best)], axis=0)
    assert_allclose(lr.coef_, mean[:, :-1])
    assert_allclose(lr.intercept_, mean[:, -1])
    assert lr.C_ == pytest.approx(np.mean(Cs[best]))


def test_sample_weights_reach_the_scores():
    # Integer weights = repeated rows, fold by fold (scikit-learn's own test, on groups).
    X, y = make_problem(n=90, seed=13)
    sw = np.random.default_rng(3).integers(0, 4, len(y)).astype(float)
    groups = np.repeat([0, 1, 2], 30)
    X_rep, y_rep = np.repeat(X, sw.astype(int), axis=0), np.repeat(y, sw.astype(int))
    g_rep = np.repeat(groups, sw.astype(int))
    options = dict(Cs=5, tol=1e-10, **NEW)
    for scoring in ("neg_log_loss", "accuracy", "roc_auc"):
        weighted = LogisticRegressionCV(
            cv=list(LeaveOneGroupOut().split(X, y, groups)), scoring=scoring, **options
        ).fit(X, y, sample_weight=sw)
        repeated = LogisticRegressionCV(
            cv=list(LeaveOneGroupOut().split(X_rep, y_rep, g_rep)), scoring=scoring, **options
        ).fit(X_rep, y_rep)
        assert_allclose(weighted.scores_, repeated.scores_, rtol=1e-6)
        assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-6)
        unweighted_scores = LogisticRegressionCV(
            cv=list(LeaveOneGroupOut().split(X, y, groups)), scoring=scoring, **options
        ).fit(X, y)
        assert not np.allclose(unweighted_scores.scores_, weighted.scores_)


def test_warm_paths_cost_fewer_iterations_than_cold_fits():
    X, y = make_problem(n=300, d=10, seed=14)
    Cs = np.logspace(-4, 4, 10)
    folds = list(SkStratifiedKFold(5).split(X, y))
    model = LogisticRegressionCV(Cs=Cs, cv=folds, tol=1e-6, **NEW).fit(X, y)
    cold = sum(
        int(LogisticRegression(C=C, tol=1e-6).fit(X[train], y[train]).n_iter_.sum())
        for train, _ in folds
        for C in Cs
    )
    assert model.n_iter_.sum() < 0.7 * cold, (model.n_iter_.sum(), cold)  # 120 against 181


# -- attributes, parameters, errors ---------------------------------------------------------
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("l1_ratios", ["warn", None, (0.0,), np.array([0.0, 1.0])])
@pytest.mark.parametrize("legacy", [True, False])
@pytest.mark.parametrize("refit", [True, False])
def test_attribute_layouts_are_scikit_learns(n_classes, l1_ratios, legacy, refit):
    X, y = make_problem(n=60, n_classes=n_classes, seed=15)
    options = dict(Cs=3, cv=3, l1_ratios=l1_ratios, use_legacy_attributes=legacy, refit=refit)
    sk = SkLogisticRegressionCV(solver="saga", max_iter=10, scoring="neg_log_loss", **options)
    ours = LogisticRegressionCV(**options).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk.fit(X, y)

    def layout(value):
        if isinstance(value, dict):
            return {k: np.shape(v) for k, v in value.items()}
        return type(value).__name__ if np.isscalar(value) else np.shape(value)

    for name in (
        "coefs_paths_",
        "scores_",
        "n_iter_",
        "C_",
        "l1_ratio_",
        "Cs_",
        "l1_ratios_",
        "coef_",
        "intercept_",
        "classes_",
    ):
        assert layout(getattr(ours, name)) == layout(getattr(sk, name)), name


def test_deprecations_warn_as_scikit_learn():
    X, y = make_problem(n=40, seed=16)
    with pytest.warns(FutureWarning, match="The default value for l1_ratios will change"):
        LogisticRegressionCV(Cs=2, cv=2, use_legacy_attributes=False).fit(X, y)
    with pytest.warns(FutureWarning, match="default value of use_legacy_attributes will change"):
        LogisticRegressionCV(Cs=2, cv=2, l1_ratios=(0,)).fit(X, y)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        model = LogisticRegressionCV(
            Cs=2, cv=2, penalty="l1", l1_ratios=None, use_legacy_attributes=False
        )
        model.fit(X, y)
    assert model.l1_ratio_ == 1.0 and model.solver_ == "cd"
    with pytest.raises(ValueError, match="l1_ratios must be an array-like"):
        LogisticRegressionCV(l1_ratios=(0.5, 2.0), use_legacy_attributes=False).fit(X, y)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(solver="liblinear"), "does not support multiclass"),
        (dict(solver="lbfgs", l1_ratios=(1,)), "supports only 'l2'"),
        (dict(solver="lbfgs", dual=True), "dual=False"),
        (dict(Cs=[1.0, 0.0]), "Cs must be"),
        (dict(Cs=0), "Cs must be an integer >= 1"),
        (dict(multi_class="both"), "multi_class"),
        (dict(scoring=3), "scoring must be"),
        (dict(use_legacy_attributes="yes"), "use_legacy_attributes"),
    ],
)
def test_bad_parameters_are_named(options, message):
    X, y = make_problem(n=40, n_classes=3, seed=17)
    with pytest.raises(ValueError, match=message):
        LogisticRegressionCV(**{**NEW, **options}).fit(X, y)


def test_extra_fit_and_score_arguments_are_refused():
    X, y = make_problem(n=40, seed=18)
    model = LogisticRegressionCV(Cs=2, cv=2, **NEW)
    with pytest.raises(ValueError, match="only supported if enable_metadata_routing=True"):
        model.fit(X, y, groups=np.zeros(40))
    model.fit(X, y)
    with pytest.raises(ValueError, match="only supported if enable_metadata_routing=True"):
        model.score(X, y, groups=np.zeros(40))


def test_one_vs_rest_and_float32():
    X, y = make_problem(n=90, n_classes=3, seed=19)
    model = LogisticRegressionCV(Cs=3, cv=3, multi_class="ovr", **NEW).fit(X.astype(np.float32), y)
    assert model.coefs_paths_.shape == (3, 1, 3, 3, X.shape[1] + 1)
    assert model.coef_.dtype == np.float64
    proba = model.predict_proba(X.astype(np.float32))
    assert proba.dtype == np.float64
    assert_allclose(proba.sum(axis=1), 1)
    assert model.score(X, y) == pytest.approx(neg_log_loss(model, X, y))


def test_is_a_logistic_regression_without_its_other_entry_points():
    model = LogisticRegressionCV()
    assert isinstance(model, LogisticRegression)  # as scikit-learn's
    for name in ("partial_fit", "summary", "wald_test"):
        assert not hasattr(model, name)
    X, y = make_problem(n=40, seed=20)
    with pytest.raises(ValueError, match="does not support offset"):
        model.set_params(**NEW).fit(X, y, offset=np.zeros(40))


# -- scikit-learn's estimator checks --------------------------------------------------------
#: Checks expected to fail, each with its reason.
EXPECTED_FAILURES: dict[str, str] = {
    "check_non_transformer_estimators_n_iter": (
        "An L1 path starts at the intercept-only model, which is already the exact answer "
        "at strong penalties (C = 1e-4 here): those fits take 0 iterations, honestly reported."
    ),
    **dict.fromkeys(
        [
            "check_sample_weight_equivalence_on_dense_data",
            "check_sample_weight_equivalence_on_sparse_data",
        ],
        "The chosen fit is the lasso (l1_ratio=1, C=1e4) on 15 distinct rows of 30 features: "
        "with p > n and no L2 part its minimizer is not unique. The weighted and the repeated "
        "fits both meet tol (1e-8 too) at points of the solution set that need not be the "
        "same (which one depends on the solver's path), so their predictions can differ; the "
        "objective values agree.",
    ),
}


@parametrize_with_checks(
    [
        LogisticRegressionCV(Cs=3, cv=3, **NEW),
        LogisticRegressionCV(Cs=3, cv=3, l1_ratios=(0.5, 1.0), use_legacy_attributes=False),
        LogisticRegressionCV(
            Cs=3, cv=3, l1_ratios=(0.0,), multi_class="ovr", refit=False, use_legacy_attributes=True
        ),
    ],
    expected_failed_checks=lambda e: EXPECTED_FAILURES if max(e.l1_ratios) > 0 else {},
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
