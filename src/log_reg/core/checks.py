"""Argument checks. Every error names the argument, the value received and what is allowed."""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.core.arrays import FloatArray, IntArray, array_library, is_numpy

__all__ = [
    "check_X",
    "check_bool",
    "check_bounds",
    "check_choice",
    "check_class_codes",
    "check_int",
    "check_labels",
    "check_number",
    "check_offset",
    "check_sample_weight",
    "class_weights",
    "encode_labels",
    "fit_weights",
]


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_number(
    value: Any,
    name: str,
    *,
    low: float = -np.inf,
    low_inclusive: bool = True,
    high: float = np.inf,
    allow_inf: bool = False,
) -> float:
    """``value`` as a float in the stated range, or a ``ValueError`` that says the range.

    Examples
    --------
    >>> check_number(0.1, "lr", low=0, low_inclusive=False)
    0.1
    >>> check_number(-1, "lr", low=0, low_inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: lr must be a number > 0; got -1.
    """
    if not isinstance(value, bool) and isinstance(value, numbers.Real):
        v = float(value)
        too_low = v < low or (v == low and not low_inclusive)
        if not (math.isnan(v) or (math.isinf(v) and not allow_inf) or too_low or v > high):
            return v
    # the message is only built for an error: checks run on every fit and solver call
    bound = f"{'>=' if low_inclusive else '>'} {low:g}" if low > -np.inf else ""
    if high < np.inf:
        bound = f"{bound} and <= {high:g}" if bound else f"<= {high:g}"
    wanted = f"{name} must be a number{' ' + bound if bound else ''}"
    raise ValueError(f"{wanted}; got {_describe(value)}.")


def check_int(value: Any, name: str, *, low: int = 0) -> int:
    """``value`` as an int ``>= low``, or a ``ValueError``.

    Examples
    --------
    >>> check_int(0, "epochs", low=1)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be an integer >= 1; got 0.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {_describe(value)}.")
    return int(value)


def check_bool(value: Any, name: str) -> bool:
    """``value`` if it is a bool (NumPy's too), else a ``ValueError``: "yes" or 0 are not.

    Examples
    --------
    >>> check_bool("yes", "standardize")
    Traceback (most recent call last):
    ...
    ValueError: standardize must be True or False; got 'yes'.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {_describe(value)}.")
    return bool(value)


def check_choice(value: Any, name: str, allowed: Collection[str]) -> str:
    """``value`` if it is one of ``allowed``, else a ``ValueError`` listing them."""
    if not isinstance(value, str) or value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}; got {_describe(value)}.")
    return value


def check_X(X: ArrayLike, name: str = "X") -> FloatArray:
    """A 2-D, non-empty, finite, real floating array (float32 and float64 kept, the rest float64).

    Data frames and lists are converted; values that are not numbers raise a ``ValueError``
    (text) or ``TypeError`` (other objects) from the conversion, with NumPy's reason.
    Data held elsewhere (Dask) are checked by their back end (``log_reg.backends``).
    """
    if hasattr(X, "tocsr"):
        return _check_sparse(X, name)
    if not is_numpy(X) and hasattr(X, "shape") and not hasattr(X, "columns"):
        return _check_array_api(X, name)
    A = np.asarray(X)
    if np.iscomplexobj(A):
        raise ValueError(f"Complex data not supported: {name} must hold real numbers.")
    if A.dtype not in (np.float32, np.float64):
        try:
            A = A.astype(np.float64)
        except ValueError as exc:
            raise ValueError(f"{name} must hold numbers only: {exc}.") from None
        except TypeError as exc:
            raise TypeError(f"{name} must hold numbers only: {exc}.") from None
    if A.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features); got {A.ndim} "
            f"dimension(s), shape {A.shape}. Reshape your data with X.reshape(-1, 1) for a "
            "single feature or X.reshape(1, -1) for a single sample."
        )
    for axis, what in enumerate(("sample", "feature")):
        if A.shape[axis] == 0:
            raise ValueError(
                f"{name} has 0 {what}(s) (shape={A.shape}) while a minimum of 1 is required."
            )
    _check_finite(A, name)
    return A


def _check_array_api(X: Any, name: str) -> Any:
    """An array of another library (PyTorch, CuPy, ...): checked in its own namespace."""
    xp = array_library(X).xp
    if not xp.isdtype(X.dtype, "real floating"):
        X = xp.astype(X, xp.float64)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features); got shape "
            f"{tuple(X.shape)}. Reshape your data."
        )
    for axis, what in enumerate(("sample", "feature")):
        if X.shape[axis] == 0:
            raise ValueError(
                f"{name} has 0 {what}(s) (shape={tuple(X.shape)}) while a minimum of 1 is required."
            )
    if not bool(xp.all(xp.isfinite(X))):
        raise ValueError(f"Input {name} contains NaN or infinity.")
    return X


