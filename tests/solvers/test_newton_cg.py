"""Newton-CG: the same optimum as scikit-learn, on dense and sparse data, few iterations."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_problem, sklearn_optimum

from log_reg.core.objective import make_objective
from log_reg.core.penalty import alpha_from_C, l1, l2
from log_reg.solvers import solve_newton_cg


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("sparse", [False, True])
def test_reaches_sklearn_optimum(n_classes, sparse):
    X, y = make_problem(n=400, d=6, n_classes=n_classes, seed=31)
    X[np.abs(X) < 0.5] = 0  # some zeros, so the CSR matrix is really sparse
    f = make_objective(
        sp.csr_matrix(X) if sparse else X,
        y,
        n_classes=n_classes,
        penalty=l2(alpha_from_C(1.0, 400)),
    )
    result = solve_newton_cg(f, tol=1e-10)
    assert result.converged and result.n_iter <= 15  # superlinear: a handful of iterations
    ours, ref = (c.reshape(f.coef_shape) for c in (result.coef, sklearn_optimum(X, y, 1.0)))
    if n_classes > 2:  # softmax intercepts are free up to a common shift: compare centred
        ours[:, -1] -= ours[:, -1].mean()
        ref[:, -1] -= ref[:, -1].mean()
    # Both at gradient <= 1e-10 on a condition number ~10: agreement to ~1e-8.
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-8)


def test_unpenalized_multinomial_stays_finite_and_converges():
    X, y = make_problem(n=300, d=3, n_classes=3, seed=32)
    f = make_objective(X, y, n_classes=3)  # singular Hessian along the softmax's free shift
    result = solve_newton_cg(f, tol=1e-8)
    assert result.converged and np.all(np.isfinite(result.coef))


def test_max_iter_and_refusals():
    X, y = make_problem(n=100, d=3)
    result = solve_newton_cg(make_objective(X, y, penalty=l2(1e-3)), tol=1e-14, max_iter=1)
    assert not result.converged and result.n_iter == 1 and "max_iter=1" in result.message
    with pytest.raises(ValueError, match="newton-cg handles L2 or no penalty"):
        solve_newton_cg(make_objective(X, y, penalty=l1(0.1)))
    with pytest.raises(ValueError, match="max_cg must be an integer >= 1"):
        solve_newton_cg(make_objective(X, y), max_cg=0)


def _exact_decrement(f, coef, g):
    """g^T H^+ g / 2 from the dense Hessian (the class-shift null space left out)."""
    H = f.hessian(coef)
    return 0.5 * float(g @ np.linalg.lstsq(H, g, rcond=None)[0])


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("intercept", [True, False])
def test_decrement_bound_is_an_upper_bound_from_any_direction(n_classes, intercept):
    from log_reg.solvers.newton_cg import _conjugate_gradient, _DecrementBound

    X, y = make_problem(n=80, d=6, n_classes=n_classes, seed=7)
    X[:, 0] *= 30  # unscaled, so the bound has something to be loose about
    f = make_objective(X, y, n_classes=n_classes, penalty=l2(0.05), fit_intercept=intercept)
    rng = np.random.default_rng(0)
    coef = f.start() + 0.1 * rng.normal(size=f.n_coef)
    _, g = f.loss_gradient(coef)
    if n_classes > 2:  # the solver's iterates and gradients sum to zero across classes
        g = (g.reshape(f.coef_shape) - g.reshape(f.coef_shape).mean(axis=0)).ravel()
    exact = _exact_decrement(f, coef, g)
    hvp, diag = f.hessian_product(coef)
    bound_at = _DecrementBound(f, coef, hvp, g)
    assert bound_at(np.zeros_like(g), -g) >= exact  # d = 0: the gradient's norm alone
    seen = []
    for d, r, done in _conjugate_gradient(hvp, g, diag, 50):
        bound = bound_at(d.copy(), r.copy())
        estimate = -0.5 * float(g @ d)  # CG's own, from below
        assert estimate <= exact * (1 + 1e-9) and exact <= bound * (1 + 1e-9)
        seen.append(bound)
        if done or r @ r < 1e-20 * (g @ g):
            break
    assert len(seen) > 2
    assert seen[-1] == pytest.approx(exact, rel=1e-6)  # and tight at CG's end
    # any direction at all, far from the Newton one, still gives an upper bound
    d = rng.normal(size=f.n_coef)
    r = -g - hvp(d)
    assert bound_at(d, r) >= exact


def test_decrement_bound_needs_l2_curvature_on_every_weight():
    from log_reg.solvers.newton_cg import _DecrementBound

    X, y = make_problem(n=40, d=3, seed=1)
    f = make_objective(X, y)  # no penalty: nothing bounds H^-1
    coef = f.start()
    _, g = f.loss_gradient(coef)
    hvp, _ = f.hessian_product(coef)
    bound = _DecrementBound(f, coef, hvp, g)
    assert bound(np.zeros_like(g), -g) == np.inf and bound.estimate(np.zeros_like(g), -g) == np.inf


def test_stops_on_a_loose_iterate_only_with_the_proof():
    # unscaled wide data at C = 1: the last CG solve, made to confirm the stop, is where the
    # bound saves products; the fit still ends within 1e-6 of the optimum
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 120)) * np.logspace(-1, 1, 120)
    y = (X @ rng.normal(size=120) / 10 + rng.logistic(size=300) > 0).astype(int)
    f = make_objective(X, y, penalty=l2(alpha_from_C(1.0, 300)))
    products = []

    def counting(coef, diagonal=True):
        hvp, diag = type(f).hessian_product(f, coef, diagonal)
        return (lambda v: products.append(1) or hvp(v)), diag

    object.__setattr__(f, "hessian_product", counting)
    result = solve_newton_cg(f)
    used = len(products)
    products.clear()
    import log_reg.solvers.newton_cg as newton_cg

    saved, newton_cg._TRY = newton_cg._TRY, 0.0  # never try the bound
    try:
        plain = solve_newton_cg(f)
    finally:
        newton_cg._TRY = saved
    assert result.converged and plain.converged
    assert used < len(products)
    f_star = f.value(solve_newton_cg(f, tol=1e-12).coef)
    assert (f.value(result.coef) - f_star) / f_star <= 1e-6


@pytest.mark.parametrize("n_classes", [2, 3])
def test_refreshed_every_iteration_a_warm_start_continues_the_fit(n_classes):
    # refresh=1 (scikit-learn's "newton-cg"): each iteration depends on coef alone, so one
    # step twice is two steps; with the default schedule the second call's preconditioner
    # is a fresh one, and it is not
    X, y = make_problem(n=200, d=5, n_classes=n_classes, seed=3)
    f = make_objective(X, y, n_classes=n_classes, penalty=l2(alpha_from_C(1.0, 200)))
    two = solve_newton_cg(f, max_iter=2, refresh=1)
    one = solve_newton_cg(f, max_iter=1, refresh=1)
    np.testing.assert_allclose(
        solve_newton_cg(f, one.coef, max_iter=1, refresh=1).coef, two.coef, rtol=1e-13
    )
    stale = solve_newton_cg(f, solve_newton_cg(f, max_iter=1).coef, max_iter=1).coef
    assert not np.allclose(stale, solve_newton_cg(f, max_iter=2).coef, rtol=1e-7)


def test_scikit_learns_name_runs_the_memoryless_schedule():
    from log_reg.core.penalty import l2 as ridge
    from log_reg.solvers import SOLVERS, choose_solver

    named = choose_solver("newton-cg", penalty=ridge(0.1), n_coef=11)
    assert named.solve.keywords == {"refresh": 1} and named.name == "newton-cg"
    assert SOLVERS["newton-cg"].solve is solve_newton_cg  # "auto"'s: every 4 iterations
