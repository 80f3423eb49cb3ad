"""LogisticRegression against scikit-learn: same parameters, same answers, clear errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import make_problem
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from log_reg import ConvergenceWarning, LogisticRegression
from log_reg.core.objective import make_objective
from log_reg.core.penalty import ElasticNet, alpha_from_C

SMOOTH_SOLVERS = ["auto", "lbfgs", "newton", "cd", "newton-cholesky", "newton-cg", "sag", "saga"]


def weighted_problem(n_classes, seed=0, n=120, d=4):
    X, y = make_problem(n=n, d=d, n_classes=n_classes, seed=seed)
    s = np.random.default_rng(seed).uniform(0.2, 3.0, n)
    return X, y, s


def tight(**kwargs):
    return LogisticRegression(tol=1e-10, max_iter=1000, **kwargs)


def sk_tight(**kwargs):
    return SkLogisticRegression(tol=1e-12, max_iter=100_000, **kwargs)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("C", [0.3, np.inf])
@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_smooth_problems_match_sklearn_lbfgs(n_classes, C, solver):
    X, y, s = weighted_problem(n_classes)
    cw = {0: 2.0, 1: 0.5}
    ours = tight(C=C, solver=solver, class_weight=cw).fit(X, y, sample_weight=s)
    ref = sk_tight(C=C, class_weight=cw).fit(X, y, sample_weight=s)
    assert ours.converged_
    # Both stop at a gradient of ~1e-10 on a condition number ~1e2: coefficients agree to ~1e-8.
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-6, atol=1e-9)


def sklearn_objective(model, X, y, s, C, l1_ratio):
    """scikit-learn's objective, C sum s_i loss_i + pen(W), at a fitted model's coefficients."""
    f = make_objective(
        X,
        np.searchsorted(model.classes_, y),
        n_classes=len(model.classes_),
        penalty=ElasticNet(alpha_from_C(C, s.sum()), l1_ratio),
        sample_weight=s,
    )
    M = np.hstack([model.coef_, model.intercept_[:, None]])
    return f.value(M.ravel()) * C * s.sum(), f, M.ravel()


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_l1_and_elastic_net_beat_saga_and_meet_kkt(n_classes, l1_ratio):
    X, y, s = weighted_problem(n_classes, seed=2, d=8)
    C = 0.02
    ours = tight(C=C, l1_ratio=l1_ratio).fit(X, y, sample_weight=s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga at tol 1e-12 may warn; we only want its optimum
        saga = SkLogisticRegression(
            C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=20_000
        )
        saga.fit(X, y, sample_weight=s)
    ours_value, f, coef = sklearn_objective(ours, X, y, s, C, l1_ratio)
    saga_value, _, _ = sklearn_objective(saga, X, y, s, C, l1_ratio)
    assert ours_value <= saga_value * (1 + 1e-12)
    # Subgradient optimality, relative to the gradient's scale at zero.
    scale = np.max(np.abs(f.gradient(f.zeros())))
    assert f.optimality(coef, f.gradient(coef)) <= 1e-7 * scale
    assert np.any(ours.coef_ == 0)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_every_solver_agrees_with_every_other(n_classes):
    X, y, s = weighted_problem(n_classes, seed=4)
    fits = {
        solver: LogisticRegression(solver=solver, tol=1e-8, max_iter=100_000, C=0.5).fit(X, y, s)
        for solver in ["lbfgs", "newton", "cd", "gd"]
    }
    reference = fits.pop("newton")
    for solver, model in fits.items():
        np.testing.assert_allclose(
            model.coef_, reference.coef_, rtol=1e-5, atol=1e-7, err_msg=solver
        )
    sgd = LogisticRegression(solver="sgd", random_state=0, max_iter=300, C=0.5).fit(X, y, s)
    assert np.mean(sgd.predict(X) == reference.predict(X)) > 0.95  # noisy, but the same model


def test_liblinear_reproduces_its_penalized_intercept():
    X, y = make_problem(n=150, d=3, seed=6)
    X = X + 3  # an off-centre intercept, so penalizing it matters
    ours = tight(solver="liblinear", intercept_scaling=2.0, C=0.1).fit(X, y)
    ref = SkLogisticRegression(
        solver="liblinear", intercept_scaling=2.0, C=0.1, tol=1e-10, max_iter=10_000
    ).fit(X, y)
    # liblinear's own tolerance is looser than ours: agreement to 1e-4 relative.
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-4)
    three = make_problem(n=90, n_classes=3)
    with pytest.raises(ValueError, match="does not support multiclass"):
        LogisticRegression(solver="liblinear").fit(*three)  # as scikit-learn 1.8+
    multi = LogisticRegression(solver="liblinear", multi_class="ovr").fit(*three)
    assert multi.coef_.shape == (3, 4)


def test_ovr_matches_one_binary_fit_per_class():
    X, y = make_problem(n=150, d=3, n_classes=3, seed=7)
    model = tight(multi_class="ovr").fit(X, y)
    for k in range(3):
        ref = sk_tight().fit(X, (y == k).astype(int))
        np.testing.assert_allclose(model.coef_[k], ref.coef_[0], rtol=1e-5)
    P = model.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1)
    assert model.n_iter_.shape == (3,) and len(model.loss_history_) == 3


def test_standardize_reports_coefficients_on_the_original_scale():
    X, y = make_problem(n=200, d=3, seed=8)
    X = X * [1.0, 100.0, 0.01] + [5.0, -300.0, 2.0]
    model = tight(C=np.inf, standardize=True).fit(X, y)
    plain = tight(C=np.inf).fit(X, y)
    # Without a penalty the optimum is scale-free: standardizing changes nothing but speed.
    np.testing.assert_allclose(model.coef_, plain.coef_, rtol=1e-6)
    np.testing.assert_allclose(
        model.decision_function(X), plain.decision_function(X), rtol=1e-6, atol=1e-8
    )


@pytest.mark.parametrize(
    "labels",
    [np.array(["cat", "dog", "emu"]), np.array([True, False, True]), np.array([-1, 7, 3])],
    ids=["strings", "booleans", "integers"],
)
def test_labels_are_kept_as_given(labels):
    X, y = make_problem(n=90, d=2, n_classes=len(np.unique(labels)), seed=9)
    y_labels = np.unique(labels)[y]
    model = LogisticRegression().fit(X, y_labels)
    np.testing.assert_array_equal(model.classes_, np.unique(labels))
    assert model.predict(X).dtype == y_labels.dtype
    assert set(model.predict(X)) <= set(labels.tolist())


def test_shapes_and_attributes():
    X, y = make_problem(n=60, d=4)
    binary = LogisticRegression().fit(X, y)
    assert binary.coef_.shape == (1, 4) and binary.intercept_.shape == (1,)
    assert binary.decision_function(X).shape == (60,)
    assert binary.n_iter_.shape == (1,) and binary.n_features_in_ == 4 and binary.converged_
    assert binary.solver_ in {"newton", "lbfgs"} and len(binary.loss_history_) >= 1
    np.testing.assert_allclose(
        np.exp(binary.predict_log_proba(X)), binary.predict_proba(X), rtol=1e-12
    )
    X3, y3 = make_problem(n=60, d=4, n_classes=3)
    multi = LogisticRegression().fit(X3, y3)
    assert multi.coef_.shape == (3, 4) and multi.decision_function(X3).shape == (60, 3)
    np.testing.assert_allclose(
        np.exp(multi.predict_log_proba(X3)), multi.predict_proba(X3), rtol=1e-12
    )


def test_float32_stays_float32():
    X, y = make_problem(n=100, d=3, n_classes=3)
    model = LogisticRegression().fit(X.astype(np.float32), y)
    assert (
        model.coef_.dtype == np.float32
        and model.predict_proba(X.astype(np.float32)).dtype == np.float32
    )
    ref = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-3)


def test_warm_start_starts_from_the_previous_fit():
    X, y = make_problem(n=200, d=3)
    model = LogisticRegression(warm_start=True, solver="lbfgs", tol=1e-8).fit(X, y)
    first = model.n_iter_[0]
    model.fit(X, y)
    assert model.n_iter_[0] < first


def test_deprecated_penalty_still_works_with_a_future_warning():
    X, y = make_problem(n=100, d=3)
    with pytest.warns(FutureWarning, match="penalty"):
        l1 = LogisticRegression(penalty="l1", C=0.1, solver="liblinear", tol=1e-10).fit(X, y)
    # penalty="l1" is l1_ratio=1: the same liblinear objective, the same coefficients.
    same = LogisticRegression(l1_ratio=1.0, C=0.1, solver="liblinear", tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(l1.coef_, same.coef_)
    assert l1.converged_
    with pytest.warns(FutureWarning):
        none = LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(none.coef_, tight(C=np.inf).fit(X, y).coef_, rtol=1e-6)


def test_not_converging_warns_once_and_says_what_to_do():
    X, y = make_problem(n=300, d=5, seed=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LogisticRegression(solver="gd", max_iter=3).fit(X, y)
    ours = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(ours) == 1 and not model.converged_
    assert "'gd'" in str(ours[0].message) and "max_iter" in str(ours[0].message)
    # ... and it is scikit-learn's ConvergenceWarning too, so existing filters keep working.
    from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning

    assert issubclass(ours[0].category, SkConvergenceWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression().fit(X, y)  # a converged fit warns about nothing


@pytest.mark.parametrize(
    "params, fit_args, match",
    [
        ({}, ("nan", None), "X must contain only finite"),
        ({}, ("inf", None), "X must contain only finite"),
        ({}, ("one_class", None), "at least two classes"),
        ({}, ("empty", None), "0 sample"),
        ({}, ("short_y", None), "one label per row"),
        ({}, ("ok", "negative"), "sample_weight must be >= 0"),
        ({}, ("ok", "zeros"), "positive sum"),
        ({"C": 0}, ("ok", None), "C must be a number > 0"),
        ({"C": -1.0}, ("ok", None), "C must be a number > 0"),
        ({"l1_ratio": 1.5}, ("ok", None), r"l1_ratio must be a number >= 0 and <= 1"),
        ({"l1_ratio": 1.0, "solver": "lbfgs"}, ("ok", None), "cannot handle an L1 penalty.*'cd'"),
        ({"solver": "fast"}, ("ok", None), "solver must be one of"),
        ({"multi_class": "auto"}, ("ok", None), "multi_class must be one of"),
        ({"dual": True}, ("ok", None), "dual=True is only supported with solver='liblinear'"),
    ],
)
def test_bad_input_names_the_argument(params, fit_args, match):
    X, y = make_problem(n=20, d=2)
    data = {
        "ok": (X, y),
        "nan": (np.where(X > 1, np.nan, X), y),
        "inf": (np.where(X > 1, np.inf, X), y),
        "one_class": (X, np.zeros_like(y)),
        "empty": (X[:0], y[:0]),
        "short_y": (X, y[:-1]),
    }[fit_args[0]]
    weights = {None: None, "negative": -np.ones(20), "zeros": np.zeros(20)}[fit_args[1]]
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(*data, sample_weight=weights)


def test_predict_checks_the_features():
    X, y = make_problem(n=30, d=3)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but LogisticRegression is expecting 3"):
        model.predict(X[:, :2])
    from log_reg import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted yet"):
        LogisticRegression().predict(X)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"class_weight": {0: -1.0}}, "class_weight must hold finite weights >= 0"),
        ({"standardize": "yes"}, "standardize must be True or False; got 'yes'"),
        ({"fit_intercept": "maybe"}, "fit_intercept must be True or False"),
    ],
)
def test_careless_parameters_are_refused(params, message):
    # issue 16, finding 7: each of these was accepted
    X, y = make_problem(n=40, d=2, n_classes=2, seed=0)
    with pytest.raises(ValueError, match=message):
        LogisticRegression(**params).fit(X, y)


def test_column_names_of_mixed_types_are_refused_as_scikit_learn_does():
    pd = pytest.importorskip("pandas")
    X, y = make_problem(n=40, d=2, n_classes=2, seed=0)
    frame = pd.DataFrame(X, columns=["a", 1])
    with pytest.raises(TypeError, match=r"\['int', 'str'\] as feature name"):
        LogisticRegression().fit(frame, y)
    with pytest.raises(TypeError, match=r"\['int', 'str'\] as feature name"):
        SkLogisticRegression().fit(frame, y)
    model = LogisticRegression().fit(pd.DataFrame(X, columns=[0, 1]), y)  # all ints: no names
    assert not hasattr(model, "feature_names_in_")


def test_an_offset_with_nan_is_refused_as_nan():
    X, y = make_problem(n=40, d=2, n_classes=2, seed=0)
    offset = np.zeros(40)
    offset[3] = np.nan
    with pytest.raises(ValueError, match="offset must hold finite numbers; it contains NaN"):
        LogisticRegression().fit(X, y, offset=offset)
