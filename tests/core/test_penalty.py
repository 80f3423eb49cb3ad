"""The ``Penalty`` protocol and the elastic net: values, the smooth half's derivatives, the
proximal operator and the subdifferential, each against its formula or finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from finite_differences import numerical_gradient

from log_reg.core.penalty import ElasticNet, Penalty, l1, l2, no_penalty, soft_threshold

RNG = np.random.default_rng(1)
#: Every form of the elastic net, the last with penalty factors (one of them 0: unpenalized).
PENALTIES = [
    no_penalty(),
    l2(0.7),
    l1(0.7),
    ElasticNet(0.7, 0.3),
    ElasticNet(0.7, 0.3, np.array([0.0, 1.0, 2.5, 0.5])),
]


@pytest.mark.parametrize("pen", [no_penalty(), l2(0.7), l1(0.7), ElasticNet(0.7, 0.3)])
def test_value_is_the_formula(pen):
    W = RNG.normal(size=(3, 4))
    r = pen.l1_ratio
    expected = pen.alpha * ((1 - r) / 2 * np.sum(W**2) + r * np.sum(np.abs(W)))
    assert pen.value(W) == pytest.approx(expected, rel=1e-14)
    assert pen.smooth_value(W) == pytest.approx(pen.alpha * (1 - r) / 2 * np.sum(W**2))


def test_smooth_gradient_matches_finite_differences():
    pen, W = ElasticNet(0.7, 0.3), RNG.normal(size=5)
    fd = numerical_gradient(pen.smooth_value, W)
    np.testing.assert_allclose(pen.smooth_gradient(W), fd, atol=1e-8)


def test_prox_is_the_minimizer():
    # prox_t(v) = argmin_w (w - v)^2 / (2t) + t-free alpha r |w|; check against a fine grid.
    pen, step = ElasticNet(2.0, 0.5), 0.3
    grid = np.linspace(-5, 5, 200_001)
    for v in [-3.0, -0.1, 0.0, 0.25, 4.0]:
        objective = (grid - v) ** 2 / (2 * step) + pen.l1_strength * np.abs(grid)
        assert pen.prox(np.array([v]), step)[0] == pytest.approx(
            grid[np.argmin(objective)], abs=1e-4
        )
    assert l2(1.0).prox(np.array([1.5]), 0.3)[0] == 1.5  # no L1 half: the identity


def test_soft_threshold():
    np.testing.assert_array_equal(
        soft_threshold(np.array([-2.0, -0.5, 0.5, 2.0]), 1.0), [-1, 0, 0, 1]
    )


@pytest.mark.parametrize("alpha, ratio", [(-1.0, 0.0), (np.inf, 0.0), (1.0, 1.5), (1.0, -0.1)])
def test_rejects_bad_parameters(alpha, ratio):
    with pytest.raises(ValueError, match="alpha|l1_ratio"):
        ElasticNet(alpha, ratio)


def test_the_elastic_net_has_every_member_of_the_protocol():
    members = {name for name in vars(Penalty) if not name.startswith("_")}
    assert members == {
        "name",
        "is_smooth",
        "value",
        "smooth_value",
        "smooth_gradient",
        "smooth_curvature",
        "nonsmooth_value",
        "prox",
        "subdifferential",
    }
    assert all(hasattr(ElasticNet(), name) for name in members)


@pytest.mark.parametrize(
    "pen, name, smooth",
    [
        (no_penalty(), None, True),
        (l2(0.1), "l2", True),
        (l1(0.1), "l1", False),
        (ElasticNet(0.1, 0.5), "elasticnet", False),
        (ElasticNet(0.0, 0.5), None, True),  # no strength: no penalty, whatever the mix
    ],
)
def test_name_and_smoothness(pen, name, smooth):
    assert (pen.name, pen.is_smooth) == (name, smooth)


@pytest.mark.parametrize("pen", PENALTIES)
def test_the_halves_add_up_and_the_curvature_is_the_smooth_hessian_diagonal(pen):
    W = RNG.normal(size=(3, 4))
    assert pen.value(W) == pytest.approx(pen.smooth_value(W) + pen.nonsmooth_value(W), rel=1e-15)
    fd = np.empty_like(W)  # d grad_j / d W_j by central differences (exact: linear gradient)
    for j in range(W.size):
        e = np.zeros_like(W)
        e.flat[j] = 1e-4
        fd.flat[j] = (pen.smooth_gradient(W + e) - pen.smooth_gradient(W - e)).flat[j] / 2e-4
    np.testing.assert_allclose(pen.smooth_curvature(W), fd, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("pen", PENALTIES)
def test_subdifferential_is_bounded_by_the_one_sided_slopes(pen):
    # lo and hi are the left and right derivatives of <G, .> + h at W, entry by entry;
    # at 0 an interval, elsewhere a point.
    W = np.array([[0.0, -1.5, 0.0, 2.0], [0.3, 0.0, -0.2, 0.0], [0.0, 0.0, 1.0, -1.0]])
    G = RNG.normal(size=W.shape)
    lo, hi = pen.subdifferential(W, G)
    h = 1e-7
    for j in range(W.size):
        e = np.zeros_like(W)
        e.flat[j] = h
        right = G.flat[j] + (pen.nonsmooth_value(W + e) - pen.nonsmooth_value(W)) / h
        left = G.flat[j] + (pen.nonsmooth_value(W) - pen.nonsmooth_value(W - e)) / h
        assert lo.flat[j] == pytest.approx(left, abs=1e-6)
        assert hi.flat[j] == pytest.approx(right, abs=1e-6)


@pytest.mark.parametrize("pen", PENALTIES)
def test_prox_entry_by_entry_is_the_prox_of_all(pen):
    # coordinate descent asks for some entries (their positions in W.ravel()), each with its
    # own step: the same numbers as the whole prox with those steps
    V = RNG.normal(size=(3, 4))
    steps = RNG.uniform(0.1, 2.0, size=V.shape)
    whole = pen.prox(V, steps)
    at = np.array([0, 5, 7, 10])
    np.testing.assert_array_equal(pen.prox(V.ravel()[at], steps.ravel()[at], at), whole.ravel()[at])
    for i in at:
        assert pen.prox(V.flat[i], steps.flat[i], i) == whole.flat[i]
    lo, hi = pen.subdifferential(V, steps)  # and the subdifferential, the same way
    sub = pen.subdifferential(V.ravel()[at], steps.ravel()[at], at)
    np.testing.assert_array_equal(sub[0], lo.ravel()[at])
    np.testing.assert_array_equal(sub[1], hi.ravel()[at])


def test_penalty_factors_must_match_the_features():
    pen = ElasticNet(1.0, 0.5, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="penalty_factor must have one entry per feature"):
        pen.value(np.ones((1, 3)))
