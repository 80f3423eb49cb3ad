"""The regularization path against independent fits, its starting penalty, and its grid.

Oracles: our ``LogisticRegression`` fitted cold at each ``C`` (same objective, started at
zero instead of warm), scikit-learn's ``LogisticRegression`` at a tight tolerance, and the
closed-form gradient of the intercept-only model for ``alpha_max``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import make_problem
from numpy.testing import assert_allclose
from scipy import sparse

from log_reg import ConvergenceWarning, LogisticRegression
from log_reg.core.objective import make_objective
from log_reg.core.penalty import ElasticNet
from log_reg.models.path import PathResult, alpha_max, regularization_path

TIGHT = 1e-10  # both fits stop this close to the optimum; coefficients then agree to ~1e-8

CASES = {  # name -> (problem, regularization_path / LogisticRegression options)
    "binary L2": (dict(n_classes=2), dict(l1_ratio=0.0)),
    "multinomial L2": (dict(n_classes=3, seed=1), dict(l1_ratio=0.0)),
    "binary L1": (dict(n_classes=2, d=6), dict(l1_ratio=1.0)),
    "multinomial elastic net": (dict(n_classes=3, seed=2, d=5), dict(l1_ratio=0.5)),
    "one-vs-rest L1": (dict(n_classes=3, seed=3), dict(l1_ratio=1.0, multi_class="ovr")),
    "no intercept": (dict(n_classes=2, seed=4), dict(l1_ratio=0.7, fit_intercept=False)),
    "liblinear L1": (dict(n_classes=2, seed=5), dict(l1_ratio=1.0, solver="liblinear")),
    # L-BFGS stalls short of 1e-10 (rounding in its line search), and on the nearly flat
    # objective of C = 1e4 a gradient of 1e-8 leaves the coefficients loose to ~1e-4.
    "lbfgs L2": (dict(n_classes=3, seed=6), dict(solver="lbfgs", tol=1e-8, Cs=[1e-3, 0.1, 10])),
}


def weights(n, seed=0):
    return np.random.default_rng(seed).uniform(0.2, 3.0, size=n)


def cold_fit(X, y, C, options, **extra):
    """Our estimator at one ``C``, from zero: independent of the path's warm starts."""
    lr_options = {"tol": TIGHT, **{k: v for k, v in options.items() if k not in ("eps", "Cs")}}
    return LogisticRegression(C=C, max_iter=1000, **lr_options).fit(X, y, **extra)


