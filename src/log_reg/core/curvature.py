"""The objective's second derivatives: the dense Hessian (or a working set's block of it),
Hessian-vector products with the Hessian's diagonal, the intercepts' block, how far the
Hessian can fall along a step, and the bound on the curvature that sets gradient descent's
step.

Each function takes an ``Objective`` (see its module's Conventions) and is called through
the method of the same name (``objective.hessian(coef)`` and so on), which a backend can
override (``backends.dask``). The passes over ``X`` are ``_passes``' kernels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from log_reg.core import kernels as _passes
from log_reg.core.arrays import FloatArray, IntArray
from log_reg.core.kernels import scores, top_eigenvalue

if TYPE_CHECKING:
    from log_reg.core.objective import Objective

__all__ = [
    "coefficient_indices",
    "curvature_drift",
    "hessian",
    "hessian_product",
    "intercept_hessian",
    "lipschitz",
]

HessianVectorProduct = Callable[[FloatArray], FloatArray]


def hessian(f: Objective, coef: FloatArray, features: Any = None) -> FloatArray:
    """The dense Hessian ``(n_coef, n_coef)`` of the smooth part.

    Block ``(k, l)`` is ``X~^T diag(w_i h_ikl) X~`` with ``X~ = [X, 1]`` and ``h_i`` the
    loss's per-sample Hessian block; ``alpha (1 - r)`` is added on penalized diagonal
    entries. ``features`` (column indices) returns only the Hessian's rows and columns
    ``coefficient_indices(f, features)``, at the cost of those columns alone.
    """
    blocks = f.loss.hessian_blocks(f.raw_prediction(coef))  # (n, K, K)
    K = f.n_raw
    p = f.coef_shape[1] if features is None else len(features) + int(f.fit_intercept)
    if K == 1:  # binary: one block, X~^T diag(w_i p_i (1 - p_i)) X~
        H = f._weighted_gram(f.weights * blocks[:, 0, 0], features)
    else:
        H = np.empty((K, p, K, p), dtype=f.dtype)
        for k in range(K):
            for m in range(k, K):
                H[k, :, m, :] = f._weighted_gram(f.weights * blocks[:, k, m], features)
                H[m, :, k, :] = H[k, :, m, :].T
        H = H.reshape(K * p, K * p)
    l2 = f._l2_diagonal if features is None else f._l2_diagonal[coefficient_indices(f, features)]
    H.flat[:: K * p + 1] += l2  # the diagonal, as a strided view
    return H


def coefficient_indices(f: Objective, features: Any) -> IntArray:
    """Positions in ``coef`` of these features' weights, in every class, and of the
    intercepts; in ``coef``'s order (class by class)."""
    M = np.zeros(f.coef_shape, dtype=bool)
    M[:, np.asarray(features, dtype=np.intp)] = True
    if f.fit_intercept:
        M[:, -1] = True
    return np.flatnonzero(M)


def hessian_product(
    f: Objective, coef: FloatArray, diagonal: bool = True
) -> tuple[HessianVectorProduct, FloatArray | None]:
    """``v -> H v`` at ``coef`` without forming ``H``, and the diagonal of ``H``.

    ``H v = [X^T U + l2 V_W, sum_i U_i]`` with ``U_i = w_i h_i (X V_W^T + v_b)_i``: one
    pass over ``X`` now, two per product. The diagonal (a preconditioner for conjugate
    gradients) is ``H_(k,j),(k,j) = sum_i w_i D_ik x_ij^2`` with ``D`` the loss's
    diagonal, computed in blocks of rows so that no copy of ``X`` is made; it costs a
    pass that squares ``X`` (several products' worth), so ``diagonal=False`` skips it
    and returns ``None`` in its place.
    """
    W, _ = f.split(coef)
    Z = f.raw_prediction(coef)
    diag = None
    if diagonal:
        wD = f.weights[:, None] * f.loss.hessian_diagonal(Z)  # (n, n_raw)
        diag_W = f._squares_times(wD) + f.penalty.smooth_gradient(np.ones_like(W))
        diag = f._pack(diag_W, f.backend.to_numpy(f.backend.xp.sum(wD, axis=0)))
    if isinstance(f.X, np.ndarray):  # a block of rows at a time, as loss_gradient
        blocks = [(rows, f.loss.hessian_operator(f.Y[rows], Z[rows])[1]) for rows in f._row_blocks]

        def hvp(v: FloatArray) -> FloatArray:
            V_W, v_b = f.split(v.astype(f.dtype, copy=False))  # float32 stays so
            HV, hv_b = np.zeros_like(V_W), np.zeros_like(v_b)
            for rows, hessp_b in blocks:
                X_b = f.X[rows]
                U = f.weights[rows, None] * hessp_b(scores(X_b, V_W, v_b))
                HV += (X_b.T @ U).T
                hv_b += U.sum(axis=0)
            return f._pack(HV + f.penalty.smooth_gradient(V_W), hv_b)

        return hvp, diag
    _, hessp = f.loss.hessian_operator(f.Y, Z)

    def hvp_whole(v: FloatArray) -> FloatArray:
        V_W, v_b = f.split(v)
        V_Wd, v_bd = f._on_device(V_W, v_b)
        U = f.weights[:, None] * hessp(f.X @ V_Wd.T + v_bd)  # (n, n_raw)
        return f._lift(U, W, V_W)

    return hvp_whole, diag


