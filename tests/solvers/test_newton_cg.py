"""Newton-CG: the same optimum as scikit-learn, on dense and sparse data, few iterations."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_problem, sklearn_optimum

from log_reg.objective import alpha_from_C, make_objective
from log_reg.penalty import l1, l2
from log_reg.solvers import solve_newton_cg


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("sparse", [False, True])
def test_reaches_sklearn_optimum(n_classes, sparse):
    X, y = make_problem(n=400, d=6, n_classes=n_classes, seed=31)
    X[np.abs(X) < 0.5] = 0  # some zeros, so the CSR matrix is really sparse
    f = make_objective(sp.csr_matrix(X) if sparse else X, y, n_classes=n_classes,
                       penalty=l2(alpha_from_C(1.0, 400)))  # fmt: skip
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