def _check_sparse(X: Any, name: str) -> Any:
    """A SciPy sparse matrix as CSR with float32/float64 values, checked like a dense one."""
    A = X.tocsr()
    if A.dtype not in (np.float32, np.float64):
        A = A.astype(np.float64)
    for axis, what in enumerate(("sample", "feature")):
        if A.shape[axis] == 0:
            raise ValueError(
                f"{name} has 0 {what}(s) (shape={A.shape}) while a minimum of 1 is required."
            )
    if not np.isfinite(A.data).all():
        raise ValueError(f"Input {name} contains NaN or infinity (in its stored values).")
    return A


def _check_finite(A: NDArray[Any], name: str) -> None:
    # Fast path: finite sums (one read of A, no temporary of its size) mean every entry is
    # finite; a NaN or infinity makes its sum non-finite. Only then (or on overflow) look
    # entry by entry. A float matrix is summed by row, ``A @ 1``: BLAS, on every core.
    with np.errstate(over="ignore", invalid="ignore"):
        if A.ndim == 2 and A.dtype in (np.float32, np.float64):
            sums: Any = A @ np.ones(A.shape[1], dtype=A.dtype)
        else:
            sums = np.sum(A, dtype=np.float64)
        if np.isfinite(sums).all():
            return
    finite = np.isfinite(A)
    if not finite.all():
        bad = np.argwhere(~finite)
        where = tuple(int(i) for i in bad[0])
        kind = "NaN" if np.isnan(A[where]) else "infinity"
        raise ValueError(
            f"Input {name} contains {kind}. {name} must contain only finite numbers; found "
            f"{len(bad)} NaN or infinite "
            f"value(s), the first at index {where} ({A[where]!r})."
        )


def check_labels(y: ArrayLike, n_samples: int, name: str = "y") -> tuple[NDArray[Any], IntArray]:
    """Classes (sorted) and the labels encoded as ``0 .. n_classes - 1``; at least two classes.

    Labels may be integers, strings, booleans or other sortable values, kept as given;
    floats must be whole numbers (anything else is a regression target, not a class).

    Examples
    --------
    >>> check_labels(["b", "a", "b"], 3)
    (array(['a', 'b'], dtype='<U1'), array([1, 0, 1]))
    """
    if y is None:
        raise ValueError(f"This estimator requires y to be passed, but the target {name} is None.")
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()
    if labels.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample); got shape {labels.shape}.")
    if len(labels) != n_samples:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"{name} must have one label per row of X: X has {n_samples} rows, {name} has "
            f"{len(labels)}."
        )
    if labels.dtype.kind in "fc":
        _check_finite(labels, name)
        if np.any(labels != np.round(labels.real)):
            raise ValueError(
                f"Unknown label type: continuous. {name} must hold class labels (integers, "
                "strings or booleans); a float with a fractional part is a regression target."
            )
    try:
        classes, encoded = _encode(labels)
    except TypeError as exc:
        raise ValueError(
            f"Unknown label type: {name} mixes labels that cannot be sorted ({exc})."
        ) from None
    if len(classes) < 2:
        raise ValueError(
            f"{name} must contain at least two classes; got one class: {classes.tolist()!r}."
        )
    return classes, encoded.astype(np.intp).ravel()