def intercept_hessian(f: Objective, coef: FloatArray) -> FloatArray:
    """The Hessian's block for the intercepts, ``sum_i w_i H_i`` ``(n_raw, n_raw)``, in
    float64: the curvature of ``f`` in the intercepts alone. Costs ``X W^T``, half a pass."""
    block = f.loss.summed_hessian(f.raw_prediction(coef), f.weights)
    return np.asarray(f.backend.to_numpy(block), dtype=np.float64)


def curvature_drift(f: Objective, step: FloatArray) -> float:
    """``c`` such that ``H(coef + step) >= exp(-c) H(coef)`` at any ``coef``.

    Each sample's Hessian block changes with its raw predictions alone, and by a bounded
    factor when they move by ``dz_i = X~_i step`` (``dz = X~ step``, half a pass):

    - binary: ``h(z) = p (1 - p)`` has ``d log h / dz = 1 - 2p``, between -1 and 1, so
      ``h(z + dz) >= exp(-|dz|) h(z)``; ``c = max_i |dz_i|``;
    - softmax: ``p_k(z + dz) / p_k(z) = exp(dz_k) / sum_l p_l exp(dz_l)`` is at least
      ``exp(-r)`` with ``r = max_k dz_k - min_k dz_k``, and ``v^T H_i v`` is the variance of
      ``v`` under ``p``, ``min_a sum_k p_k (v_k - a)^2``: every term shrinks by at most
      ``exp(-r)``, so the minimum does too; ``c = max_i r_i`` (with two classes, the binary
      case again).

    The L2 term does not change, and ``exp(-c) <= 1`` scales it down, so the bound holds for
    all of ``H``. Its use: ``g^T H(coef + step)^-1 g <= exp(c) g^T H(coef)^-1 g``, a Newton
    decrement bounded from an older Hessian (``solvers.newton``).
    """
    W, b = f._on_device(*f.split(step))
    xp = f.backend.xp
    dZ = scores(f.X, W, b)  # (n, n_raw); no offset: it cancels in the change
    if f.n_raw == 1:
        return float(f.backend.to_numpy(xp.max(xp.abs(dZ))))
    spread = xp.max(dZ, axis=1) - xp.min(dZ, axis=1)
    return float(f.backend.to_numpy(xp.max(spread)))


def lipschitz(f: Objective) -> float:
    """An upper bound ``L`` on the smooth part's curvature: gradient descent is stable at 1/L.

    Every per-sample Hessian block is at most ``c I`` (``c = 1/4`` binary, ``1/2``
    multinomial), so ``H <= c lambda_max(X~^T diag(w) X~) + alpha (1 - r)``.
    """
    c = 0.25 if f.n_raw == 1 else 0.5
    top = _gram_top_eigenvalue(f)
    return c * top + f.penalty.l2_strength * float(np.max(f.penalty_weights(), initial=0))


def _gram_top_eigenvalue(f: Objective) -> float:
    """``lambda_max`` of ``G = X~^T diag(w) X~``: exact while ``G`` is small, else estimated.

    Up to ``GRAM_EXACT_MAX`` columns, from ``G`` itself (``O(n p^2 + p^3)``); beyond, by
    power iteration on ``v -> G v`` (two passes over ``X`` a step, no ``p x p`` matrix).
    """
    p = f.n_features + int(f.fit_intercept)
    if p <= _passes.GRAM_EXACT_MAX:
        return float(np.linalg.eigvalsh(f._weighted_gram(f.weights))[-1])
    return top_eigenvalue(lambda v: _gram_product(f, v), p, f.dtype)


def _gram_product(f: Objective, v: FloatArray) -> FloatArray:
    """``G v = X~^T (w o (X~ v))`` for one vector ``v = [v_W, v_b]``: two passes over ``X``."""
    v_W, v_b = v[: f.n_features], v[f.n_features :]
    W, b = f._on_device(v_W[None, :], v_b if f.fit_intercept else np.zeros(1, v.dtype))
    R = f.weights[:, None] * scores(f.X, W, b)  # (n, 1)
    host = f.backend.to_numpy
    u_W = host(f.X.T @ R)[:, 0]
    return np.concatenate([u_W, host(f.backend.xp.sum(R, axis=0))]) if f.fit_intercept else u_W
