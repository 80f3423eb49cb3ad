"""Dask input checks: ``X``, labels, sample weights and the solver, kept lazy.

The checks ``backends.dask`` runs before a fit, chunk by chunk where they read data: nothing
of ``n_samples`` length is gathered to the client. See that module's docstring for what a
Dask fit differs in.
"""

from __future__ import annotations

from typing import Any

import dask.array as da
import numpy as np
from numpy.typing import NDArray

from log_reg.core.arrays import FloatArray, IntArray
from log_reg.core.checks import check_labels, class_weights, encode_labels

__all__ = [
    "check_dask_X",
    "check_dask_labels",
    "check_dask_solver",
    "checked_weights",
    "dask_sample_weight",
    "rows_like",
]


def check_dask_X(X: Any, name: str = "X") -> Any:
    """A 2-D floating Dask array with one chunk across the columns (no pass over the data).

    A Dask data frame becomes an array (its partition lengths are computed). Values are
    checked for NaN and infinity chunk by chunk, by the NumPy code each chunk runs.
    """
    if hasattr(X, "to_dask_array"):
        X = X.to_dask_array(lengths=True)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features); got shape {X.shape}."
        )
    if any(np.isnan(size) for size in X.shape):
        raise ValueError(
            f"{name} has unknown chunk sizes (shape {X.shape}); call {name}.compute_chunk_sizes()."
        )
    for axis, what in enumerate(("sample", "feature")):
        if X.shape[axis] == 0:
            raise ValueError(
                f"{name} has 0 {what}(s) (shape={X.shape}) while a minimum of 1 is required."
            )
    if np.iscomplexobj(X):
        raise ValueError(f"Complex data not supported: {name} must hold real numbers.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return X.rechunk({1: -1})  # a row chunk is a whole (n_c, d) block


def rows_like(X: Any, a: Any) -> Any:
    """``a`` (NumPy, a list, a Dask array or series) chunked by rows like ``X``.

    ``None``, scalars and arrays of the wrong length are returned as they are, for the
    checks that follow to reject with their own messages.
    """
    if a is None:
        return None
    if hasattr(a, "to_dask_array"):
        a = a.to_dask_array(lengths=True)
    if not _is_dask(a):
        a = np.asarray(a)
    if a.ndim == 0 or a.shape[0] != X.shape[0]:
        return a
    return da.asarray(a).rechunk({0: X.chunks[0], **{k: -1 for k in range(1, a.ndim)}})


def check_dask_labels(y: Any, n_samples: int, name: str = "y") -> tuple[NDArray[Any], Any]:
    """``check_labels`` for a Dask ``y``: classes from one reduction, labels encoded lazily.

    The classes are the unique values of ``y``, so checking them (finite, whole numbers,
    sortable, at least two) checks every label.
    """
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample); got shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"{name} must have one label per row of X: X has {n_samples} rows, {name} has "
            f"{y.shape[0]}."
        )
    unique = da.unique(y).compute()
    classes, _ = check_labels(unique, len(unique), name)
    return classes, y.map_blocks(encode_labels, classes, known_as="classes of y", dtype=np.intp)


def dask_sample_weight(sample_weight: Any, y: Any, classes: NDArray[Any], class_weight: Any) -> Any:
    """Sample weights times class weights, lazily, chunked like ``y`` (``fit_problem`` step 1).

    One small pass computes what the checks need (and "balanced"'s class totals).
    """
    s, _ = checked_weights(sample_weight, y)
    if class_weight is None:
        return s
    per_class = np.asarray(class_weights(class_weight, classes, y, s))  # (K,); bincount on Dask
    return s * y.map_blocks(_lookup, per_class, dtype=np.float64)


def _lookup(labels: IntArray, values: FloatArray) -> FloatArray:
    return values[labels]


def checked_weights(sample_weight: Any, y: Any) -> tuple[Any, float]:
    """Non-negative finite weights with a positive sum, as a Dask array chunked like ``y``,
    and that sum."""
    chunks = (y.chunks[0],)
    if sample_weight is None:
        return da.ones(y.shape[0], chunks=chunks), float(y.shape[0])
    s = sample_weight
    if not _is_dask(s) and np.ndim(s) == 0:
        s = da.full(y.shape[0], float(s), chunks=chunks)
    if s.shape != y.shape[:1]:
        raise ValueError(
            f"sample_weight must have shape ({y.shape[0]},), one weight per sample; got {s.shape}."
        )
    s = da.asarray(s).astype(np.float64).rechunk(chunks)
    # One reduction of its own (sharing no keys with later sums of s): per chunk, the counts
    # of non-finite and of negative weights, and the sum.
    stats = s.map_blocks(
        _weight_stats, new_axis=1, chunks=((1,) * s.numblocks[0], (3,)), dtype=np.float64
    )
    bad, negative, total = stats.sum(axis=0).compute()
    if bad:
        raise ValueError(f"Input sample_weight contains {int(bad)} NaN or infinite value(s).")
    if negative:
        raise ValueError(f"sample_weight must be >= 0; got {int(negative)} negative value(s).")
    if not total > 0:
        raise ValueError("sample_weight must have a positive sum; got all zeros.")
    return s, float(total)


def _weight_stats(s: FloatArray) -> FloatArray:
    finite = np.isfinite(s)
    return np.array([[np.sum(~finite), np.sum(s < 0), np.sum(s[finite])]])


def check_dask_solver(spec: Any) -> None:
    """Refuse the solvers that cannot run chunk by chunk (see the module docstring)."""
    if spec.randomized:
        raise ValueError(
            f"solver {spec.name!r} draws random rows at every step, which on a Dask array "
            "reads every chunk per mini-batch; use 'lbfgs', 'newton', 'newton-cg', 'cd' or "
            "'gd' (or 'auto'), or partial_fit over the chunks for stochastic gradient descent."
        )
    if spec.penalizes_intercept or spec.float64_only:
        raise ValueError(
            "solver 'liblinear' is not supported on Dask arrays; use 'cd' for L1 and "
            "elastic net, 'lbfgs', 'newton' or 'newton-cg' for L2 (or 'auto')."
        )


def _is_dask(a: Any) -> bool:
    """True for a Dask array or series (as ``log_reg.backends.backend_for`` tells them)."""
    return type(a).__module__.split(".")[0] in ("dask", "dask_expr")
