"""The objective a solver minimizes: loss + penalty, lifted from raw predictions to coefficients.

Conventions
-----------
Every other docstring in the package refers to this block.

- **Data.** ``X`` has shape ``(n, d)``: a NumPy array, a SciPy CSR matrix (every product
  below is written so that both work, and X is never densified), or an array of another
  library that follows the array API standard (``log_reg.backends``): the per-sample work
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
  L2 half of the penalty; the L1 half is left to the solvers that support it (see
  ``penalty``). ``value`` and ``optimality`` include it.
- **Optimality.** ``optimality(coef, grad)`` is the largest entry of the minimum-norm
  subgradient of ``f`` (the plain gradient when there is no L1 part). Every solver stops when
  it falls to ``tol``: the convergence criterion of the whole package.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core import curvature as _curvature
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
from log_reg.core.curvature import HessianVectorProduct
from log_reg.core.kernels import row_blocks, scores, squares_times, weighted_gram
from log_reg.core.loss import BINARY, MULTINOMIAL, LogLoss
from log_reg.core.penalty import ElasticNet, alpha_from_C, kkt_violation

__all__ = ["Objective", "alpha_from_C", "kkt_violation", "make_objective"]


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
    penalty: ElasticNet
    fit_intercept: bool
    backend: ArrayLibrary = NUMPY
    offset: Any = None  # (n, n_raw) known term added to Z, on X's backend; None: 0
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
        """Host coefficients -> arrays of ``X``'s backend (no copy for NumPy)."""
        return self.backend.asarray(W), self.backend.asarray(b)

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
        pi = self.backend.to_numpy(self.weights @ self.Y)  # (n_raw,)
        pi = np.asarray(pi, dtype=np.float64)
        if self.n_raw == 1:
            pi = np.concatenate([1 - pi, pi])
        if not np.all(pi > 0):
            return coef
        log_pi = np.log(pi)
        b = log_pi[1:] - log_pi[0] if self.n_raw == 1 else log_pi - log_pi.mean()
        coef.reshape(self.coef_shape)[:, -1] = b
        return self.project(coef)

    def split(self, coef: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``coef -> (W, b)``: weights ``(n_raw, d)``, intercepts ``(n_raw,)`` (zeros if none)."""
        M = coef.reshape(self.coef_shape)
        d = self.n_features
        b = M[:, d] if self.fit_intercept else np.zeros(self.n_raw, dtype=coef.dtype)
        return M[:, :d], b

    def penalized_mask(self) -> FloatArray:
        """1.0 where a coefficient is penalized, 0.0 for intercepts; flat, like ``coef``."""
        mask = np.ones(self.coef_shape, dtype=self.dtype)
        if self.fit_intercept:
            mask[:, -1] = 0
        return mask.ravel()

    def penalty_weights(self) -> FloatArray:
        """Each coefficient's share of the penalty: ``v_j`` (the penalty factor), 0 for
        intercepts; flat, like ``coef``."""
        M = np.zeros(self.coef_shape, dtype=self.dtype)
        M[:, : self.n_features] = self.penalty.weights(self.n_features)
        return M.ravel()

    def l1_weights(self) -> FloatArray:
        """``lam`` per coefficient: ``alpha r v_j`` on weights, 0 on intercepts."""
        return self.penalty.l1_strength * self.penalty_weights()

    # -- values and derivatives --------------------------------------------------
    def raw_prediction(self, coef: FloatArray) -> FloatArray:
        """``Z = X W^T + b (+ offset)``, shape ``(n, n_raw)``."""
        W, b = self._on_device(*self.split(coef))
        Z = scores(self.X, W, b)
        return Z if self.offset is None else Z + self.offset

    def _pack(self, G_W: FloatArray, g_b: FloatArray) -> FloatArray:
        """Stack weights ``(n_raw, d)`` and intercepts ``(n_raw,)`` into one flat vector."""
        if self.fit_intercept:
            return np.concatenate([G_W, g_b[:, None]], axis=1).ravel()
        return G_W.ravel()

    def _lift(self, R: FloatArray, W: FloatArray, V_W: FloatArray | None = None) -> FloatArray:
        """Chain rule from raw predictions to coefficients, plus the L2 term.

        ``R`` holds ``w_i * dloss/dz_i`` ``(n, n_raw)``; returns ``[R^T X + l2 W, sum_i R_i]``
        flattened (``V_W`` replaces ``W`` in the L2 term for Hessian-vector products).
        """
        host = self.backend.to_numpy
        G_W = host(self.X.T @ R).T + self.penalty.smooth_gradient(W if V_W is None else V_W)
        return self._pack(G_W, host(self.backend.xp.sum(R, axis=0)))

    def _mean(self, per_sample: Any) -> float:
        """``sum_i w_i v_i`` as a Python float."""
        return float(self.backend.xp.sum(self.weights * per_sample))

    def value(self, coef: FloatArray) -> float:
        """``f(coef)``, the L1 half of the penalty included."""
        W, _ = self.split(coef)
        data = self._mean(self.loss.loss(self.Y, self.raw_prediction(coef)))
        return data + self.penalty.value(W)

    def loss_gradient(self, coef: FloatArray) -> tuple[float, FloatArray]:
        """Value and gradient of the smooth part (loss + L2), from one pass over ``X``.

        ``grad_W = sum_i w_i (p_i - y_i) x_i^T + alpha (1 - r) W``;
        ``grad_b = sum_i w_i (p_i - y_i)``.
        """
        W, b = self.split(coef)
        if not isinstance(self.X, np.ndarray):
            losses, dZ = self.loss.loss_gradient(self.Y, self.raw_prediction(coef))
            value = self._mean(losses) + self.penalty.smooth_value(W)
            return value, self._lift(self.weights[:, None] * dZ, W)
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
        return value, self._pack(G + self.penalty.smooth_gradient(W), g_b)

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

    # -- second derivatives: the formulas are in ``_curvature`` -----------------------
    def hessian(self, coef: FloatArray, features: Any = None) -> FloatArray:
        """The dense Hessian ``(n_coef, n_coef)`` of the smooth part; with ``features``,
        its block for those features (``_curvature.hessian``)."""
        return _curvature.hessian(self, coef, features)

    def coefficient_indices(self, features: Any) -> IntArray:
        """Positions in ``coef`` of these features' coefficients and of the intercepts."""
        return _curvature.coefficient_indices(self, features)

    @cached_property
    def _l2_diagonal(self) -> FloatArray:
        """``alpha (1 - r) v_j`` per coefficient (0 on intercepts): the L2 term's Hessian."""
        return self.penalty.l2_strength * self.penalty_weights()

    def _weighted_gram(self, d: FloatArray, features: Any = None) -> FloatArray:
        """``X~^T diag(d) X~`` for ``X~ = [X, 1]``; shape ``(p, p)`` (``_passes.weighted_gram``)."""
        return weighted_gram(self.X, d, self.fit_intercept, self.dtype, self.backend, features)

    def hessian_product(
        self, coef: FloatArray, diagonal: bool = True
    ) -> tuple[HessianVectorProduct, FloatArray | None]:
        """``v -> H v`` at ``coef`` without forming ``H``, and the diagonal of ``H`` (``None``
        with ``diagonal=False``) (``_curvature.hessian_product``)."""
        return _curvature.hessian_product(self, coef, diagonal)

    def curvature_drift(self, step: FloatArray) -> float:
        """``c`` with ``H(coef + step) >= exp(-c) H(coef)`` (``_curvature.curvature_drift``)."""
        return _curvature.curvature_drift(self, step)

    def intercept_hessian(self, coef: FloatArray) -> FloatArray:
        """The intercepts' block of the Hessian ``(n_raw, n_raw)``, in float64
        (``_curvature.intercept_hessian``)."""
        return _curvature.intercept_hessian(self, coef)

    def _squares_times(self, D: Any) -> FloatArray:
        """``(X o X)^T D`` ``(n_raw, d)`` (``_passes.squares_times``)."""
        return squares_times(self.X, D, self.dtype, self.backend)

    # -- what solvers need besides derivatives -----------------------------------
    def optimality(self, coef: FloatArray, grad: FloatArray) -> float:
        """Largest entry of the minimum-norm subgradient of ``f`` at ``coef``.

        ``grad`` is the smooth part's gradient. With ``lam = alpha r v_j`` on penalized
        entries, the subdifferential of entry ``j`` is the interval ``[lo, hi]``: the point
        ``g + lam sign(c)`` where ``c != 0``, ``[g - lam, g + lam]`` where ``c = 0``. A bound
        that holds with equality adds its normal cone: ``hi = +inf`` at an upper bound,
        ``lo = -inf`` at a lower one. The entry's violation is the distance from 0 to the
        interval, ``max(lo, -hi, 0)``; without L1 or bounds it is ``|g|``.
        """
        if self.penalty.is_smooth and self.lower is None:
            return float(np.abs(grad).max(initial=0.0))
        violation = kkt_violation(coef, grad, self.l1_weights(), self.lower, self.upper)
        return float(np.max(violation, initial=0.0))

    def project(self, coef: FloatArray) -> FloatArray:
        """``coef`` clipped into the bounds (itself when there are none)."""
        if self.lower is None or self.upper is None:
            return coef
        return np.clip(coef, self.lower, self.upper)

    def prox(self, coef: FloatArray, step: float) -> FloatArray:
        """Proximal step of the L1 half and the bounds: soft-threshold, then clip.

        Coordinate by coordinate the problem is one-dimensional and convex, so clipping the
        soft-thresholded value is exactly the minimizer over the box. Intercepts pass.
        """
        if not self.penalty.is_smooth:
            M = coef.reshape(self.coef_shape).copy()
            d = self.n_features
            M[:, :d] = self.penalty.prox(M[:, :d], step)
            coef = M.ravel()
        return self.project(coef)

    def lipschitz(self) -> float:
        """An upper bound ``L`` on the smooth part's curvature: gradient descent is stable at
        1/L (``_curvature.lipschitz``)."""
        return _curvature.lipschitz(self)

    def subset(self, rows: IntArray) -> Objective:
        """The objective on ``rows`` alone, reweighted so its loss is an unbiased estimate of ours.

        ``w_i -> w_i n / |rows|``: the mini-batch objective of stochastic gradient descent.
        """
        scale = self.X.shape[0] / len(rows)
        at, xp = self.backend.asarray(rows), self.backend.xp

        def pick(a: Any) -> Any:  # a[rows], in the array API's spelling for other libraries
            return a[rows] if self.backend.is_numpy else xp.take(a, at, axis=0)

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
    penalty: ElasticNet | None = None,
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
    raises a ``ValueError`` naming the argument. ``offset`` (n,) or (n, n_raw) is a known
    term added to the raw predictions; ``lower_bounds``/``upper_bounds`` (scalars, or
    arrays broadcastable to ``(n_raw, n_features)``) box the weights, never the intercepts.
    ``check_input=False`` skips the checks of ``X`` and ``sample_weight`` for callers that
    have made them.

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
    backend = array_library(X)
    dtype = working_dtype(X)
    loss = BINARY if n_classes == 2 else MULTINOMIAL
    if n_classes == 2:
        Y = (y == 1).astype(dtype)[:, None]  # (n, 1)
    else:
        Y = np.zeros((len(y), n_classes), dtype=dtype, order="F")  # one-hot, (n, K), as Z
        Y[np.arange(len(y)), y] = 1
    if check_input or sample_weight is None:  # else: the caller has checked the weights
        sample_weight = check_sample_weight(sample_weight, len(y), dtype)
    s = np.asarray(sample_weight, dtype=dtype)
    n_raw = Y.shape[1]
    lower, upper = check_bounds(lower_bounds, upper_bounds, n_raw, X.shape[1], fit_intercept, dtype)
    if offset is not None:
        offset = backend.asarray(check_offset(offset, len(y), n_raw, dtype))
    return Objective(
        X=X,
        Y=backend.asarray(Y),
        weights=backend.asarray(s / s.sum()),
        loss=loss,
        penalty=penalty if penalty is not None else ElasticNet(),
        fit_intercept=fit_intercept,
        backend=backend,
        offset=offset,
        lower=lower,
        upper=upper,
        labels=y if n_classes > 2 and backend.is_numpy else None,
    )
