"""Dask arrays: fit on data larger than one machine's memory, one row chunk at a time.

Every pass of a solver (value, gradient, Hessian, Hessian-vector product) is a sum over
rows, so it is a sum over row chunks: with ``c`` running over the chunks,

    f(coef)      = sum_c sum_{i in c} w_i loss(y_i, z_i)        + pen(W)
    grad f(coef) = sum_c X_c^T R_c   (and sum_c sum_i R_i)       + l2 W
    H            = sum_c X~_c^T diag(w h) X~_c                   + l2 I

``DaskObjective`` maps one function over the chunks: it builds a plain NumPy ``Objective``
on the chunk's rows, with the weights normalized over *all* rows and no penalty, and asks
it for its value, gradient or Hessian, so the math lives in one place (``objective``). Dask
sums the per-chunk results in a tree; the penalty is added once, on the client. Only
coefficient-sized vectors (and the ``n_coef^2`` Hessian) travel: ``X``, the labels and the
weights stay where Dask keeps them, and nothing of ``n_samples`` length is gathered.

Pointing it at a cluster: create a ``distributed.Client`` before ``fit``; Dask then runs
every pass there::

    from distributed import Client
    import dask.array as da
    client = Client("tcp://scheduler-address:8786")  # or Client() for a local cluster
    X = da.from_zarr("data/X.zarr")                   # chunked by rows
    y = da.from_zarr("data/y.zarr")
    model = LogisticRegression(C=1.0).fit(X, y)       # each pass runs on the workers
    proba = model.predict_proba(X)                    # lazy: a Dask array

Without a client, Dask's default (threaded) scheduler runs the passes in this process.

What differs from a NumPy fit:

- ``X`` is rechunked to one chunk across the columns (each row chunk is a whole
  ``(n_c, d)`` block); non-finite values raise a ``ValueError`` when a pass first reads them.
- ``y`` stays a Dask array: ``classes_`` comes from one reduction (``unique``), and the
  encoded labels, weights and targets are computed chunk by chunk, lazily, in every pass.
- ``standardize=True`` costs two passes (weighted mean, then weighted variance); the
  centering and scaling are applied lazily, chunk by chunk.
- ``hessian_product`` recomputes the raw predictions on every product (one pass each).
- Solvers: "auto", "lbfgs", "newton", "newton-subsampled" (its sample of rows is gathered
  once, in one pass, and its Hessians computed on the client), "newton-cg", "cd" and "gd"
  (and scikit-learn's names for them).
  "sgd" draws random rows at every step, which means reading every chunk per mini-batch:
  use ``partial_fit`` over the chunks instead. "liblinear" is refused (it appends a
  column to ``X``). Unpenalized fits skip the separation check (it needs ``X`` in memory).
- An ``offset`` is taken as NumPy (held on the client, ``n_samples`` numbers) and chunked
  like ``X``; the predict methods return lazy Dask arrays.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, cast

import dask.array as da
import numpy as np
from dask.base import compute
from numpy.typing import ArrayLike

from log_reg.backends.dask_inputs import (
    check_dask_labels,
    check_dask_solver,
    check_dask_X,
    checked_weights,
    dask_sample_weight,
    rows_like,
)
from log_reg.core.arrays import ArrayLibrary, FloatArray, IntArray
from log_reg.core.checks import check_bounds, check_offset, check_X
from log_reg.core.loss import LogLoss, loss_for
from log_reg.core.objective import HessianVectorProduct, Objective
from log_reg.core.penalty import ElasticNet, Penalty

__all__ = ["DASK", "DaskBackend", "DaskObjective", "make_dask_objective", "map_rows"]


class DaskArrays(ArrayLibrary):
    """``dask.array`` as an objective's array library: NumPy operands broadcast against Dask
    arrays as they are, and ``to_numpy`` computes (coefficient-sized results only)."""

    def __init__(self) -> None:
        super().__init__(da)

    def asarray(self, a: Any, dtype: Any = None) -> Any:
        return a if dtype is None else a.astype(dtype)

    def to_numpy(self, a: Any) -> Any:
        return np.asarray(a.compute() if hasattr(a, "compute") else a)


DASK_ARRAYS = DaskArrays()


class DaskBackend(DaskArrays):
    """The back end of Dask arrays and data frames (``log_reg.backends.Backend``); see the
    module docstring for what a fit on it differs in."""

    in_memory = False

    def check_X(self, X: Any, name: str = "X") -> Any:
        return check_dask_X(X, name)

    def align_rows(self, X: Any, a: Any) -> Any:
        return rows_like(X, a)

    def gather(self, X: Any) -> Any:
        return np.asarray(X)

    def check_labels(self, y: Any, n_samples: int) -> tuple[Any, Any]:
        return check_dask_labels(y, n_samples)

    def fit_weights(self, sample_weight: Any, class_weight: Any, classes: Any, y: Any) -> Any:
        return dask_sample_weight(sample_weight, y, classes, class_weight)

    def check_solver(self, spec: Any) -> None:
        check_dask_solver(spec)

    def make_objective(self, X: Any, y: Any, **options: Any) -> Objective:
        return make_dask_objective(X, y, **options)

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
        A = check(X)
        return map_rows(method, A, offset, width=width, dtype=A.dtype if dtype is None else dtype)


DASK = DaskBackend()


# -- the objective --------------------------------------------------------------------
def make_dask_objective(
    X: Any,
    y: Any,
    *,
    n_classes: int = 2,
    penalty: Penalty | None = None,
    sample_weight: Any = None,
    fit_intercept: bool = True,
    offset: ArrayLike | None = None,
    lower_bounds: ArrayLike | None = None,
    upper_bounds: ArrayLike | None = None,
    check_input: bool = True,
) -> DaskObjective:
    """``make_objective`` for a Dask ``X``: the same arguments, the same objective.

    ``y`` (integer labels ``0 .. n_classes - 1``) and ``sample_weight`` may be Dask or NumPy
    arrays; they are chunked like ``X``. Labels out of range raise when a pass reads them,
    and so do non-finite values of ``X``, whatever ``check_input`` (which skips
    ``check_dask_X``'s shape checks and rechunking, for callers that have done them).

    Examples
    --------
    >>> import dask.array as da
    >>> X = da.from_array(np.array([[0.0], [1.0], [2.0], [3.0]]), chunks=2)
    >>> f = make_dask_objective(X, np.array([0, 0, 1, 1]))
    >>> f.coef_shape, round(f.value(f.zeros()), 6)  # log 2 at zero, summed over 2 chunks
    ((1, 2), 0.693147)
    """
    X = check_dask_X(X) if check_input else X
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    y = rows_like(X, y)
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"y must hold one integer label per row of X: X has {X.shape[0]} rows, y has "
            f"shape {y.shape} and dtype {y.dtype}."
        )
    n_raw = loss_for(n_classes).n_raw(n_classes)
    Y = y.map_blocks(
        _targets, n_classes, dtype, new_axis=1, chunks=(y.chunks[0], (n_raw,)), dtype=dtype
    )
    s, S = checked_weights(rows_like(X, sample_weight), y)
    if offset is not None:
        offset = rows_like(X, check_offset(offset, X.shape[0], n_raw, dtype))
    lower, upper = check_bounds(lower_bounds, upper_bounds, n_raw, X.shape[1], fit_intercept, dtype)
    return DaskObjective(
        X=X,
        Y=Y,
        weights=(s / S).astype(dtype),  # normalized over all rows, lazily
        loss=loss_for(n_classes),
        penalty=penalty if penalty is not None else ElasticNet(),
        fit_intercept=fit_intercept,
        arrays=DASK_ARRAYS,
        offset=offset,
        lower=lower,
        upper=upper,
    )


def _targets(y: IntArray, n_classes: int, dtype: Any) -> FloatArray:
    """A chunk's target matrix, as ``make_objective`` builds it: ``(n_c, 1)`` or one-hot."""
    if y.size and not (y.min() >= 0 and y.max() < n_classes):  # checked as the pass reads y
        raise ValueError(f"y must hold integer labels in 0..{n_classes - 1}.")
    if n_classes == 2:
        return (y == 1).astype(dtype)[:, None]
    return np.eye(n_classes, dtype=dtype)[y]


class DaskObjective(Objective):
    """An ``Objective`` whose ``X``, ``Y``, ``weights`` (and offset) are Dask arrays with the
    same row chunks; see the module docstring. Build one with :func:`make_dask_objective`.

    Each data method is a sum over chunks of the penalty-free NumPy ``Objective`` of the chunk
    (the weights normalized over all rows), plus the penalty's part, added on the client.
    """

    def _chunk_sum(
        self, part: Callable[..., Any], *args: Any, width: int, weights: Any = None
    ) -> Any:
        """``sum_c part(f_c, *args)``: one pass over ``X``; each part a flat ``(width,)`` vector."""
        w = self.weights if weights is None else weights
        arrays = [self.X, self.Y, w[:, None]] + ([] if self.offset is None else [self.offset])
        parts = da.map_blocks(
            _chunk_part,
            *arrays,
            part=part,
            args=args,
            loss=self.loss,
            fit_intercept=self.fit_intercept,
            chunks=((1,) * self.X.numblocks[0], (width,)),
            dtype=np.float64,
            meta=np.empty((0, 0)),
        )
        return parts.sum(axis=0).compute()  # a tree of partial sums on the workers; (width,)

    def _penalty_gradient(self, W: FloatArray) -> FloatArray:
        """``l2 W`` on the weights, 0 on the intercepts: the penalty's share of the gradient."""
        return self.pack(self.penalty.smooth_gradient(W), np.zeros(self.n_raw, self.dtype))

    def value(self, coef: FloatArray) -> float:
        W, _ = self.split(coef)
        return float(self._chunk_sum(_value, coef, width=1)[0]) + self.penalty.value(W)

    def loss_gradient(self, coef: FloatArray) -> tuple[float, FloatArray]:
        W, _ = self.split(coef)
        total = self._chunk_sum(_loss_gradient, coef, width=1 + self.n_coef)
        value = float(total[0]) + self.penalty.smooth_value(W)
        return value, (total[1:] + self._penalty_gradient(W)).astype(self.dtype)

    def hessian(self, coef: FloatArray, features: Any = None) -> FloatArray:
        m = self.n_coef
        H = self._chunk_sum(_hessian, coef, width=m * m).reshape(m, m)
        H[np.diag_indices_from(H)] += self.penalty_curvature(coef)
        if features is not None:  # the whole Hessian, then its working set's block
            kept = self.coefficient_indices(features)
            H = H[np.ix_(kept, kept)]
        return H.astype(self.dtype)

    def hessian_product(
        self, coef: FloatArray, diagonal: bool = True
    ) -> tuple[HessianVectorProduct, FloatArray | None]:
        """``v -> H v`` and the diagonal of ``H`` (``None`` with ``diagonal=False``): one pass
        for the diagonal, and one per product (each chunk recomputes its raw predictions
        rather than keeping them between passes)."""
        c = self.penalty_curvature(coef)  # the penalty's Hessian diagonal, 0 on intercepts
        diag = None
        if diagonal:
            diag = self._chunk_sum(_hessian_diagonal, coef, width=self.n_coef)
            diag = (diag + c).astype(self.dtype)

        def hvp(v: FloatArray) -> FloatArray:
            data = self._chunk_sum(_hessian_vector, coef, v, width=self.n_coef)
            return (data + c * v).astype(self.dtype)

        return hvp, diag

    def intercept_hessian(self, coef: FloatArray) -> FloatArray:
        K = self.n_raw
        return self._chunk_sum(_intercept_hessian, coef, width=K * K).reshape(K, K)

    def weighted_gram(self, d: Any, features: Any = None) -> FloatArray:
        p = self.n_features + int(self.fit_intercept)
        G = self._chunk_sum(_gram, width=p * p, weights=d).reshape(p, p).astype(self.dtype)
        if features is None:
            return G
        kept = np.append(features, [p - 1] if self.fit_intercept else [])  # and the intercept
        return G[np.ix_(kept.astype(np.intp), kept.astype(np.intp))]

    def subset(self, rows: IntArray) -> Objective:
        """The rows gathered into a NumPy ``Objective``, reweighted as ``Objective.subset``.

        Every chunk holding one of the rows is read: fine for a few rows, not for a
        mini-batch per step (hence no "sgd" on Dask).
        """
        rows = np.asarray(rows)
        picked = [self.X, self.Y, self.weights] + ([] if self.offset is None else [self.offset])
        X, Y, w, *offset = compute(*(a[rows] for a in picked))
        scale = self.X.shape[0] / len(rows)
        return Objective(
            X=X,
            Y=Y,
            weights=w * scale,
            loss=self.loss,
            penalty=self.penalty,
            fit_intercept=self.fit_intercept,
            offset=offset[0] if offset else None,
            lower=self.lower,
            upper=self.upper,
        )


def _chunk_part(
    X: FloatArray,
    Y: FloatArray,
    w: FloatArray,
    *offset: FloatArray,
    part: Callable[..., Any],
    args: tuple[Any, ...],
    loss: LogLoss,
    fit_intercept: bool,
    block_info: Any = None,
) -> FloatArray:
    """Runs on a worker: chunk ``c``'s share, ``part(f_c, *args)``, as a ``(1, width)`` row."""
    try:
        X = check_X(X)  # the lazy check of the values, as the pass reads them
    except ValueError as exc:
        start, stop = block_info[0]["array-location"][0] if block_info else (0, len(X))
        raise ValueError(
            f"{exc} (An index within the chunk of rows {start}..{stop - 1}.)"
        ) from None
    f_c = Objective(
        X=X,
        Y=Y,
        weights=w[:, 0],
        loss=loss,
        penalty=ElasticNet(),
        fit_intercept=fit_intercept,
        offset=offset[0] if offset else None,
    )
    return np.asarray(part(f_c, *args), dtype=np.float64)[None, :]


# What each pass asks of a chunk's objective, flattened into one vector.
def _value(f: Objective, coef: FloatArray) -> list[float]:
    return [f.value(coef)]


def _loss_gradient(f: Objective, coef: FloatArray) -> FloatArray:
    value, grad = f.loss_gradient(coef)
    return np.concatenate([[value], grad])


def _hessian(f: Objective, coef: FloatArray) -> FloatArray:
    return f.hessian(coef).ravel()


def _hessian_diagonal(f: Objective, coef: FloatArray) -> FloatArray:
    return cast(FloatArray, f.hessian_product(coef, diagonal=True)[1])


def _hessian_vector(f: Objective, coef: FloatArray, v: FloatArray) -> FloatArray:
    return f.hessian_product(coef, diagonal=False)[0](v)


def _intercept_hessian(f: Objective, coef: FloatArray) -> FloatArray:
    return f.intercept_hessian(coef).ravel()


def _gram(f: Objective) -> FloatArray:
    return f.weighted_gram(f.weights).ravel()


# -- predictions ------------------------------------------------------------------------
def map_rows(
    method: Callable[..., Any], X: Any, offset: Any, *, width: int | None, dtype: Any
) -> Any:
    """``method(X_c, offset_c)`` on every row chunk: a lazy Dask array, chunked like ``X``.

    ``method`` is one of the estimator's NumPy predict methods; ``width`` is the number of
    columns it returns (``None``: one value per row).
    """
    arrays = [X]
    if offset is not None:  # as (n, 1) or (n, K), so that its blocks line up with X's
        o = rows_like(X, offset)
        arrays.append(o[:, None] if o.ndim == 1 else o)
    if width is None:
        return da.map_blocks(
            _apply, *arrays, method=method, drop_axis=1, dtype=dtype, meta=np.empty((0,), dtype)
        )
    return da.map_blocks(
        _apply,
        *arrays,
        method=method,
        chunks=(X.chunks[0], (width,)),
        dtype=dtype,
        meta=np.empty((0, 0), dtype),
    )


def _apply(X: FloatArray, *offset: FloatArray, method: Callable[..., Any]) -> Any:
    with warnings.catch_warnings():  # names were checked once, on the whole X; chunks have none
        warnings.filterwarnings("ignore", "X does not have valid feature names")
        return method(X, offset[0] if offset else None)
