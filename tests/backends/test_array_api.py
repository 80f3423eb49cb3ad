"""Arrays of other libraries (array-api-strict, PyTorch on the CPU): same answers, same kind back."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_problem

from log_reg import LogisticRegression


def strict():
    xp = pytest.importorskip("array_api_strict")
    return xp.asarray, lambda a: np.from_dlpack(a)


def torch_cpu():
    torch = pytest.importorskip("torch")
    return torch.asarray, lambda a: a.numpy()


LIBRARIES = [pytest.param(strict, id="array-api-strict"), pytest.param(torch_cpu, id="torch")]
CASES = [
    pytest.param(n_classes, params, id=f"K{n_classes}-{name}")
    for n_classes in (2, 3)
    for name, params in [
        ("L2", {"C": 0.5}),
        ("L1", {"C": 0.5, "l1_ratio": 1.0}),
        ("standardized", {"C": 0.5, "standardize": True}),
    ]
]


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("n_classes, params", CASES)
def test_same_coefficients_and_predictions_in_the_same_namespace(library, n_classes, params):
    asarray, to_numpy = library()
    X, y = make_problem(n=150, d=4, n_classes=n_classes, seed=11)
    reference = LogisticRegression(tol=1e-10, **params).fit(X, y)
    model = LogisticRegression(tol=1e-10, **params).fit(asarray(X), asarray(y))
    # Fitted arrays come back in the input's library...
    assert type(model.coef_) is type(asarray(X))
    # ... with the NumPy float64 fit's values (both at tol 1e-10: agreement ~1e-9).
    np.testing.assert_allclose(to_numpy(model.coef_), reference.coef_, rtol=1e-5, atol=1e-8)
    proba = model.predict_proba(asarray(X))
    assert type(proba) is type(asarray(X))
    np.testing.assert_allclose(to_numpy(proba), reference.predict_proba(X), rtol=1e-6, atol=1e-10)
    np.testing.assert_array_equal(to_numpy(model.predict(asarray(X))), reference.predict(X))


@pytest.mark.parametrize("library", LIBRARIES)
def test_float32_is_computed_in_float32(library):
    asarray, to_numpy = library()
    X, y = make_problem(n=200, d=3, seed=12)
    X32 = asarray(X.astype(np.float32))
    model = LogisticRegression(tol=1e-5).fit(X32, asarray(y))
    assert model.coef_.dtype == X32.dtype and model.predict_proba(X32).dtype == X32.dtype
    reference = LogisticRegression(tol=1e-10).fit(X, y)
    # float32 carries ~7 digits; the optimum moves by ~eps32 * condition number.
    np.testing.assert_allclose(to_numpy(model.coef_), reference.coef_, rtol=1e-3)


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_newton_cg_and_its_stopping_bound_run_in_the_namespace(library, n_classes):
    from log_reg.core.objective import make_objective

    asarray, to_numpy = library()
    X, y = make_problem(n=150, d=4, n_classes=n_classes, seed=13)
    f = make_objective(X, y, n_classes=n_classes)
    g = make_objective(asarray(X), y, n_classes=n_classes)
    coef = np.random.default_rng(0).normal(size=f.n_coef)
    np.testing.assert_allclose(g.intercept_hessian(coef), f.intercept_hessian(coef), rtol=1e-12)
    reference = LogisticRegression(solver="newton-cg", tol=1e-10).fit(X, y)
    model = LogisticRegression(solver="newton-cg", tol=1e-8).fit(asarray(X), asarray(y))
    assert model.n_iter_[0] > 0
    np.testing.assert_allclose(to_numpy(model.coef_), reference.coef_, rtol=1e-5, atol=1e-7)
