"""The objective: derivatives against finite differences, scale against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_problem
from finite_differences import numerical_gradient, numerical_jacobian
from scipy.optimize import minimize

from log_reg.core.objective import make_objective
from log_reg.core.penalty import ElasticNet, alpha_from_C, l1, l2, no_penalty
from log_reg.solvers import SOLVERS

CASES = [
    pytest.param(n_classes, weighted, intercept, id=f"K{n_classes}-w{weighted:d}-b{intercept:d}")
    for n_classes in (2, 3)
    for weighted in (False, True)
    for intercept in (False, True)
]


def build(n_classes, weighted, intercept, penalty=None, seed=0):
    X, y = make_problem(n=30, d=3, n_classes=n_classes, seed=seed)
    s = np.random.default_rng(seed).uniform(0.1, 3, len(y)) if weighted else None
    f = make_objective(
        X,
        y,
        n_classes=n_classes,
        penalty=penalty or l2(0.3),
        sample_weight=s,
        fit_intercept=intercept,
    )
    coef = np.random.default_rng(seed + 1).normal(size=f.n_coef)
    return f, coef


def smooth_value(f, coef):
    return f.loss_gradient(coef)[0]


@pytest.mark.parametrize("n_classes, weighted, intercept", CASES)
def test_gradient_matches_finite_differences(n_classes, weighted, intercept):
    f, coef = build(n_classes, weighted, intercept, penalty=ElasticNet(0.3, 0.4))
    value, grad = f.loss_gradient(coef)
    # The smooth part is the loss plus the L2 half; the L1 half is added by value().
    W, _ = f.split(coef)
    assert f.value(coef) == pytest.approx(value + 0.3 * 0.4 * np.abs(W).sum(), rel=1e-14)
    # Central differences, h = 1e-6: truncation ~ 1e-12 * f''', rounding ~ 1e-16 / 1e-6.
    np.testing.assert_allclose(
        grad, numerical_gradient(lambda c: smooth_value(f, c), coef), atol=1e-8
    )


@pytest.mark.parametrize("n_classes, weighted, intercept", CASES)
def test_hessian_and_hessian_product_match_finite_differences(n_classes, weighted, intercept):
    f, coef = build(n_classes, weighted, intercept)
    H = f.hessian(coef)
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    np.testing.assert_allclose(H, numerical_jacobian(f.gradient, coef), atol=1e-8)
    hvp, diag = f.hessian_product(coef)
    np.testing.assert_allclose(diag, np.diagonal(H), rtol=1e-12, atol=1e-15)
    for v in np.random.default_rng(3).normal(size=(3, f.n_coef)):
        np.testing.assert_allclose(hvp(v), H @ v, rtol=1e-12, atol=1e-14)
    hvp_only, no_diag = f.hessian_product(coef, diagonal=False)  # the pass squaring X skipped
    assert no_diag is None
    np.testing.assert_allclose(hvp_only(v), H @ v, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n_classes, weighted, intercept", CASES)
def test_minimizer_equals_scikit_learn_at_alpha_from_C(n_classes, weighted, intercept):
    """Ours: mean loss + alpha/2 ||W||^2; scikit-learn's: C sum s_i loss_i + ||W||^2 / 2."""
    from sklearn.linear_model import LogisticRegression

    C = 0.5
    X, y = make_problem(n=80, d=3, n_classes=n_classes, seed=4)
    s = np.random.default_rng(5).uniform(0.1, 3, len(y)) if weighted else np.ones(len(y))
    f = make_objective(
        X,
        y,
        n_classes=n_classes,
        penalty=l2(alpha_from_C(C, s.sum())),
        sample_weight=s,
        fit_intercept=intercept,
    )
    ours = minimize(
        f.loss_gradient,
        f.zeros(),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-13, "ftol": 0, "maxiter": 10_000},
    ).x
    sk = LogisticRegression(C=C, tol=1e-12, max_iter=10_000, fit_intercept=intercept)
    sk.fit(X, y, sample_weight=s)
    expected = sk.coef_ if not intercept else np.hstack([sk.coef_, sk.intercept_[:, None]])
    # Both optimizers stop at gradient ~1e-12 on a problem with condition number ~10.
    np.testing.assert_allclose(ours.reshape(f.coef_shape), expected, rtol=1e-6, atol=1e-8)


