"""The objective a solver minimizes: loss + penalty, lifted from raw predictions to coefficients.

Conventions
-----------
Every other docstring in the package refers to this block.

- **Data.** ``X`` has shape ``(n, d)``: a NumPy array, a SciPy CSR matrix (every product
  below is written so that both work, and X is never densified), or an array of another
  library that follows the array API standard (``log_reg.core.arrays``): the per-sample work
  then runs in that library, on its device, and only coefficient-sized vectors travel.
  Sample weights ``s_i >= 0`` (all ones by default) have total ``S = sum_i s_i``. The
  objective stores the normalized weights ``w_i = s_i / S``, which sum to 1.
- **Raw predictions.** A binary problem has one raw prediction per sample, the log-odds of
  the positive class (``n_raw = 1``). A multinomial problem has one per class
  (``n_raw = K``): scikit-learn's symmetric parameterization, every class with its own row.
- **Coefficients.** Solvers see one flat vector ``coef`` of length ``n_raw * p`` with
  ``p = d + fit_intercept``. Its matrix view ``coef.reshape(n_raw, p)`` holds class ``k``'s
  weights in row ``k``, the intercept (when fitted) in the last column. ``Z = X W^T + b``.
- **Value.** ``f(coef) = sum_i w_i loss(y_i, z_i) + pen(W)``: a weighted *mean* loss plus the
  penalty on ``W`` alone; the intercept ``b`` is never penalized.
- **Scale.** scikit-learn minimizes ``C sum_i s_i loss_i + pen_1(W)`` with ``pen_1`` the elastic
  net of strength 1. Dividing by ``C S`` changes no minimizer, so both have the same solution
  when ``alpha = 1 / (C S)`` (``alpha_from_C``). Working with the mean keeps gradients O(1)
  whatever ``n``, so one tolerance means the same on any data size.
- **Smooth part.** ``loss_gradient``, ``hessian`` and ``hessian_product`` cover the loss plus the
  smooth half of the penalty (a ``penalty.Penalty``: the L2 half of the elastic net); the
  other half is left to the solvers that support it, through ``prox`` (or
  ``coordinate_prox``, one coefficient at a time). ``value`` and ``optimality`` include it.
- **Optimality.** ``optimality(coef, grad)`` is the largest entry of the minimum-norm
  subgradient of ``f`` (the plain gradient when the penalty is smooth and there are no
  bounds). Every solver stops when it falls to ``tol``: the convergence criterion of the
  whole package.

The passes over ``X`` are ``kernels``' functions; a back end whose data live elsewhere
subclasses ``Objective`` and overrides the methods that make them (``backends.dask``):
``value``, ``loss_gradient``, ``hessian``, ``hessian_product``, ``intercept_hessian``,
``weighted_gram`` and ``subset``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.core import kernels
from log_reg.core.arrays import (
    NUMPY,
    ArrayLibrary,
    FloatArray,
    IntArray,
    array_library,
    working_dtype,
)
from log_reg.core.checks import (
    check_bounds,
    check_class_codes,
    check_int,
    check_offset,
    check_sample_weight,
    check_X,
)
from log_reg.core.kernels import row_blocks, scores, squares_times, top_eigenvalue, weighted_gram
from log_reg.core.loss import LogLoss, loss_for
from log_reg.core.penalty import ElasticNet, Penalty

__all__ = [
    "CoordinateProx",
    "HessianVectorProduct",
    "Objective",
    "make_objective",
]

HessianVectorProduct = Callable[[FloatArray], FloatArray]
#: ``(j, v, step) -> v'``: the proximal step of one coefficient (``Objective.coordinate_prox``).
CoordinateProx = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True, eq=False)
class Objective:
    """``f(coef) = sum_i w_i loss(y_i, z_i) + pen(W)``; see the module's Conventions.

    Build one with :func:`make_objective`. ``Y`` is the loss's target matrix
    ``(n, n_raw)``, ``weights`` the normalized weights ``w_i``.
    """

    X: Any  # a NumPy array, a SciPy CSR matrix, or an array-API array; see Conventions
    Y: FloatArray
    weights: FloatArray
    loss: LogLoss
    penalty: Penalty
    fit_intercept: bool
    arrays: ArrayLibrary = NUMPY  # X's array library (log_reg.core.arrays): xp, device, moves
    offset: Any = None  # (n, n_raw) known term added to Z, on X's library; None: 0
    lower: FloatArray | None = None  # (n_coef,) bounds; -inf/+inf where free (intercepts)
    upper: FloatArray | None = None
    labels: IntArray | None = None  # (n,) each row's class, NumPy multinomial only; see loss

    # -- shapes (cached: asked several times a pass, microseconds add up on small data) ----
    @cached_property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @cached_property
    def n_raw(self) -> int:
        return int(self.Y.shape[1])

    @cached_property
    def coef_shape(self) -> tuple[int, int]:
        """``(n_raw, p)`` with ``p = n_features + fit_intercept``."""
        return self.n_raw, self.n_features + int(self.fit_intercept)

    @cached_property
    def n_coef(self) -> int:
        return self.coef_shape[0] * self.coef_shape[1]

    @cached_property  # asked at every iteration; str(dtype) costs microseconds
    def dtype(self) -> np.dtype[Any]:
        """The NumPy dtype of the coefficients: float32 for float32 data, else float64."""
        return np.dtype(working_dtype(self.X))

    def _on_device(self, W: FloatArray, b: FloatArray) -> tuple[Any, Any]:
        """Host coefficients -> arrays of ``X``'s library (no copy for NumPy)."""
        return self.arrays.asarray(W), self.arrays.asarray(b)

    def zeros(self) -> FloatArray:
        """All coefficients zero."""
        return np.zeros(self.n_coef, dtype=self.dtype)

    def start(self) -> FloatArray:
        """The starting point every solver uses by default: the intercept-only model.

        ``W = 0``, ``b`` fitting the weighted class shares ``pi_k = sum_i w_i y_ik`` exactly:
        ``b = log(pi / (1 - pi))`` for one raw prediction, ``b_k = log pi_k - mean_l log pi_l``
        for the softmax (symmetric, like its optimum). The optimum without features, a Newton
        step or more closer than zero, for a pass over ``Y``. All zeros without an intercept,
        with an offset (no closed form), or with a class of zero weight.
        """
        coef = self.zeros()
        if not self.fit_intercept or self.offset is not None:
            return coef
        pi = self.arrays.to_numpy(self.weights @ self.Y)  # (n_raw,)
        pi = np.asarray(pi, dtype=np.float64)
        if self.n_raw == 1:
            pi = np.concatenate([1 - pi, pi])
        if not np.all(pi > 0):
            return coef
        log_pi = np.log(pi)
        b = log_pi[1:] - log_pi[0] if self.n_raw == 1 else log_pi - log_pi.mean()
        coef.reshape(self.coef_shape)[:, -1] = b
        return self.project(coef)

    # -- the coefficient layout (Conventions) ------------------------------------------
    def split(self, coef: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``coef -> (W, b)``: weights ``(n_raw, d)``, intercepts ``(n_raw,)`` (zeros if none)."""
        M = coef.reshape(self.coef_shape)
        d = self.n_features
        b = M[:, d] if self.fit_intercept else np.zeros(self.n_raw, dtype=coef.dtype)
        return M[:, :d], b

    def pack(self, W: FloatArray, b: FloatArray) -> FloatArray:
        """``(W, b) -> coef``, the inverse of ``split``: weights ``(n_raw, d)`` and intercepts
        ``(n_raw,)`` (dropped without an intercept) stacked into one flat vector."""
        if self.fit_intercept:
            return np.concatenate([W, b[:, None]], axis=1).ravel()
        return W.ravel()

    def penalized_mask(self) -> FloatArray:
        """1.0 where a coefficient is penalized, 0.0 for intercepts; flat, like ``coef``."""
        mask = np.ones(self.coef_shape, dtype=self.dtype)
        if self.fit_intercept:
            mask[:, -1] = 0
        return mask.ravel()

    def coefficient_indices(self, features: Any) -> IntArray:
        """Positions in ``coef`` of these features' weights, in every class, and of the
        intercepts; in ``coef``'s order (class by class)."""
        M = np.zeros(self.coef_shape, dtype=bool)
        M[:, np.asarray(features, dtype=np.intp)] = True
        if self.fit_intercept:
            M[:, -1] = True
        return np.flatnonzero(M)

    def _weights_at(self, at: IntArray | None) -> tuple[NDArray[np.bool_], IntArray]:
        """For the coefficients at positions ``at`` of ``coef`` (all of them for ``None``):
        which are weights, and the positions of those weights in ``W.ravel()``."""
        if at is None:
            return self._all_weights
        k, j = np.divmod(np.asarray(at, dtype=np.intp), self.coef_shape[1])  # class, column
        is_weight = j < self.n_features
        return is_weight, (k * self.n_features + j)[is_weight]

    @cached_property
    def _all_weights(self) -> tuple[NDArray[np.bool_], IntArray]:
        return self._weights_at(np.arange(self.n_coef))

    # -- values and gradients ----------------------------------------------------------
    def raw_prediction(self, coef: FloatArray) -> FloatArray:
        """``Z = X W^T + b (+ offset)``, shape ``(n, n_raw)``."""
        W, b = self._on_device(*self.split(coef))
        Z = scores(self.X, W, b)
        return Z if self.offset is None else Z + self.offset

    def _lift(self, R: FloatArray, penalty_term: FloatArray) -> FloatArray:
        """Chain rule from raw predictions to coefficients, plus the penalty's term.

        ``R`` holds ``w_i * dloss/dz_i`` ``(n, n_raw)``; returns ``[R^T X + P, sum_i R_i]``
        flattened, ``P`` ``(n_raw, d)`` the penalty's gradient (or Hessian times a vector).
        """
        host = self.arrays.to_numpy
        G_W = host(self.X.T @ R).T + penalty_term
        return self.pack(G_W, host(self.arrays.xp.sum(R, axis=0)))

    def _mean(self, per_sample: Any) -> float:
        """``sum_i w_i v_i`` as a Python float."""
        return float(self.arrays.xp.sum(self.weights * per_sample))

    def value(self, coef: FloatArray) -> float:
        """``f(coef)``, the non-smooth half of the penalty included."""
        W, _ = self.split(coef)
        data = self._mean(self.loss.loss(self.Y, self.raw_prediction(coef)))
        return data + self.penalty.value(W)

    def nonsmooth_value(self, coef: FloatArray) -> float:
        """The penalty's non-smooth half at ``coef``'s weights (0 for a smooth penalty)."""
        return self.penalty.nonsmooth_value(self.split(coef)[0])

    def loss_gradient(self, coef: FloatArray) -> tuple[float, FloatArray]:
        """Value and gradient of the smooth part (loss + the penalty's smooth half), from one
        pass over ``X``.

        ``grad_W = sum_i w_i (p_i - y_i) x_i^T + grad s(W)`` (``alpha (1 - r) v * W`` for the
        elastic net); ``grad_b = sum_i w_i (p_i - y_i)``.
        """
        W, b = self.split(coef)
        if not isinstance(self.X, np.ndarray):
            losses, dZ = self.loss.loss_gradient(self.Y, self.raw_prediction(coef))
            value = self._mean(losses) + self.penalty.smooth_value(W)
            return value, self._lift(self.weights[:, None] * dZ, self.penalty.smooth_gradient(W))
        # NumPy X, a block of rows at a time (``row_blocks``): each block is read twice
        # (X_b W^T, then X_b^T R_b) while it is still in cache; temporaries stay block-sized.
        # Equal weights w_i = w (none given) multiply the sums once, not every row.
        w = self._equal_weight
        value, G, g_b = 0.0, cast(Any, 0.0), cast(Any, 0.0)  # sums; G, g_b become arrays
        for rows in self._row_blocks:
            X_b = self.X[rows]
            Z = scores(X_b, W, b)  # a fresh array: the loss may overwrite it
            if self.offset is not None:
                Z += self.offset[rows]
            labels = None if self.labels is None else self.labels[rows]
            losses, dZ = self.loss.loss_gradient(self.Y[rows], Z, overwrite_z=True, labels=labels)
            R = dZ if w else self.weights[rows, None] * dZ  # (block, n_raw)
            value += float(losses.sum() if w else self.weights[rows] @ losses)
            G = G + (X_b.T @ R).T
            g_b = g_b + R.sum(axis=0)
        if w:
            value, G, g_b = w * value, w * G, w * g_b
        value += self.penalty.smooth_value(W)
        return value, self.pack(G + self.penalty.smooth_gradient(W), g_b)

    @cached_property
    def _row_blocks(self) -> list[slice]:
        """``row_blocks(X)``: the blocks every pass over NumPy data walks through."""
        return row_blocks(self.X)

    @cached_property
    def _equal_weight(self) -> float:
        """``w`` when every normalized weight is the same ``w = 1 / n``, else 0."""
        if not isinstance(self.weights, np.ndarray) or len(self.weights) == 0:
            return 0.0
        first = self.weights[0]
        return float(first) if np.all(self.weights == first) else 0.0

    def gradient(self, coef: FloatArray) -> FloatArray:
        """Gradient of the smooth part."""
        return self.loss_gradient(coef)[1]

    # -- second derivatives ------------------------------------------------------------
    def penalty_curvature(self, coef: FloatArray) -> FloatArray:
        """The Hessian diagonal of the penalty's smooth half at ``coef``, flat like ``coef``:
        ``smooth_curvature(W)`` (``alpha (1 - r) v_j`` for the elastic net), 0 on intercepts."""
        M = np.zeros(self.coef_shape, dtype=self.dtype)
        M[:, : self.n_features] = self.penalty.smooth_curvature(self.split(coef)[0])
        return M.ravel()

    def weighted_gram(self, d: Any, features: Any = None) -> FloatArray:
        """``X~^T diag(d) X~`` for ``X~ = [X, 1]`` and per-sample ``d``; shape ``(p, p)``.

        ``features`` (column indices) keeps only those columns of ``X`` and the intercept's:
        the Gram matrix of a working set (``kernels.weighted_gram``).
        """
        return weighted_gram(self.X, d, self.fit_intercept, self.dtype, self.arrays, features)

    def hessian(self, coef: FloatArray, features: Any = None) -> FloatArray:
        """The dense Hessian ``(n_coef, n_coef)`` of the smooth part.

        Block ``(k, l)`` is ``X~^T diag(w_i h_ikl) X~`` with ``X~ = [X, 1]`` and ``h_i`` the
        loss's per-sample Hessian block; the penalty's curvature (``alpha (1 - r) v_j``) is
        added on penalized diagonal entries. ``features`` (column indices) returns only the
        Hessian's rows and columns ``coefficient_indices(features)``, at the cost of those
        columns alone.
        """
        blocks = self.loss.hessian_blocks(self.raw_prediction(coef))  # (n, K, K)
        K = self.n_raw
        p = self.coef_shape[1] if features is None else len(features) + int(self.fit_intercept)
        if K == 1:  # binary: one block, X~^T diag(w_i p_i (1 - p_i)) X~
            H = self.weighted_gram(self.weights * blocks[:, 0, 0], features)
        else:
            H = np.empty((K, p, K, p), dtype=self.dtype)
            for k in range(K):
                for m in range(k, K):
                    H[k, :, m, :] = self.weighted_gram(self.weights * blocks[:, k, m], features)
                    H[m, :, k, :] = H[k, :, m, :].T
            H = H.reshape(K * p, K * p)
        curvature = self.penalty_curvature(coef)
        if features is not None:
            curvature = curvature[self.coefficient_indices(features)]
        H.flat[:: K * p + 1] += curvature  # the diagonal, as a strided view
        return H

    def hessian_product(
        self, coef: FloatArray, diagonal: bool = True
    ) -> tuple[HessianVectorProduct, FloatArray | None]:
        """``v -> H v`` at ``coef`` without forming ``H``, and the diagonal of ``H``.

        ``H v = [X^T U + c V_W, sum_i U_i]`` with ``U_i = w_i h_i (X V_W^T + v_b)_i`` and ``c``
        the penalty's curvature: one pass over ``X`` now, two per product. The diagonal (a
        preconditioner for conjugate gradients) is ``H_(k,j),(k,j) = sum_i w_i D_ik x_ij^2 +
        c_kj`` with ``D`` the loss's diagonal, computed in blocks of rows so that no copy of
        ``X`` is made; it costs a pass that squares ``X`` (several products' worth), so
        ``diagonal=False`` skips it and returns ``None`` in its place.
        """
        W, _ = self.split(coef)
        c = self.penalty.smooth_curvature(W)  # (n_raw, d)
        Z = self.raw_prediction(coef)
        diag = None
        if diagonal:
            wD = self.weights[:, None] * self.loss.hessian_diagonal(Z)  # (n, n_raw)
            diag_W = squares_times(self.X, wD, self.dtype, self.arrays) + c
            diag = self.pack(diag_W, self.arrays.to_numpy(self.arrays.xp.sum(wD, axis=0)))
        if isinstance(self.X, np.ndarray):  # a block of rows at a time, as loss_gradient
            hessp = self.loss.hessian_operator
            blocks = [(rows, hessp(self.Y[rows], Z[rows])[1]) for rows in self._row_blocks]

            def hvp(v: FloatArray) -> FloatArray:
                V_W, v_b = self.split(v.astype(self.dtype, copy=False))  # float32 stays so
                HV, hv_b = np.zeros_like(V_W), np.zeros_like(v_b)
                for rows, hessp_b in blocks:
                    X_b = self.X[rows]
                    U = self.weights[rows, None] * hessp_b(scores(X_b, V_W, v_b))
                    HV += (X_b.T @ U).T
                    hv_b += U.sum(axis=0)
                return self.pack(HV + c * V_W, hv_b)

            return hvp, diag
        _, hessp_all = self.loss.hessian_operator(self.Y, Z)

        def hvp_whole(v: FloatArray) -> FloatArray:
            V_W, v_b = self.split(v)
            V_Wd, v_bd = self._on_device(V_W, v_b)
            U = self.weights[:, None] * hessp_all(self.X @ V_Wd.T + v_bd)  # (n, n_raw)
            return self._lift(U, c * V_W)

        return hvp_whole, diag

    def intercept_hessian(self, coef: FloatArray) -> FloatArray:
        """The Hessian's block for the intercepts, ``sum_i w_i H_i`` ``(n_raw, n_raw)``, in
        float64: the curvature of ``f`` in the intercepts alone. Costs ``X W^T``, half a pass."""
        block = self.loss.summed_hessian(self.raw_prediction(coef), self.weights)
        return np.asarray(self.arrays.to_numpy(block), dtype=np.float64)

    def curvature_drift(self, step: FloatArray) -> float:
        """``c`` such that ``H(coef + step) >= exp(-c) H(coef)`` at any ``coef``.

        Each sample's Hessian block changes with its raw predictions alone, and by a bounded
        factor when they move by ``dz_i = X~_i step`` (``dz = X~ step``, half a pass):

        - binary: ``h(z) = p (1 - p)`` has ``d log h / dz = 1 - 2p``, between -1 and 1, so
          ``h(z + dz) >= exp(-|dz|) h(z)``; ``c = max_i |dz_i|``;
        - softmax: ``p_k(z + dz) / p_k(z) = exp(dz_k) / sum_l p_l exp(dz_l)`` is at least
          ``exp(-r)`` with ``r = max_k dz_k - min_k dz_k``, and ``v^T H_i v`` is the variance
          of ``v`` under ``p``, ``min_a sum_k p_k (v_k - a)^2``: every term shrinks by at most
          ``exp(-r)``, so the minimum does too; ``c = max_i r_i`` (with two classes, the
          binary case again).

        The elastic net's curvature is the same at every coefficient, and ``exp(-c) <= 1``
        scales it down, so the bound holds for all of ``H`` (a penalty whose curvature falls
        away from ``coef`` would need a factor of its own). Its use:
        ``g^T H(coef + step)^-1 g <= exp(c) g^T H(coef)^-1 g``, a Newton decrement bounded from
        an older Hessian (``solvers.newton``).
        """
        W, b = self._on_device(*self.split(step))
        xp = self.arrays.xp
        dZ = scores(self.X, W, b)  # (n, n_raw); no offset: it cancels in the change
        if self.n_raw == 1:
            return float(self.arrays.to_numpy(xp.max(xp.abs(dZ))))
        spread = xp.max(dZ, axis=1) - xp.min(dZ, axis=1)
        return float(self.arrays.to_numpy(xp.max(spread)))

    def lipschitz(self) -> float:
        """An upper bound ``L`` on the smooth part's curvature: gradient descent is stable at 1/L.

        Every per-sample Hessian block is at most ``c I`` (``c = 1/4`` binary, ``1/2``
        multinomial), so ``H <= c lambda_max(X~^T diag(w) X~) + max_j c_j`` with ``c_j`` the
        penalty's curvature at ``W = 0``, where it is largest (``Penalty.smooth_curvature``):
        ``alpha (1 - r) max_j v_j`` for the elastic net.
        """
        c = 0.25 if self.n_raw == 1 else 0.5
        at_zero = self.penalty.smooth_curvature(np.zeros((self.n_raw, self.n_features)))
        return c * self._gram_top_eigenvalue() + float(np.max(at_zero, initial=0.0))

    def _gram_top_eigenvalue(self) -> float:
        """``lambda_max`` of ``G = X~^T diag(w) X~``: exact while ``G`` is small, else estimated.

        Up to ``kernels.GRAM_EXACT_MAX`` columns, from ``G`` itself (``O(n p^2 + p^3)``);
        beyond, by power iteration on ``v -> G v`` (two passes over ``X`` a step, no
        ``p x p`` matrix).
        """
        p = self.n_features + int(self.fit_intercept)
        if p <= kernels.GRAM_EXACT_MAX:
            return float(np.linalg.eigvalsh(self.weighted_gram(self.weights))[-1])
        return top_eigenvalue(self._gram_product, p, self.dtype)

    def _gram_product(self, v: FloatArray) -> FloatArray:
        """``G v = X~^T (w o (X~ v))`` for one vector ``v = [v_W, v_b]``: two passes over ``X``."""
        d = self.n_features
        v_W, v_b = v[:d], v[d:]
        W, b = self._on_device(v_W[None, :], v_b if self.fit_intercept else np.zeros(1, v.dtype))
        R = self.weights[:, None] * scores(self.X, W, b)  # (n, 1)
        host = self.arrays.to_numpy
        u_W = host(self.X.T @ R)[:, 0]
        if not self.fit_intercept:
            return u_W
        return np.concatenate([u_W, host(self.arrays.xp.sum(R, axis=0))])

    # -- the penalty's non-smooth half and the bounds ------------------------------------
    def subdifferential(
        self, coef: FloatArray, grad: FloatArray, at: IntArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Per entry, the interval ``[lo, hi]`` of the subdifferential of ``f`` without bounds.

        ``grad`` is the smooth part's gradient; ``coef`` and ``grad`` hold every coefficient,
        or those at positions ``at``. On a weight it is ``Penalty.subdifferential`` (for the
        elastic net, with ``lam = alpha r v_j``: the point ``g + lam sign(c)`` where ``c != 0``,
        ``[g - lam, g + lam]`` where ``c = 0``); on an intercept, the point ``g``.
        """
        is_weight, index = self._weights_at(at)
        lo, hi = grad.copy(), grad.copy()
        lo[is_weight], hi[is_weight] = self.penalty.subdifferential(
            coef[is_weight], grad[is_weight], index
        )
        return lo, hi

    def violation(
        self, coef: FloatArray, grad: FloatArray, at: IntArray | None = None
    ) -> FloatArray:
        """Per entry, the distance from 0 to the subdifferential of ``f``, bounds included.

        To the interval ``[lo, hi]`` of ``subdifferential`` a bound that holds with equality
        adds its normal cone: ``hi = +inf`` at an upper bound, ``lo = -inf`` at a lower one.
        The distance from 0 is ``max(lo, -hi, 0)``; ``|g|`` without a non-smooth penalty or
        bounds. ``coef`` and ``grad`` as for ``subdifferential``.
        """
        lo, hi = self.subdifferential(coef, grad, at)
        if self.lower is not None and self.upper is not None:
            lower = self.lower if at is None else self.lower[at]
            upper = self.upper if at is None else self.upper[at]
            hi = np.where(coef >= upper, np.inf, hi)
            lo = np.where(coef <= lower, -np.inf, lo)
        return np.maximum(np.maximum(lo, -hi), 0)

    def optimality(self, coef: FloatArray, grad: FloatArray) -> float:
        """Largest entry of the minimum-norm subgradient of ``f`` at ``coef``: the largest
        ``violation``, for ``grad`` the smooth part's gradient there."""
        if self.penalty.is_smooth and self.lower is None:
            return float(np.abs(grad).max(initial=0.0))
        return float(np.max(self.violation(coef, grad), initial=0.0))

    def project(self, coef: FloatArray) -> FloatArray:
        """``coef`` clipped into the bounds (itself when there are none)."""
        if self.lower is None or self.upper is None:
            return coef
        return np.clip(coef, self.lower, self.upper)

    def prox(self, coef: FloatArray, step: float) -> FloatArray:
        """Proximal step of the penalty's non-smooth half and the bounds: its prox, then clip.

        Coordinate by coordinate the problem is one-dimensional and convex, so clipping the
        penalty's proximal point is exactly the minimizer over the box. Intercepts pass.
        """
        if not self.penalty.is_smooth:
            M = coef.reshape(self.coef_shape).copy()
            d = self.n_features
            M[:, :d] = self.penalty.prox(M[:, :d], step)
            coef = M.ravel()
        return self.project(coef)

    def coordinate_prox(self, at: IntArray) -> CoordinateProx:
        """``prox`` one coefficient at a time, for coordinate descent over positions ``at``.

        Returns ``(j, v, step) -> v'``: for the coefficient at position ``at[j]``, the
        penalty's proximal point of ``v`` with that step (an intercept has none), clipped
        into the coefficient's bounds, as ``prox`` does for all of them at once.
        """
        is_weight, index = self._weights_at(at)
        in_W = np.full(len(is_weight), -1, dtype=np.intp)  # position in W.ravel(); -1: intercept
        in_W[is_weight] = index
        position = in_W.tolist()  # Python ints: read once per coordinate, as fast as it gets
        lower = np.full(len(position), -np.inf) if self.lower is None else self.lower[at]
        upper = np.full(len(position), np.inf) if self.upper is None else self.upper[at]
        prox = self.penalty.prox

        def coordinate(j: Any, v: Any, step: Any) -> Any:
            i = position[j]
            if i >= 0:
                v = prox(v, step, i)
            return min(max(v, lower[j]), upper[j])  # the box, when there is one

        return coordinate

    def subset(self, rows: IntArray) -> Objective:
        """The objective on ``rows`` alone, reweighted so its loss is an unbiased estimate of ours.

        ``w_i -> w_i n / |rows|``: the mini-batch objective of stochastic gradient descent.
        """
        scale = self.X.shape[0] / len(rows)
        at, xp = self.arrays.asarray(rows), self.arrays.xp

        def pick(a: Any) -> Any:  # a[rows], in the array API's spelling for other libraries
            return a[rows] if self.arrays.is_numpy else xp.take(a, at, axis=0)

        offset = None if self.offset is None else pick(self.offset)
        labels = None if self.labels is None else self.labels[rows]
        return replace(
            self,
            X=pick(self.X),
            Y=pick(self.Y),
            weights=pick(self.weights) * scale,
            offset=offset,
            labels=labels,
        )


def make_objective(
    X: FloatArray,
    y: ArrayLike,
    *,
    n_classes: int = 2,
    penalty: Penalty | None = None,
    sample_weight: ArrayLike | None = None,
    fit_intercept: bool = True,
    offset: ArrayLike | None = None,
    lower_bounds: ArrayLike | None = None,
    upper_bounds: ArrayLike | None = None,
    check_input: bool = True,
) -> Objective:
    """Objective for integer labels ``y`` in ``0 .. n_classes - 1``.

    Two classes give the binary loss (label 1 is the positive class), more give the
    multinomial one. ``X`` keeps float32 or float64 (anything else becomes float64);
    bad input (non-finite values, wrong shapes, labels out of range, negative weights)
    raises a ``ValueError`` naming the argument. ``penalty`` is any ``Penalty`` (no penalty
    by default). ``offset`` (n,) or (n, n_raw) is a known term added to the raw
    predictions; ``lower_bounds``/``upper_bounds`` (scalars, or arrays broadcastable to
    ``(n_raw, n_features)``) box the weights, never the intercepts. ``check_input=False``
    skips the checks of ``X`` and ``sample_weight`` for callers that have made them.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> f = make_objective(X, [0, 0, 1, 1])
    >>> f.coef_shape, round(f.value(f.zeros()), 6)  # log 2 at zero
    ((1, 2), 0.693147)
    """
    if check_input:
        X = check_X(X)  # NumPy, SciPy sparse or array-API arrays, each kept as it is
    n_classes = check_int(n_classes, "n_classes", low=2)
    y = check_class_codes(y, X.shape[0], n_classes)
    library = array_library(X)
    dtype = working_dtype(X)
    loss = loss_for(n_classes)
    n_raw = loss.n_raw(n_classes)
    if n_raw == 1:
        Y = (y == 1).astype(dtype)[:, None]  # (n, 1)
    else:
        Y = np.zeros((len(y), n_classes), dtype=dtype, order="F")  # one-hot, (n, K), as Z
        Y[np.arange(len(y)), y] = 1
    if check_input or sample_weight is None:  # else: the caller has checked the weights
        sample_weight = check_sample_weight(sample_weight, len(y), dtype)
    s = np.asarray(sample_weight, dtype=dtype)
    lower, upper = check_bounds(lower_bounds, upper_bounds, n_raw, X.shape[1], fit_intercept, dtype)
    if offset is not None:
        offset = library.asarray(check_offset(offset, len(y), n_raw, dtype))
    return Objective(
        X=X,
        Y=library.asarray(Y),
        weights=library.asarray(s / s.sum()),
        loss=loss,
        penalty=penalty if penalty is not None else ElasticNet(),
        fit_intercept=fit_intercept,
        arrays=library,
        offset=offset,
        lower=lower,
        upper=upper,
        labels=y if n_raw > 1 and library.is_numpy else None,
    )
