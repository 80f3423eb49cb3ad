"""SciPy sparse and float32 input: the same model as dense float64, in the input's dtype."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_problem

from log_reg import LogisticRegression

CASES = [
    pytest.param(n_classes, params, id=f"K{n_classes}-{name}")
    for n_classes in (2, 3)
    for name, params in [("L2", {"C": 0.5}), ("L1", {"C": 0.5, "l1_ratio": 1.0})]
]


def sparse_problem(n_classes):
    X, y = make_problem(n=300, d=8, n_classes=n_classes, seed=51)
    X[np.abs(X) < 0.8] = 0  # about 40% of the entries stay
    return X, y


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
@pytest.mark.parametrize("n_classes, params", CASES)
def test_sparse_equals_dense(container, n_classes, params):
    X, y = sparse_problem(n_classes)
    dense = LogisticRegression(tol=1e-10, **params).fit(X, y)
    sparse = LogisticRegression(tol=1e-10, **params).fit(container(X), y)
    # Same objective, same solver, products in another order: agreement to ~1e-9.
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(
        sparse.predict_proba(container(X)), dense.predict_proba(X), rtol=1e-6, atol=1e-10
    )


@pytest.mark.parametrize("n_classes, params", CASES)
@pytest.mark.parametrize("sparse", [False, True])
def test_float32_in_float32_out(n_classes, params, sparse):
    X, y = sparse_problem(n_classes)
    X32 = X.astype(np.float32)
    model = LogisticRegression(tol=1e-5, **params).fit(sp.csr_matrix(X32) if sparse else X32, y)
    assert model.coef_.dtype == np.float32 and model.intercept_.dtype == np.float32
    assert model.predict_proba(X32).dtype == np.float32
    reference = LogisticRegression(tol=1e-10, **params).fit(X, y)
    # float32 carries ~7 digits; tol 1e-5 on a well-conditioned problem: ~1e-4 relative.
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-3, atol=1e-4)
