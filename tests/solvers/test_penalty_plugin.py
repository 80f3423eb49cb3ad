"""A penalty defined here, not in the package: the ``Penalty`` protocol is all the solvers need.

``ClassWeightedL1`` gives every weight ``W_kj`` its own L1 weight ``lam_kj >= 0``, class by
class (the elastic net's penalty factors are per feature, shared by every class), plus a
ridge of strength ``l2`` on all of them:

    pen(W) = l2/2 ||W||^2 + sum_kj lam_kj |W_kj|

Nothing in ``log_reg`` knows this class. The registry sends it to the proximal solvers by
``is_smooth`` alone, and ``gd`` and ``cd`` minimize it, checked against two oracles: on a
binary problem, where the weights are per feature, the elastic net with penalty factors
``v = lam / alpha`` is the same objective; on a multinomial one with class-specific weights,
SciPy's L-BFGS-B minimizes the split form ``W = P - N``, ``P, N >= 0``, which is smooth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy.optimize import minimize

from log_reg.core.objective import make_objective
from log_reg.core.penalty import ElasticNet, l2
from log_reg.solvers import SOLVERS, choose_solver, solve_cd, solve_gd


@dataclass(frozen=True, eq=False)
class ClassWeightedL1:
    """``l2/2 ||W||^2 + sum_kj lam_kj |W_kj|``: its own weight for every entry of ``W``."""

    lam: np.ndarray  # (n_raw, d), >= 0
    l2: float = 0.0

    @property
    def name(self) -> str:
        return "class-weighted-l1"

    @property
    def is_smooth(self) -> bool:
        return not np.any(self.lam)

    def _lam(self, at):
        return self.lam if at is None else self.lam.ravel()[at]

    def value(self, W):
        return self.smooth_value(W) + self.nonsmooth_value(W)

    def smooth_value(self, W):
        return 0.5 * self.l2 * float(np.sum(W * W))

    def smooth_gradient(self, W):
        return self.l2 * W

    def smooth_curvature(self, W):
        return np.full(np.shape(W), self.l2)

    def nonsmooth_value(self, W):
        return float(np.sum(self.lam * np.abs(W)))

    def prox(self, V, step, at=None):
        shrunk = np.abs(V) - step * self._lam(at)
        return np.where(shrunk > 0, np.sign(V) * shrunk, 0.0)

    def subdifferential(self, W, G, at=None):
        lam = self._lam(at)  # the point G + lam sign(W) off 0, [G - lam, G + lam] at 0
        return np.where(W > 0, G + lam, G - lam), np.where(W < 0, G - lam, G + lam)


def _data(n, d, K, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.argmax(X @ rng.normal(size=(d, K)) + rng.gumbel(size=(n, K)), axis=1)
    return X, y


def _scipy_optimum(X, y, K, pen):
    """The oracle: L-BFGS-B on ``W = P - N`` with ``P, N >= 0``, where ``|W|`` is ``P + N``
    at the optimum, so the objective ``smooth(P - N, b) + <lam, P + N>`` is smooth; the
    smooth part (loss + ridge) is the package's elastic net ``l2``."""
    smooth = make_objective(X, y, n_classes=K, penalty=l2(pen.l2))
    n_raw, p = smooth.coef_shape
    d = p - 1
    m = n_raw * d  # weights, then the intercepts last

    def unpack(z):
        M = np.empty((n_raw, p))
        M[:, :d] = (z[:m] - z[m : 2 * m]).reshape(n_raw, d)
        M[:, d] = z[2 * m :]
        return M.ravel()

    def fun(z):
        value, grad = smooth.loss_gradient(unpack(z))
        G = grad.reshape(n_raw, p)
        lam = pen.lam.ravel()
        g_W = G[:, :d].ravel()
        total = value + float(lam @ (z[:m] + z[m : 2 * m]))
        return total, np.concatenate([g_W + lam, -g_W + lam, G[:, d]])

    bounds = [(0, None)] * (2 * m) + [(None, None)] * n_raw
    options = {"maxiter": 20_000, "ftol": 1e-16, "gtol": 1e-12, "maxcor": 30}
    z = minimize(
        fun, np.zeros(2 * m + n_raw), jac=True, method="L-BFGS-B", bounds=bounds, options=options
    ).x
    return unpack(z)


def _centered(f, coef):
    """Multinomial intercepts are unique only up to a shift shared by the classes."""
    M = coef.reshape(f.coef_shape).copy()
    if f.n_raw > 1:
        M[:, -1] -= M[:, -1].mean()
    return M.ravel()


