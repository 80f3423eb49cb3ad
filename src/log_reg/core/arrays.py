"""Array types, and the array library an array belongs to: NumPy or another one.

The per-sample work of a fit (raw predictions, losses, residuals, ``X^T R``) runs in the
namespace ``xp`` and on the device of ``X``; the coefficient vector that solvers update
stays a NumPy array on the host. Each pass therefore moves only ``n_coef`` numbers each
way: the coefficients to the device, the gradient back.

NumPy arrays (and SciPy sparse matrices, which are NumPy underneath) take the plain path:
no conversion, no import of anything optional. Any other array goes through
``array-api-compat`` (an optional dependency), which gives a standard namespace for
array-api-strict, PyTorch, CuPy and others. Arrays that are not NumPy's but follow NumPy's
dispatch protocol (``__array_function__``, as Dask's do) count as NumPy's here: NumPy's
functions dispatch to them. Where such data plug into a fit is ``log_reg.backends``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "NUMPY",
    "ArrayLibrary",
    "FloatArray",
    "IntArray",
    "array_library",
    "is_numpy",
    "to_host",
    "working_dtype",
]

FloatArray = NDArray[np.floating[Any]]
IntArray = NDArray[np.intp]

#: Libraries whose arrays carry no ``__array_namespace__`` of their own yet.
_ARRAY_LIBRARIES = frozenset({"torch", "cupy", "jax", "jaxlib", "array_api_strict", "mlx"})


def is_numpy(x: Any) -> bool:
    """True unless ``x`` is an array of another array library (PyTorch, CuPy, ...).

    NumPy arrays, SciPy sparse matrices, data frames, lists and numbers are all NumPy's.
    """
    if isinstance(x, (np.ndarray, np.generic)):
        return True
    foreign = (
        hasattr(x, "__array_namespace__") or type(x).__module__.split(".")[0] in _ARRAY_LIBRARIES
    )
    return not foreign


def working_dtype(X: Any) -> type[np.floating[Any]]:
    """The NumPy dtype log_reg computes in for data ``X`` of any library: float32 for
    float32 data, float64 for anything else (float64, integers, float16, ...)."""
    if isinstance(X, np.ndarray):  # the common case, without formatting the dtype's name
        return np.float32 if X.dtype == np.float32 else np.float64
    return np.float32 if "float32" in str(X.dtype) else np.float64


class ArrayLibrary:
    """The namespace ``xp`` and device of an array, and moves between it and NumPy."""

    def __init__(self, xp: ModuleType, device: Any = None) -> None:
        self.xp, self.device = xp, device

    @property
    def is_numpy(self) -> bool:
        return self.xp is np

    def asarray(self, a: Any, dtype: Any = None) -> Any:
        """NumPy (or any) data -> an array of this library, on its device."""
        if self.is_numpy:
            return np.asarray(a, dtype=dtype)
        return self.xp.asarray(np.ascontiguousarray(a), dtype=dtype, device=self.device)

    def to_numpy(self, a: Any) -> Any:
        """An array of this library -> a NumPy array on the host (no copy for NumPy)."""
        if self.is_numpy:
            return np.asarray(a)
        try:  # arrays in host memory: shared through DLPack, no copy
            return np.from_dlpack(a)
        except (BufferError, RuntimeError, TypeError, ValueError):  # on an accelerator
            from array_api_compat import to_device

            return np.from_dlpack(to_device(a, "cpu"))


NUMPY = ArrayLibrary(np)


def array_library(X: Any) -> ArrayLibrary:
    """The library of ``X``: NumPy without importing anything, else via array-api-compat."""
    if is_numpy(X):
        return NUMPY
    try:
        import array_api_compat
    except ImportError as exc:
        raise TypeError(
            f"X is a {type(X).__module__}.{type(X).__name__}; arrays other than NumPy need "
            "the optional package array-api-compat: pip install 'log_reg[array-api]'."
        ) from exc
    return ArrayLibrary(array_api_compat.array_namespace(X), array_api_compat.device(X))


def to_host(a: Any) -> Any:
    """``a`` in host memory: NumPy arrays and SciPy sparse matrices as they are, lists,
    numbers and data frames as NumPy arrays, another library's array copied to NumPy (or
    shared, where DLPack allows)."""
    if hasattr(a, "tocsr"):
        return a
    if is_numpy(a) or not hasattr(a, "shape"):
        return np.asarray(a)
    return array_library(a).to_numpy(a)