@pytest.mark.parametrize("case", CASES)
def test_every_point_agrees_with_an_independent_fit(case):
    # rel 1e-5 (with atol 1e-7 for coefficients L1 sets to zero): both fits stop within
    # TIGHT of the same optimum, so they differ only by the solvers' last steps.
    problem, options = CASES[case]
    X, y = make_problem(n=80, **problem)
    sw = weights(len(y))
    # eps=1e-2: the weakest penalties of the default 1e-4 would only slow the test down.
    path = regularization_path(
        X, y, n_Cs=6, eps=1e-2, sample_weight=sw, max_iter=1000, **{"tol": TIGHT, **options}
    )
    assert path.converged.all()
    atol = max(1e-7, 1e3 * options.get("tol", TIGHT))  # a looser tol, a looser agreement
    for j, C in enumerate(path.Cs):
        lr = cold_fit(X, y, C, options, sample_weight=sw)
        assert_allclose(path.coefs[j], lr.coef_, rtol=1e-5, atol=atol, err_msg=f"C={C}")
        assert_allclose(path.intercepts[j], lr.intercept_, rtol=1e-5, atol=atol)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_l2_path_agrees_with_scikit_learn(n_classes):
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    X, y = make_problem(n=100, d=4, n_classes=n_classes, seed=7)
    Cs = [1e-3, 0.1, 1.0, 10.0]
    path = regularization_path(X, y, Cs=Cs, tol=TIGHT, max_iter=1000)
    for j, C in enumerate(Cs):
        sk = SkLogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)
        assert_allclose(path.coefs[j], sk.coef_, rtol=1e-5, atol=1e-8)
        assert_allclose(path.intercepts[j], sk.intercept_, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("case", [c for c, (_, o) in CASES.items() if o.get("l1_ratio", 0) > 0])
def test_l1_path_starts_at_the_smallest_penalty_that_zeroes_every_weight(case):
    problem, options = CASES[case]
    X, y = make_problem(n=80, **problem)
    sw = weights(len(y), seed=1)
    path = regularization_path(X, y, n_Cs=3, eps=1e-2, sample_weight=sw, tol=TIGHT, **options)
    assert np.all(path.coefs[0] == 0), "C_max must give exactly zero weights"
    assert np.all(path.n_iter[0] == 0), "the intercept-only start is already optimal there"
    # A slightly smaller penalty (1% larger C) lets some weight in.
    lr = cold_fit(X, y, path.Cs[0] * 1.01, options, sample_weight=sw)
    assert np.any(lr.coef_ != 0)
    # And any larger penalty keeps them all at zero.
    assert np.all(cold_fit(X, y, path.Cs[0] * 0.99, options, sample_weight=sw).coef_ == 0)


def test_alpha_max_is_the_intercept_only_gradient():
    # grad_W f(0, b*) = sum_i w_i (pi - y_i) x_i with pi the weighted class frequencies.
    X, y = make_problem(n=50, d=3, n_classes=3, seed=8)
    s = weights(len(y), seed=2)
    w = s / s.sum()
    Y = np.eye(3)[y]
    pi = w @ Y
    grad = (w[:, None] * (pi - Y)).T @ X  # (K, d)
    f = make_objective(X, y, n_classes=3, sample_weight=s)
    assert alpha_max(f, 0.25) == pytest.approx(np.abs(grad).max() / 0.25, rel=1e-12)
    f_binary = make_objective(X, (y == 1).astype(int), sample_weight=s)
    p1 = w @ (y == 1)
    grad1 = (w * (p1 - (y == 1))) @ X
    assert alpha_max(f_binary, 1.0) == pytest.approx(np.abs(grad1).max(), rel=1e-12)


@pytest.mark.parametrize(("n", "expected_ratio"), [(60, 1e4), (8, 1e2)])
def test_default_grids(n, expected_ratio):
    X, y = make_problem(n=n, d=10, seed=9)
    l1 = regularization_path(X, y, l1_ratio=1.0, n_Cs=7)
    assert np.all(np.diff(l1.Cs) > 0)  # decreasing penalty
    assert l1.Cs[-1] / l1.Cs[0] == pytest.approx(expected_ratio)  # glmnet's lambda.min.ratio
    assert_allclose(l1.alphas * l1.Cs * len(y), 1.0)  # alpha = 1 / (C S)
    l2 = regularization_path(X, y)
    assert_allclose(l2.Cs, np.logspace(-4, 4, 10))  # scikit-learn's grid
    eps = regularization_path(X, y, l1_ratio=1.0, n_Cs=3, eps=0.5)
    assert eps.Cs[-1] / eps.Cs[0] == pytest.approx(2.0)


def test_results_follow_the_given_order_of_Cs():
    X, y = make_problem(n=60, seed=10)
    Cs = [1.0, 0.01, 100.0, 0.1]
    shuffled = regularization_path(X, y, Cs=Cs, l1_ratio=1.0, tol=TIGHT)
    ordered = regularization_path(X, y, Cs=sorted(Cs), l1_ratio=1.0, tol=TIGHT)
    index = np.argsort(Cs)
    assert_allclose(shuffled.Cs, Cs)
    assert_allclose(shuffled.coefs[index], ordered.coefs, rtol=1e-12, atol=1e-15)


def test_result_fields_and_objective_values():
    X, y = make_problem(n=70, d=3, n_classes=3, seed=11)
    path = regularization_path(X, y, Cs=[0.1, 1.0, np.inf], l1_ratio=0.5, tol=1e-8)
    assert isinstance(path, PathResult)
    assert path.coefs.shape == (3, 3, 3) and path.intercepts.shape == (3, 3)
    assert path.n_iter.shape == path.objective_values.shape == path.converged.shape == (3,)
    assert path.alphas[-1] == 0  # C = inf: no penalty
    assert path.classes.tolist() == [0, 1, 2] and path.solver == "cd"
    with pytest.raises(AttributeError):
        path.Cs = np.ones(3)  # frozen
    for j in range(3):  # f recomputed from the coefficients, through the objective layer
        f = make_objective(X, y, n_classes=3, penalty=ElasticNet(path.alphas[j], 0.5))
        coef = np.hstack([path.coefs[j], path.intercepts[j][:, None]]).ravel()
        assert path.objective_values[j] == pytest.approx(f.value(coef), rel=1e-10)
    assert np.all(np.diff(path.objective_values) < 0)  # a weaker penalty, a lower minimum


def test_warm_starts_take_fewer_iterations_than_cold_fits():
    X, y = make_problem(n=400, d=8, seed=12)
    for l1_ratio in (0.0, 1.0):
        path = regularization_path(X, y, l1_ratio=l1_ratio, n_Cs=10, tol=1e-8)
        cold = sum(int(cold_fit(X, y, C, {"l1_ratio": l1_ratio}).n_iter_.sum()) for C in path.Cs)
        assert path.n_iter.sum() < 0.75 * cold, (l1_ratio, path.n_iter.sum(), cold)


def test_sparse_input_gives_the_dense_path():
    X, y = make_problem(n=60, d=5, seed=13)
    X[np.abs(X) < 0.7] = 0
    dense = regularization_path(X, y, l1_ratio=1.0, n_Cs=4, tol=TIGHT)
    sp = regularization_path(sparse.csr_matrix(X), y, l1_ratio=1.0, n_Cs=4, tol=TIGHT)
    assert_allclose(sp.Cs, dense.Cs)
    assert_allclose(sp.coefs, dense.coefs, rtol=1e-8, atol=1e-12)


def test_class_weight_equals_sample_weight():
    X, y = make_problem(n=60, seed=14)
    by_class = regularization_path(X, y, n_Cs=4, l1_ratio=1.0, class_weight={0: 2.0}, tol=TIGHT)
    by_sample = regularization_path(
        X, y, n_Cs=4, l1_ratio=1.0, sample_weight=np.where(y == 0, 2.0, 1.0), tol=TIGHT
    )
    assert_allclose(by_class.Cs, by_sample.Cs)
    assert_allclose(by_class.coefs, by_sample.coefs, rtol=1e-10, atol=1e-14)


def test_non_convergence_warns_once():
    X, y = make_problem(n=60, seed=15)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = regularization_path(X, y, n_Cs=5, tol=1e-12, max_iter=1)
    assert not path.converged.all()
    assert sum(issubclass(w.category, ConvergenceWarning) for w in caught) == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(Cs=[1.0, -1.0]), "Cs must be"),
        (dict(Cs=[]), "Cs must be"),
        (dict(l1_ratio=1.5), "l1_ratio"),
        (dict(l1_ratio=1.0, solver="lbfgs"), "supports only 'l2'"),
        (dict(Cs=[np.inf], solver="liblinear"), "not supported for the liblinear"),
        (dict(eps=0.0, l1_ratio=1.0), "eps"),
        (dict(n_Cs=0), "n_Cs"),
        (dict(multi_class="both"), "multi_class"),
    ],
)
def test_bad_arguments_are_named(options, message):
    X, y = make_problem(n=30)
    with pytest.raises(ValueError, match=message):
        regularization_path(X, y, **options)