def test_optimality_is_the_minimum_norm_subgradient():
    f, _ = build(2, False, True, penalty=l1(0.5))  # lam = 0.5 on the three weights
    coef = np.array([0.0, 0.0, 2.0, -1.0])  # two weights at zero, one positive, the intercept
    grad = np.array([0.7, -0.2, 0.1, 0.3])
    # zero entries: max(|g| - lam, 0) -> 0.2, 0; nonzero: g + lam sign(c) -> 0.6; intercept: 0.3
    assert f.optimality(coef, grad) == pytest.approx(0.6)
    assert f.optimality(coef, np.array([0.7, -0.2, -0.5, 0.3])) == pytest.approx(0.3)


def test_prox_leaves_intercepts_alone():
    f, _ = build(3, False, True, penalty=l1(1.0))
    coef = np.full(f.n_coef, 0.5)
    M = f.prox(coef, 1.0).reshape(f.coef_shape)
    np.testing.assert_array_equal(M[:, :-1], 0)  # soft-thresholded by 1.0
    np.testing.assert_array_equal(M[:, -1], 0.5)


@pytest.mark.parametrize("intercept", [False, True])
def test_pack_is_the_inverse_of_split(intercept):
    f, coef = build(3, False, intercept)
    np.testing.assert_array_equal(f.pack(*f.split(coef)), coef)


def _bounded_l1(n_classes):
    """An L1 objective with penalty factors (one 0) and bounds, at a point with weights at
    zero, at a bound and free."""
    X, y = make_problem(n=30, d=3, n_classes=n_classes, seed=2)
    pen = ElasticNet(0.4, 0.5, np.array([0.0, 1.0, 2.0]))
    f = make_objective(X, y, n_classes=n_classes, penalty=pen, lower_bounds=-0.5, upper_bounds=1)
    coef = np.tile([0.0, -0.5, 0.3, 0.2], f.n_raw)
    return f, coef, np.random.default_rng(3).normal(size=f.n_coef)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_violation_and_coordinate_prox_of_some_coefficients_are_those_of_all(n_classes):
    # coordinate descent asks for a working set of positions: the same numbers, entry by
    # entry, as the objective's whole violation and proximal step
    f, coef, grad = _bounded_l1(n_classes)
    at = np.array([0, 2, 3, f.n_coef - 1])  # weights and intercepts
    np.testing.assert_array_equal(f.violation(coef[at], grad[at], at), f.violation(coef, grad)[at])
    lo, hi = f.subdifferential(coef, grad)
    sub_lo, sub_hi = f.subdifferential(coef[at], grad[at], at)
    np.testing.assert_array_equal(sub_lo, lo[at])
    np.testing.assert_array_equal(sub_hi, hi[at])
    np.testing.assert_array_equal(lo[3::4], grad[3::4])  # intercepts: the point g
    prox = f.coordinate_prox(at)
    for v in (-2.0, -0.05, 0.1, 3.0):
        whole = f.prox(np.full(f.n_coef, v), 0.7)
        assert [prox(j, v, 0.7) for j in range(len(at))] == list(whole[at])


def test_violation_is_the_distance_to_the_subdifferential_with_bounds():
    f, coef, _ = _bounded_l1(2)  # lam = alpha r v = 0, 0.2, 0.4 on the three weights
    g = np.array([0.1, 0.3, 0.5, 0.05])
    # w0 = 0 with lam 0: |g|. w1 = -0.5, at its lower bound: the point g - lam = 0.1 (f falls
    # as w1 falls), but the bound adds [-inf, 0] to it: 0. w2 = 0.3, free: g + lam = 0.9.
    # The intercept: |g|.
    np.testing.assert_allclose(f.violation(coef, g), [0.1, 0.0, 0.9, 0.05])
    assert f.optimality(coef, g) == pytest.approx(0.9)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_penalty_curvature_is_what_the_penalty_adds_to_the_hessian(n_classes):
    pen = ElasticNet(0.3, 0.4, np.array([0.5, 1.0, 2.0]))
    f, coef = build(n_classes, True, True, penalty=pen)
    bare = make_objective(
        f.X,
        f.labels if n_classes > 2 else f.Y[:, 0].astype(int),
        n_classes=n_classes,
        sample_weight=f.weights,
        penalty=no_penalty(),
    )
    added = f.hessian(coef) - bare.hessian(coef)
    np.testing.assert_allclose(added, np.diag(f.penalty_curvature(coef)), atol=1e-13)


