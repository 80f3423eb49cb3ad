"""Elastic-net penalties: values, the smooth gradient, and the proximal operator."""

from __future__ import annotations

import numpy as np
import pytest
from finite_differences import numerical_gradient

from log_reg.core.penalty import ElasticNet, l1, l2, no_penalty, soft_threshold

RNG = np.random.default_rng(1)


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