def _encode(labels: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """``numpy.unique(labels, return_inverse=True)``, by counting where labels are integers
    in a range narrower than their number (``O(n)``, no sort): value ``v`` is a class if it
    occurs, and its code is the number of classes below it."""
    if labels.dtype.kind in "iu" and labels.size > 0:
        low, high = int(labels.min()), int(labels.max())
        if high - low < max(labels.size, 256) and high <= np.iinfo(np.int64).max:
            offsets = labels.astype(np.int64) - low  # 0 .. high - low, exactly
            present = np.bincount(offsets) > 0
            if present.all():  # every value from low to high occurs: offsets are the codes
                return np.arange(low, high + 1).astype(labels.dtype), offsets
            codes = np.cumsum(present) - 1
            return (np.flatnonzero(present) + low).astype(labels.dtype), codes[offsets]
    return np.unique(labels, return_inverse=True)


def encode_labels(labels: ArrayLike, classes: NDArray[Any], *, known_as: str) -> IntArray:
    """Each label's index in the sorted ``classes``, or a ``ValueError`` naming the labels
    that are not classes (``known_as`` says where the classes come from, for the message).

    Examples
    --------
    >>> encode_labels(["b", "a", "b"], np.array(["a", "b"]), known_as="classes of y")
    array([1, 0, 1])
    """
    values = np.asarray(labels)
    index = np.clip(np.searchsorted(classes, values), 0, len(classes) - 1)
    unseen = classes[index] != values
    if unseen.any():
        raise ValueError(
            f"y has labels that are not {known_as}: {np.unique(values[unseen]).tolist()!r}; "
            f"the classes are {classes.tolist()!r}."
        )
    return index.astype(np.intp)


def check_class_codes(y: ArrayLike, n_samples: int, n_classes: int) -> IntArray:
    """``y`` as class codes (``intp``): one integer in ``0 .. n_classes - 1`` per sample."""
    codes = np.asarray(y)
    if codes.shape != (n_samples,):
        raise ValueError(
            f"y must have one label per row of X: X has {n_samples} rows, y has shape "
            f"{codes.shape}."
        )
    if not (
        np.issubdtype(codes.dtype, np.integer) and codes.min() >= 0 and codes.max() < n_classes
    ):
        raise ValueError(
            f"y must hold integer labels in 0..{n_classes - 1}; got values from "
            f"{codes.min()!r} to {codes.max()!r} ({codes.dtype})."
        )
    return codes.astype(np.intp, copy=False)


def check_sample_weight(sample_weight: ArrayLike | None, n_samples: int, dtype: Any) -> FloatArray:
    """Non-negative, finite weights, one per sample, not all zero (ones when ``None``)."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    s = np.asarray(sample_weight, dtype=dtype)
    if s.ndim == 0:
        s = np.full(n_samples, s, dtype=dtype)
    if s.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per sample; got {s.shape}."
        )
    _check_finite(s, "sample_weight")
    if (s < 0).any():
        raise ValueError(
            f"sample_weight must be >= 0; got {int((s < 0).sum())} negative value(s), "
            f"the smallest {float(s.min())!r}."
        )
    if not s.sum() > 0:
        raise ValueError("sample_weight must have a positive sum; got all zeros.")
    return s


def class_weights(
    class_weight: Any, classes: NDArray[Any], y: IntArray, s: FloatArray
) -> FloatArray:
    """Weight of each class: ones, a user's dict, or "balanced" ``S / (K * S_k)``."""
    K = len(classes)
    if class_weight is None:
        return np.ones(K)
    if isinstance(class_weight, str) and class_weight == "balanced":
        per_class = np.bincount(y, weights=s, minlength=K)  # S_k
        return per_class.sum() / (K * per_class)
    if not isinstance(class_weight, dict):
        raise ValueError(
            "class_weight must be None, 'balanced' or a dict {label: weight}; "
            f"got {class_weight!r}."
        )
    unknown = [k for k in class_weight if k not in set(classes.tolist())]
    if unknown:
        raise ValueError(
            f"class_weight has labels that are not classes of y: {unknown!r}; "
            f"the classes are {classes.tolist()!r}."
        )
    weights = np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])
    bad = [c for c, v in zip(classes.tolist(), weights, strict=True) if not 0 <= v < np.inf]
    if bad:
        given = {c: class_weight[c] for c in bad}
        raise ValueError(
            f"class_weight must hold finite weights >= 0, as sample_weight; got {given!r}."
        )
    return weights


def fit_weights(
    sample_weight: ArrayLike | None, class_weight: Any, classes: NDArray[Any], y: IntArray
) -> FloatArray:
    """The weights a fit uses: sample weights (checked; ones when ``None``) times the
    weight of each sample's class (``class_weights``); float64, shape ``(n_samples,)``."""
    s = check_sample_weight(sample_weight, len(y), np.float64)
    return s * class_weights(class_weight, classes, y, s)[y]


def check_offset(offset: ArrayLike, n: int, n_raw: int, dtype: Any) -> FloatArray:
    """The offset as an ``(n, n_raw)`` array: a vector applies to every raw prediction."""
    o = np.asarray(offset, dtype=dtype)
    o = o[:, None] if o.ndim == 1 else o
    if o.shape not in ((n, 1), (n, n_raw)):
        raise ValueError(
            f"offset must have shape ({n},) or ({n}, {n_raw}); got shape {np.shape(offset)}."
        )
    if not np.all(np.isfinite(o)):
        bad = ~np.isfinite(o)
        kind = "NaN" if np.isnan(o).any() else "infinity"
        raise ValueError(
            f"offset must hold finite numbers; it contains {kind}: {int(bad.sum())} value(s) "
            f"NaN or infinite, the first in row {int(np.argwhere(bad)[0][0])}."
        )
    return np.broadcast_to(o, (n, n_raw)).astype(dtype)


def check_bounds(
    lower: ArrayLike | None,
    upper: ArrayLike | None,
    n_raw: int,
    d: int,
    intercept: bool,
    dtype: Any,
) -> tuple[FloatArray | None, FloatArray | None]:
    """Flat ``(n_coef,)`` bounds: the given ones on weights, unbounded intercepts."""
    if lower is None and upper is None:
        return None, None
    p = d + int(intercept)
    box = []
    for value, default, name in ((lower, -np.inf, "lower_bounds"), (upper, np.inf, "upper_bounds")):
        M = np.full((n_raw, p), default)
        try:
            if value is not None:
                M[:, :d] = np.broadcast_to(np.asarray(value, float), (n_raw, d))
        except ValueError:
            raise ValueError(
                f"{name} must be a number or an array broadcastable to ({n_raw}, {d}); got "
                f"shape {np.asarray(value).shape}."
            ) from None
        box.append(M.ravel().astype(dtype))
    if np.any(np.isnan(box[0])) or np.any(np.isnan(box[1])) or np.any(box[0] > box[1]):
        raise ValueError("lower_bounds must be <= upper_bounds everywhere, and not NaN.")
    return box[0], box[1]