def test_the_test_penalty_keeps_the_protocol():
    # its prox minimizes (w - v)^2 / (2 step) + lam |w| (on a grid), and its subdifferential
    # holds the finite-difference slopes of smooth + lam |.| on either side
    pen, step = ClassWeightedL1(np.array([[0.0, 0.5, 2.0]]), l2=0.3), 0.4
    grid = np.linspace(-6, 6, 240_001)
    for v in (-3.0, -0.1, 0.0, 0.15, 2.5):
        for j, lam in enumerate(pen.lam[0]):
            assert pen.prox(v, step, j) == pytest.approx(
                grid[np.argmin((grid - v) ** 2 / (2 * step) + lam * np.abs(grid))], abs=1e-4
            )
    W, G = np.array([[-1.0, 0.0, 2.0]]), np.array([[0.1, 0.2, 0.3]])
    lo, hi = pen.subdifferential(W, G)
    np.testing.assert_allclose(lo, [[0.1, -0.3, 2.3]])
    np.testing.assert_allclose(hi, [[0.1, 0.7, 2.3]])


def test_the_registry_sends_it_to_the_proximal_solvers_only():
    pen = ClassWeightedL1(np.ones((1, 4)))
    assert choose_solver("auto", penalty=pen, n_coef=5).name == "cd"
    for name in ("gd", "sgd", "saga"):
        assert choose_solver(name, penalty=pen, n_coef=5).supports_nonsmooth
    with pytest.raises(ValueError, match="got class-weighted-l1 penalty.*nor any other"):
        choose_solver("lbfgs", penalty=pen, n_coef=5)
    with pytest.raises(ValueError, match="'liblinear' takes only the penalties 'l1'"):
        choose_solver("liblinear", penalty=pen, n_coef=5)
    smooth = ClassWeightedL1(np.zeros((1, 4)), l2=0.1)  # no L1 weight: any solver will do
    assert choose_solver("lbfgs", penalty=smooth, n_coef=5).name == "lbfgs"


@pytest.mark.parametrize("solver", ["cd", "gd"])
def test_binary_with_per_feature_weights_is_the_elastic_net_with_factors(solver):
    # One class: lam_j = alpha v_j is the elastic net (alpha, l1_ratio=1, factor v) exactly.
    X, y = _data(120, 6, 2, seed=3)
    alpha, v = 0.02, np.array([0.0, 0.5, 1.0, 1.5, 3.0, 10.0])  # 0: unpenalized; 10: zero
    ours = make_objective(X, y, penalty=ClassWeightedL1((alpha * v)[None, :]))
    enet = make_objective(X, y, penalty=ElasticNet(alpha, 1.0, v))
    solve = SOLVERS[solver].solve
    options = {"tol": 1e-10} if solver == "cd" else {"tol": 1e-8, "max_iter": 100_000}
    result, expected = solve(ours, **options), solve(enet, **options)
    assert result.converged and expected.converged
    # tol 1e-10 (cd) on a problem whose curvature is ~0.1 puts both within ~1e-9 of the
    # optimum; gd's tol 1e-8 within ~1e-7
    np.testing.assert_allclose(result.coef, expected.coef, atol=1e-8 if solver == "cd" else 1e-6)
    assert result.coef[5] == 0 and result.coef[0] != 0  # the heavy weight is cut, the free kept
    assert ours.value(result.coef) == pytest.approx(enet.value(expected.coef), rel=1e-12)


@pytest.mark.parametrize("solver", ["cd", "gd"])
def test_multinomial_with_class_weights_matches_scipy(solver):
    # Three classes, every weight its own lam (some 0, some large enough to zero it): no
    # elastic net can say this. The oracle is SciPy on the smooth split form.
    X, y = _data(150, 5, 3, seed=4)
    rng = np.random.default_rng(5)
    lam = rng.choice([0.0, 0.005, 0.02, 0.3], size=(3, 5))
    pen = ClassWeightedL1(lam, l2=0.01)
    f = make_objective(X, y, n_classes=3, penalty=pen)
    options = {"tol": 1e-10} if solver == "cd" else {"tol": 1e-8, "max_iter": 200_000}
    result = solve_cd(f, **options) if solver == "cd" else solve_gd(f, **options)
    assert result.converged, result.message
    oracle = _scipy_optimum(X, y, 3, pen)
    # the curvature is at least l2 = 0.01 on the weights, so an optimality of tol leaves the
    # coefficients within tol / 0.01 of the optimum: 1e-8 for cd, 1e-6 for gd (SciPy's own
    # error is below 1e-8); the objective's value agrees to far more digits
    atol = 1e-7 if solver == "cd" else 3e-6
    np.testing.assert_allclose(_centered(f, result.coef), _centered(f, oracle), atol=atol)
    assert f.value(result.coef) <= f.value(oracle) + 1e-12
    assert f.value(result.coef) == pytest.approx(f.value(oracle), rel=1e-10)
    # its optimality conditions hold: 0 in the subdifferential, to tol
    assert f.optimality(result.coef, f.gradient(result.coef)) <= options["tol"]
    W = result.coef.reshape(f.coef_shape)[:, :5]
    assert np.all(W[lam == 0.3] == 0) and np.all(W[lam == 0] != 0)  # cut, and kept
