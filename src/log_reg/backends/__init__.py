"""Back ends: where data held in different ways plug into a fit and into predictions.

A back end answers for one kind of data what the fitting pipeline (``log_reg.models``)
needs of it: the checks of ``X``, of the labels and of the weights; the objective whose
passes run over the data (``log_reg.core.objective`` for data in memory, a sum over row
chunks for Dask); the solvers it can run; and how predictions are mapped over rows.
Everything it hands back to the solvers is coefficient-sized and lives on the host.
``backend_for(X)`` picks one; no code outside this package asks which one it holds.
The layer just above ``log_reg.core``: a back end builds on the core's checks and objective
and imports nothing of the solvers or the estimators.

- ``in_memory``: NumPy arrays, SciPy sparse matrices, and arrays of the libraries that
  follow the Python array API (PyTorch, CuPy, ...; computed on their device).
- ``dask``: Dask arrays and data frames, fit chunk by chunk where Dask runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, Protocol

from numpy.typing import ArrayLike, NDArray

from log_reg.backends.in_memory import in_memory_backend
from log_reg.core.objective import Objective

__all__ = ["Backend", "backend_for"]


class Backend(Protocol):
    """What a fit and a prediction need of the data's home; see the package docstring."""

    #: True when every row is in this process's memory: checks that read all of ``X`` at
    #: once (separation, for unpenalized fits) run only then.
    in_memory: bool
    #: The namespace of ``X``'s arrays (NumPy for NumPy, SciPy sparse and Dask data).
    xp: ModuleType

    def check_X(self, X: Any, name: str = "X") -> Any:
        """``X`` checked: 2-D, non-empty, real floating (float32 kept), finite."""
        ...

    def align_rows(self, X: Any, a: Any) -> Any:
        """A per-row argument (labels, weights) given with ``X``, held as ``X``'s rows are."""
        ...

    def gather(self, X: Any) -> Any:
        """``X`` whole in this process's memory (a stream's chunk, for ``partial_fit``)."""
        ...

    def check_labels(self, y: Any, n_samples: int) -> tuple[NDArray[Any], Any]:
        """The sorted classes and the labels encoded as ``0 .. n_classes - 1``."""
        ...

    def fit_weights(
        self, sample_weight: Any, class_weight: Any, classes: NDArray[Any], y: Any
    ) -> Any:
        """Sample weights (checked) times class weights, one per row, held like ``y``."""
        ...

    def check_solver(self, spec: Any) -> None:
        """Refuse, with a ``ValueError`` saying what to use, a solver that cannot run here."""
        ...

    def make_objective(self, X: Any, y: Any, **options: Any) -> Objective:
        """``log_reg.core.objective.make_objective``'s objective, on this back end's data."""
        ...

    def asarray(self, a: Any, dtype: Any = None) -> Any:
        """Host data -> an array that combines with ``X``'s (coefficients, shifts)."""
        ...

    def to_numpy(self, a: Any) -> Any:
        """A coefficient-sized result computed from ``X`` -> a NumPy array on the host."""
        ...

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
        """``method(X, offset)``: at once on data in memory (``method`` checks ``X``), or on
        each row chunk, lazily, after ``check(X)`` has checked the whole ``X`` once (``width``
        columns, ``None``: one value a row; ``dtype``: the checked ``X``'s when ``None``)."""
        ...


def backend_for(X: Any) -> Backend:
    """The back end of ``X``: Dask for Dask arrays and data frames (recognized without
    importing Dask), else the in-memory one of ``X``'s array library."""
    if type(X).__module__.split(".")[0] in ("dask", "dask_expr"):
        from log_reg.backends.dask import DASK

        return DASK
    return in_memory_backend(X)
