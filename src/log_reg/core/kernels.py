"""Passes over ``X`` a block of rows at a time, and the Gram-matrix pieces built from them.

An ``Objective`` on NumPy data never touches all of ``X`` in one array expression: each
pass (value and gradient, a Hessian-vector product, the Hessian's dense blocks or its
diagonal) walks over blocks of rows (``row_blocks``), so that a block read for
``X_b W^T`` is still in cache for ``X_b^T R_b``, and no temporary (scaled rows, squares)
is larger than a block. The functions here take arrays, not the objective: they are the
kernels its methods call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from log_reg.core.arrays import ArrayLibrary, FloatArray

__all__ = [
    "BLOCK_BYTES",
    "GRAM_EXACT_MAX",
    "MAX_BLOCK_ROWS",
    "MIN_BLOCK_ROWS",
    "row_blocks",
    "scores",
    "squares_times",
    "top_eigenvalue",
    "weighted_gram",
]

#: NumPy passes walk over blocks of at most this many bytes of ``X`` (and at least
#: ``MIN_BLOCK_ROWS`` rows): a block read for ``X_b W^T`` is still in cache for ``X_b^T R_b``,
#: and no temporary is larger than a block, so ``X`` is never copied (benchmarks/README.md).
BLOCK_BYTES = 16 * 2**20
MIN_BLOCK_ROWS = 256
#: ... and at most this many rows: narrow data in blocks that fit a core's cache, yet large
#: enough that BLAS computes ``X_b w`` on all threads (benchmarks/README.md).
MAX_BLOCK_ROWS = 12_288
#: ``lipschitz`` eigendecomposes the dense Gram matrix up to this many columns (exact),
#: and estimates its top eigenvalue by power iteration beyond (no ``p x p`` matrix).
GRAM_EXACT_MAX = 2048


def row_blocks(X: Any) -> list[slice]:
    """Slices of rows covering ``X``, each holding about ``BLOCK_BYTES`` of it (of its
    stored values, for a SciPy sparse matrix) in at most ``MAX_BLOCK_ROWS`` rows. No stop
    lies past the last row (the array API leaves such slices undefined).

    Examples
    --------
    >>> [(b.start, b.stop) for b in row_blocks(np.zeros((2_500, 2_000)))]  # 1,048 x 2,000 x 8 B
    [(0, 1048), (1048, 2096), (2096, 2500)]
    >>> len(row_blocks(np.zeros((50_000, 50))))  # 16 MiB would be 41,943 rows: 12,288 a block
    5
    """
    n, d = X.shape
    per_row = X.nnz // max(n, 1) + 1 if hasattr(X, "nnz") else d
    rows = BLOCK_BYTES // (per_row * getattr(X.dtype, "itemsize", 8))
    rows = max(MIN_BLOCK_ROWS, min(rows, MAX_BLOCK_ROWS))
    return [slice(start, min(start + rows, n)) for start in range(0, max(n, 1), rows)]


def scores(X: Any, W: FloatArray, b: FloatArray) -> FloatArray:
    """``X W^T + b``, shape ``(n, n_raw)``.

    For dense NumPy ``X`` with several raw predictions it is computed as ``(W X^T)^T``: the
    same numbers, laid out class by class (Fortran order), so that the softmax's
    per-sample max and sum over classes run along contiguous memory (about twice as fast
    as over rows of 10 to 20 entries).
    """
    if isinstance(X, np.ndarray) and W.shape[0] > 1:
        Z_T = W @ X.T  # (n_raw, n), C order: Z in Fortran order
        Z_T += b[:, None]
        return Z_T.T
    return X @ W.T + b


def weighted_gram(
    X: Any, d: Any, fit_intercept: bool, dtype: Any, arrays: ArrayLibrary, features: Any = None
) -> FloatArray:
    """``X~^T diag(d) X~`` for ``X~ = [X, 1]``, without forming ``X~``; shape ``(p, p)``.

    ``features`` (column indices) keeps only those columns of ``X`` (then ``p`` is their
    number plus the intercept's): the Gram matrix of a working set, at its own cost.
    """
    host = arrays.to_numpy
    if isinstance(X, np.ndarray):  # a block of rows at a time: no n x d copy of X
        nf = X.shape[1] if features is None else len(features)
        G = np.zeros((nf + fit_intercept,) * 2, dtype=dtype)  # intercept's: X^T d, sum(d)
        blocks = row_blocks(X)
        scaled = np.empty((blocks[0].stop - blocks[0].start, nf), np.result_type(X, d))
        for rows in blocks:  # (one buffer for the scaled rows: see squares_times)
            X_b = X[rows] if features is None else X[rows][:, features]  # block-sized copy
            d_b = d[rows]
            G[:nf, :nf] += X_b.T @ np.multiply(d_b[:, None], X_b, out=scaled[: len(X_b)])
            if fit_intercept:
                G[:nf, nf] += X_b.T @ d_b
        if fit_intercept:
            G[nf, nf] = d.sum()
            G[nf, :nf] = G[:nf, nf]
        return G
    if features is not None:  # sparse or array-API data: a copy of those columns alone
        X = (
            X[:, features]
            if hasattr(X, "tocsr")
            else arrays.xp.take(X, arrays.asarray(features), axis=1)
        )
    nf = X.shape[1]
    G = np.empty((nf + fit_intercept,) * 2, dtype=dtype)
    if hasattr(X, "tocsr"):  # SciPy sparse: multiply() scales rows; the p x p result is dense
        G[:nf, :nf] = (X.T @ X.multiply(d[:, None]).tocsr()).toarray()
    else:
        G[:nf, :nf] = host(X.T @ (d[:, None] * X))
    if fit_intercept:
        v = host(X.T @ d)
        G[:nf, nf], G[nf, :nf], G[nf, nf] = v, v, float(arrays.xp.sum(d))
    return G


def squares_times(X: Any, D: Any, dtype: Any, arrays: ArrayLibrary) -> FloatArray:
    """``(X o X)^T D`` ``(n_raw, d)``, a block of rows at a time (no copy of all of X)."""
    total = np.zeros((D.shape[1], X.shape[1]), dtype=dtype)
    blocks = row_blocks(X)
    # NumPy: every block squared into one buffer, allocated once (a fresh block-sized array
    # per block would cost the operating system's page faults, more than the squaring)
    buffer = (
        np.empty((blocks[0].stop - blocks[0].start, X.shape[1]), X.dtype)
        if isinstance(X, np.ndarray)
        else None
    )
    for rows in blocks:
        Xb, Db = X[rows, :], D[rows, :]  # both axes named: the array API asks for it
        if buffer is not None:
            squares = np.multiply(Xb, Xb, out=buffer[: len(Xb)])
        else:
            squares = Xb.power(2) if hasattr(Xb, "power") else Xb * Xb  # sparse: stored values
        total += arrays.to_numpy(squares.T @ Db).T
    return total


def top_eigenvalue(
    product: Callable[[FloatArray], FloatArray],
    p: int,
    dtype: Any,
    rtol: float = 1e-3,
    max_iter: int = 100,
) -> float:
    """``lambda_max`` of a positive semi-definite ``G`` known by its products ``v -> G v``.

    Power iteration, ``v <- G v / |G v|`` from a fixed random start: the Rayleigh quotient
    ``v^T G v`` rises to ``lambda_max`` from below, and the loop stops once a step raises it
    by less than ``rtol`` (relative). For a step size ``1 / L`` stopping a little short is
    harmless: (proximal) gradient descent still converges with any step below ``2 / L``.

    Examples
    --------
    >>> round(top_eigenvalue(lambda v: np.diag([3.0, 1.0, 0.5]) @ v, 3, np.float64, 1e-9), 6)
    3.0
    """
    v = np.random.default_rng(0).standard_normal(p).astype(dtype)  # the same each time
    v /= np.linalg.norm(v)
    rho = 0.0
    for _ in range(max_iter):
        u = product(v)
        previous, rho = rho, float(v @ u)  # Rayleigh quotient, |v| = 1
        v = u / np.linalg.norm(u)
        if rho - previous <= rtol * rho:
            break
    return rho