def test_lipschitz_bounds_the_hessian():
    for n_classes in (2, 3):
        f, coef = build(n_classes, True, True)
        H = f.hessian(coef)
        assert np.linalg.eigvalsh(H)[-1] <= f.lipschitz() * (1 + 1e-12)


def test_subset_is_an_unbiased_estimate():
    f, coef = build(3, True, True)
    n = f.X.shape[0]
    batches = np.array_split(np.arange(n), 5)
    # Each batch is reweighted by n / |B|, so the batch gradients average to the full one.
    mean = sum(len(b) / n * f.subset(b).gradient(coef) for b in batches)
    np.testing.assert_allclose(mean, f.gradient(coef), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n_classes, weighted, intercept", CASES)
def test_start_is_the_intercept_only_optimum(n_classes, weighted, intercept):
    f, _ = build(n_classes, weighted, intercept)
    start = f.start()
    W, b = f.split(start)
    assert not W.any()
    if not intercept:
        assert not start.any()
        return
    # the intercepts' gradient vanishes there: each class's predicted share is its weighted one
    g_b = f.gradient(start).reshape(f.coef_shape)[:, -1]
    np.testing.assert_allclose(g_b, 0, atol=1e-14)
    if n_classes > 2:  # symmetric, like the softmax's penalized optimum
        assert abs(b.sum()) < 1e-14
    # and moving an intercept either way raises f: a minimum along b
    start_value = f.value(start)
    for shift in (1e-3, -1e-3):
        moved = start.copy()
        moved.reshape(f.coef_shape)[0, -1] += shift
        assert f.value(moved) > start_value


def test_start_is_zero_without_a_closed_form_and_within_bounds():
    X, y = make_problem(n=30, d=3, n_classes=3, seed=0)
    with_offset = make_objective(X, y, n_classes=3, offset=np.ones(30))
    assert not with_offset.start().any()
    weights = np.where(y == 2, 0.0, 1.0)  # class 2 has no weight: its optimum b is -inf
    assert not make_objective(X, y, n_classes=3, sample_weight=weights).start().any()
    Xb, yb = make_problem(n=30, d=3, n_classes=2, seed=0)
    free = make_objective(Xb, yb, n_classes=2).start()
    assert free[-1] != 0
    # bounds hold the weights only (never an intercept): W = 0 outside them is clipped in
    bounded = make_objective(Xb, yb, n_classes=2, lower_bounds=0.01).start()
    np.testing.assert_array_equal(bounded, [0.01, 0.01, 0.01, free[-1]])


def test_float32_stays_float32():
    X, y = make_problem(n=20, d=3)
    f = make_objective(X.astype(np.float32), y, penalty=l2(0.1))
    _, grad = f.loss_gradient(f.zeros())
    assert f.zeros().dtype == np.float32 and grad.dtype == np.float32
    assert f.hessian(f.zeros()).dtype == np.float32


def test_unpenalized_value_is_the_mean_cross_entropy():
    X, y = make_problem(n=25, d=2)
    f = make_objective(X, y, penalty=no_penalty())
    coef = np.array([0.3, -0.2, 0.1])
    p = 1 / (1 + np.exp(-(X @ coef[:2] + coef[2])))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert f.value(coef) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X": [[np.nan, 1.0]], "y": [0]}, "X must contain only finite"),
        ({"X": [[np.inf, 1.0]], "y": [0]}, "X must contain only finite"),
        (
            {"X": np.zeros((0, 2)), "y": []},
            r"0 sample\(s\) \(shape=\(0, 2\)\) while a minimum of 1 is required",
        ),
        ({"X": [[1.0], [2.0]], "y": [0]}, "one label per row"),
        ({"X": [[1.0], [2.0]], "y": [0, 2]}, "integer labels in 0..1"),
        (
            {"X": [[1.0], [2.0]], "y": [0, 1], "sample_weight": [1, -1]},
            "sample_weight must be >= 0",
        ),
        ({"X": [[1.0], [2.0]], "y": [0, 1], "sample_weight": [0, 0]}, "positive sum"),
        ({"X": [1.0, 2.0], "y": [0, 1]}, "2-D array"),
    ],
)
def test_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_objective(**kwargs)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_blocked_pass_equals_the_whole_pass(n_classes, monkeypatch):
    import log_reg.core.kernels as passes

    X, y = make_problem(n=50, d=3, n_classes=n_classes, seed=7)
    offset = np.random.default_rng(8).normal(size=50)
    s = np.random.default_rng(9).uniform(0.5, 2, 50)
    f = make_objective(X, y, n_classes=n_classes, penalty=l2(0.1), sample_weight=s, offset=offset)
    coef = np.random.default_rng(10).normal(size=f.n_coef)
    v = np.random.default_rng(11).normal(size=f.n_coef)
    whole, whole_H = f.loss_gradient(coef), f.hessian(coef)
    whole_hvp, whole_diag = f.hessian_product(coef)
    assert len(passes.row_blocks(X)) == 1
    monkeypatch.setattr(passes, "BLOCK_BYTES", 1)
    monkeypatch.setattr(passes, "MIN_BLOCK_ROWS", 7)  # 50 rows: 8 blocks, the last short
    assert len(passes.row_blocks(X)) == 8
    blocked = f.loss_gradient(coef)
    assert blocked[0] == pytest.approx(whole[0], rel=1e-14)
    np.testing.assert_allclose(blocked[1], whole[1], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(f.hessian(coef), whole_H, rtol=1e-13, atol=1e-16)
    hvp, diag = f.hessian_product(coef)
    np.testing.assert_allclose(hvp(v), whole_hvp(v), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(hvp(v), whole_H @ v, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(diag, whole_diag, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_lipschitz_by_power_iteration_is_close_below_the_exact_bound(
    n_classes, sparse, monkeypatch
):
    import scipy.sparse as sp

    import log_reg.core.kernels as passes

    rng = np.random.default_rng(12)
    X = rng.normal(size=(300, 40)) * np.logspace(-1, 1, 40)  # badly scaled columns
    X[np.abs(X) < 0.3] = 0
    y = rng.integers(0, n_classes, 300)
    f = make_objective(sp.csr_matrix(X) if sparse else X, y, n_classes=n_classes, penalty=l2(0.01))
    exact = f.lipschitz()  # 41 columns: from the eigendecomposition of the Gram matrix
    monkeypatch.setattr(passes, "GRAM_EXACT_MAX", 10)
    estimate = f.lipschitz()  # power iteration: from below, within its rtol of 1e-3 or so
    assert exact * 0.99 <= estimate <= exact * (1 + 1e-12)
    result = SOLVERS["gd"].solve(f, tol=0, max_iter=500)  # step 1 / estimate: still stable
    assert np.all(np.diff(result.loss_history) <= 1e-15)  # every step lowers f


@pytest.mark.parametrize("n_classes", [2, 3])
def test_equal_weights_take_the_shortcut_and_give_the_same_numbers(n_classes):
    X, y = make_problem(n=40, d=3, n_classes=n_classes, seed=3)
    f = make_objective(X, y, n_classes=n_classes, penalty=l2(0.1), sample_weight=np.full(40, 2.0))
    assert f._equal_weight == pytest.approx(1 / 40, rel=1e-15)
    coef = np.random.default_rng(0).normal(size=f.n_coef)
    value, grad = f.loss_gradient(coef)
    f.__dict__["_equal_weight"] = 0.0  # force the per-row weighting of the general path
    general_value, general_grad = f.loss_gradient(coef)
    assert value == pytest.approx(general_value, rel=1e-14)
    np.testing.assert_allclose(grad, general_grad, rtol=1e-13, atol=1e-16)
    unequal = make_objective(X, y, n_classes=n_classes, sample_weight=np.arange(1.0, 41.0))
    assert unequal._equal_weight == 0.0


@pytest.mark.parametrize("n_classes, weighted", [(2, False), (2, True), (3, False), (3, True)])
def test_intercept_hessian_is_the_hessians_intercept_block(n_classes, weighted):
    f, coef = build(n_classes, weighted, intercept=True)
    H = f.hessian(coef)
    K, p = f.coef_shape
    block = H.reshape(K, p, K, p)[:, -1, :, -1]  # rows and columns of the intercepts
    np.testing.assert_allclose(f.intercept_hessian(coef), block, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n_classes, weighted, intercept", CASES)
@pytest.mark.parametrize("sparse", [False, True])
def test_hessian_of_a_working_set_is_the_block_of_the_whole(n_classes, weighted, intercept, sparse):
    import scipy.sparse as sp

    f, coef = build(n_classes, weighted, intercept)
    if sparse:
        f = make_objective(
            sp.csr_matrix(f.X),
            np.argmax(f.Y, axis=1) if n_classes > 2 else f.Y[:, 0].astype(int),
            n_classes=n_classes,
            penalty=f.penalty,
            fit_intercept=intercept,
        )
    features = np.array([0, 2])
    kept = f.coefficient_indices(features)
    assert len(kept) == f.n_raw * (2 + intercept)
    H, H_kept = f.hessian(coef), f.hessian(coef, features)
    np.testing.assert_allclose(H_kept, H[np.ix_(kept, kept)], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n_classes, weighted, intercept", CASES)
@pytest.mark.parametrize("length", [0.1, 1.0, 5.0])
def test_curvature_drift_bounds_the_hessian_from_below(n_classes, weighted, intercept, length):
    # H(coef + step) - exp(-c) H(coef) is positive semi-definite, for short and long steps
    f, coef = build(n_classes, weighted, intercept)
    rng = np.random.default_rng(7)
    for _ in range(5):
        step = length * rng.normal(size=f.n_coef)
        c = f.curvature_drift(step)
        gap = f.hessian(coef + step) - np.exp(-c) * f.hessian(coef)
        assert np.linalg.eigvalsh(gap)[0] >= -1e-12 * np.abs(gap).max(), (c, length)
    # binary: c is the largest change of a raw prediction, max_i |X~_i step|
    if n_classes == 2:
        X1 = np.c_[f.X, np.ones(len(f.X))] if intercept else f.X
        assert c == pytest.approx(np.abs(X1 @ step).max(), rel=1e-12)


def test_curvature_drift_is_tight_for_one_sample():
    # binary: one sample at z = 0 (p = 1/2) moved out by dz: h falls from 1/4 to ~exp(-dz)
    f = make_objective(np.array([[1.0]]), [1], fit_intercept=False)
    for dz in (2.0, 10.0, 30.0):
        ratio = f.hessian(np.array([dz]))[0, 0] / f.hessian(np.array([0.0]))[0, 0]
        assert np.exp(-f.curvature_drift(np.array([dz]))) <= ratio <= 4.1 * np.exp(-dz)
    # softmax: p = (1/3, 1/3, 1/3) moved to ~(1, e^-r, e^-r); along v = (0, 1, -1) the
    # curvature falls from 2/3 to ~2 e^-r
    f = make_objective(np.array([[1.0]]), [0], n_classes=3, fit_intercept=False)
    v = np.array([0.0, 1.0, -1.0])
    for r in (2.0, 10.0, 30.0):
        step = np.array([0.0, -r, -r])
        ratio = (v @ f.hessian(step) @ v) / (v @ f.hessian(np.zeros(3)) @ v)
        assert np.exp(-f.curvature_drift(step)) <= ratio <= 3.1 * np.exp(-r)


def test_multinomial_objective_keeps_its_labels_and_they_change_nothing():
    X, y = make_problem(n=60, d=3, n_classes=4, seed=5)
    f = make_objective(X, y, n_classes=4, penalty=l2(0.1), sample_weight=np.linspace(1, 2, 60))
    np.testing.assert_array_equal(f.labels, y)
    assert make_objective(X, (y > 1).astype(int)).labels is None  # binary: Y is the label
    rows = np.array([3, 10, 59])
    np.testing.assert_array_equal(f.subset(rows).labels, y[rows])
    coef = np.random.default_rng(2).normal(size=f.n_coef)
    from dataclasses import replace

    value, grad = f.loss_gradient(coef)
    one_hot_value, one_hot_grad = replace(f, labels=None).loss_gradient(coef)
    assert value == pytest.approx(one_hot_value, rel=1e-14)
    np.testing.assert_allclose(grad, one_hot_grad, rtol=1e-13, atol=1e-16)
