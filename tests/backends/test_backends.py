"""The back ends honour one protocol, and backend_for picks the right one."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from log_reg.backends import Backend, backend_for
from log_reg.backends.in_memory import InMemory
from log_reg.solvers import SOLVERS


def _members(cls):
    return {name for name in dir(cls) if not name.startswith("_")}


PROTOCOL = _members(Backend) | set(Backend.__annotations__)


def test_numpy_and_sparse_data_are_in_memory():
    sparse = pytest.importorskip("scipy.sparse")
    for X in (np.zeros((3, 2)), sparse.csr_matrix(np.eye(3)), [[1.0, 2.0]]):
        backend = backend_for(X)
        assert isinstance(backend, InMemory) and backend.in_memory


def test_every_backend_has_every_member_of_the_protocol():
    da = pytest.importorskip("dask.array")
    for X in (np.zeros((4, 2)), da.zeros((4, 2), chunks=2)):
        backend = backend_for(X)
        missing = {m for m in PROTOCOL if not hasattr(backend, m)}
        assert not missing, f"{type(backend).__name__} lacks {sorted(missing)}"
        for name in _members(Backend):  # the same parameters as the protocol's methods
            if callable(getattr(Backend, name)):
                expected = list(inspect.signature(getattr(Backend, name)).parameters)[1:]
                assert list(inspect.signature(getattr(backend, name)).parameters) == expected


def test_dask_data_get_the_dask_backend_which_refuses_row_sampling_solvers():
    da = pytest.importorskip("dask.array")
    backend = backend_for(da.zeros((4, 2), chunks=2))
    assert not backend.in_memory
    with pytest.raises(ValueError, match="partial_fit"):
        backend.check_solver(SOLVERS["sgd"])
    backend.check_solver(SOLVERS["newton"])  # runs chunk by chunk


def test_in_memory_map_rows_runs_the_method_at_once():
    X = np.arange(6.0).reshape(3, 2)
    backend = backend_for(X)

    def check(A):
        raise AssertionError("the method checks data in memory itself")

    result = backend.map_rows(
        lambda A, o: A.sum(axis=1), X, None, check=check, width=None, dtype=None
    )
    np.testing.assert_array_equal(result, [1.0, 5.0, 9.0])


def test_dask_map_rows_checks_once_then_maps_over_chunks():
    da = pytest.importorskip("dask.array")
    X = da.from_array(np.arange(8.0).reshape(4, 2), chunks=2)
    backend = backend_for(X)
    checked = []

    def check(A):
        checked.append(A.shape)
        return A

    lazy = backend.map_rows(
        lambda A, o: A.sum(axis=1), X, None, check=check, width=None, dtype=None
    )
    assert checked == [(4, 2)]
    np.testing.assert_array_equal(lazy.compute(), [1.0, 5.0, 9.0, 13.0])
