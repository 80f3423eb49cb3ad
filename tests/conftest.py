"""Shared test data: small problems with fixed seeds."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test helpers: finite_differences, reference


def make_problem(n=60, d=4, n_classes=2, seed=0, separable=False):
    """Gaussian features and labels drawn from a logistic model (not separable by default)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    scores = X @ rng.normal(size=(d, n_classes)) + rng.gumbel(size=(n, n_classes)) * (not separable)
    y = np.argmax(scores, axis=1)
    return X, y


def sklearn_optimum(X, y, C, sample_weight=None):
    """scikit-learn's lbfgs at tol 1e-12, as a flat coef (intercept last, objective layout)."""
    from sklearn.linear_model import LogisticRegression

    sk = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y, sample_weight=sample_weight)
    return np.hstack([sk.coef_, sk.intercept_[:, None]]).ravel()


@pytest.fixture
def binary_problem():
    return make_problem(n_classes=2)


@pytest.fixture
def multinomial_problem():
    return make_problem(n_classes=3, seed=1)
