"""Where every solver starts: one check of ``coef0`` (``solvers.start.start_point``)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make_problem

from log_reg.core.objective import make_objective
from log_reg.core.penalty import l2
from log_reg.solvers import SOLVERS
from log_reg.solvers.start import start_point


@pytest.mark.parametrize("name", list(SOLVERS))
@pytest.mark.parametrize("coef0", [np.zeros(3), np.zeros((1, 4)), np.zeros(5)])
def test_every_solver_refuses_a_start_of_the_wrong_shape(name, coef0):
    f = make_objective(*make_problem(n=20, d=3), penalty=l2(0.1))  # n_coef = 4
    message = f"coef0 must have shape (4,), the objective's n_coef; got shape {coef0.shape}."
    with pytest.raises(ValueError, match=re.escape(message)):
        SOLVERS[name].solve(f, coef0, max_iter=1)


def test_a_start_is_a_copy_in_the_working_dtype_inside_the_bounds():
    X, y = make_problem(n=20, d=3)
    f = make_objective(X.astype(np.float32), y, lower_bounds=-1.0, upper_bounds=0.5)
    coef0 = np.array([2.0, -3.0, 0.25, 7.0])  # the intercept (last) is never bounded
    start = start_point(f, coef0)
    assert start.dtype == np.float32 and start is not coef0
    np.testing.assert_array_equal(start, [0.5, -1.0, 0.25, 7.0])
    np.testing.assert_array_equal(start_point(f, None), f.start())
