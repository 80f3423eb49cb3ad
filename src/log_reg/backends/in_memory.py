"""The in-memory back end: NumPy arrays, SciPy sparse matrices, and array-API arrays.

Everything the fit needs is computed where ``X`` is, by the code of ``log_reg.core``: the
checks of ``log_reg.core.checks`` and the objective of ``log_reg.core.objective``, whose
passes run a block of rows at a time (NumPy) or in ``X``'s own library and on its device
(PyTorch, CuPy, array-api-strict, ...; see ``log_reg.core.arrays``). Labels, weights and
offsets given as another library's arrays are copied to the host, where they are
``n_samples`` numbers against ``X``'s ``n_samples * n_features``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.core.arrays import ArrayLibrary, IntArray, array_library, to_host
from log_reg.core.checks import check_labels, check_X, fit_weights
from log_reg.core.objective import Objective, make_objective

__all__ = ["InMemory", "in_memory_backend"]


class InMemory(ArrayLibrary):
    """The back end of data held in this process (``log_reg.backends.Backend``)."""

    in_memory = True

    def check_X(self, X: Any, name: str = "X") -> Any:
        return check_X(X, name)

    def align_rows(self, X: Any, a: Any) -> Any:
        return None if a is None else to_host(a)

    def gather(self, X: Any) -> Any:
        return X

    def check_labels(self, y: Any, n_samples: int) -> tuple[NDArray[Any], IntArray]:
        return check_labels(y, n_samples)

    def fit_weights(
        self, sample_weight: Any, class_weight: Any, classes: NDArray[Any], y: Any
    ) -> Any:
        return fit_weights(sample_weight, class_weight, classes, y)

    def check_solver(self, spec: Any) -> None:
        return None

    def make_objective(self, X: Any, y: Any, **options: Any) -> Objective:
        return make_objective(X, y, **options)

    def map_rows(
        self,
        method: Callable[[Any, Any], Any],
        X: Any,
        offset: ArrayLike | None,
        *,
        check: Callable[[Any], Any],
        width: int | None,
        dtype: Any,
    ) -> Any:
        return method(X, offset)


_NUMPY = InMemory(np)


def in_memory_backend(X: Any) -> InMemory:
    """The in-memory back end on ``X``'s array library (NumPy's for NumPy and SciPy data)."""
    library = array_library(X)
    return _NUMPY if library.is_numpy else InMemory(library.xp, library.device)
