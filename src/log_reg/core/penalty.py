"""Penalties on the coefficients: none, L2, L1 and the elastic net between them.

All four are one family, the elastic net of strength ``alpha >= 0`` and mix
``l1_ratio = r`` in [0, 1]:

    pen(W) = alpha * ( (1 - r)/2 * ||W||_2^2  +  r * ||W||_1 )

``alpha = 0`` is no penalty, ``r = 0`` is L2 (ridge), ``r = 1`` is L1 (lasso). ``W`` is
only the penalized block of the coefficients: the objective never passes the intercept.
Optional per-feature *penalty factors* ``v_j >= 0`` (glmnet's ``penalty.factor``) weight
both halves feature by feature, ``alpha sum_j v_j ((1 - r)/2 W_j^2 + r |W_j|)``; a factor
of 0 leaves that feature unpenalized. Unlike glmnet we do not rescale the factors, so
``C`` keeps its meaning.

Solvers split the penalty in two. The L2 half is smooth and goes into the objective's
gradient and Hessian (``smooth_gradient``, ``l2_strength``); the L1 half is not, and
solvers that support it handle it through ``prox`` or coordinate-wise soft-thresholding
with ``l1_strength``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from log_reg.core.arrays import FloatArray

__all__ = [
    "ElasticNet",
    "alpha_from_C",
    "kkt_violation",
    "l1",
    "l2",
    "no_penalty",
    "soft_threshold",
]


def soft_threshold(v: FloatArray, threshold: float | FloatArray) -> FloatArray:
    """``sign(v) * max(|v| - t, 0)``: the proximal operator of ``t * ||.||_1``.

    Examples
    --------
    >>> soft_threshold(np.array([-2.0, 0.5, 3.0]), 1.0)
    array([-1.,  0.,  2.])
    """
    return np.sign(v) * np.maximum(np.abs(v) - threshold, 0)


@dataclass(frozen=True, eq=False)
class ElasticNet:
    """``alpha * ((1 - l1_ratio)/2 ||W||^2 + l1_ratio ||W||_1)``; see the module docstring.

    Examples
    --------
    >>> pen = ElasticNet(alpha=2.0, l1_ratio=0.5)
    >>> W = np.array([1.0, -2.0])
    >>> float(pen.value(W))  # 2 * (0.25 * 5 + 0.5 * 3)
    5.5
    >>> pen.smooth_gradient(W)
    array([ 1., -2.])
    """

    alpha: float = 0.0
    l1_ratio: float = 0.0
    factor: FloatArray | None = None  # per-feature v_j, shape (n_features,); None: all 1

    def __post_init__(self) -> None:
        if not (np.isfinite(self.alpha) and self.alpha >= 0):
            raise ValueError(f"alpha must be a finite number >= 0; got {self.alpha!r}.")
        if not 0 <= self.l1_ratio <= 1:
            raise ValueError(f"l1_ratio must lie in [0, 1]; got {self.l1_ratio!r}.")
        if self.factor is not None:
            v = np.asarray(self.factor, dtype=np.float64)
            if v.ndim != 1 or not np.all(np.isfinite(v)) or np.any(v < 0):
                raise ValueError(
                    "penalty_factor must be a 1-D array of finite numbers >= 0, one per "
                    f"feature; got {self.factor!r}."
                )
            object.__setattr__(self, "factor", v)

    def weights(self, n_features: int) -> FloatArray:
        """``v``: the per-feature factors, ones when none were given; shape (n_features,)."""
        if self.factor is None:
            return np.ones(n_features)
        if len(self.factor) != n_features:
            raise ValueError(
                f"penalty_factor must have one entry per feature ({n_features}); got "
                f"{len(self.factor)}."
            )
        return self.factor

    def _v(self, W: FloatArray) -> FloatArray | float:
        return 1.0 if self.factor is None else self.weights(W.shape[-1])

    @property
    def l2_strength(self) -> float:
        """``alpha (1 - r)``: the coefficient of ``||W||^2 / 2``, and the Hessian's diagonal."""
        return self.alpha * (1 - self.l1_ratio)

    @property
    def l1_strength(self) -> float:
        """``alpha r``: the coefficient of ``||W||_1``."""
        return self.alpha * self.l1_ratio

    @property
    def is_smooth(self) -> bool:
        """True when there is no L1 part, so gradient-based solvers need no proximal step."""
        return self.l1_strength == 0

    def value(self, W: FloatArray) -> float:
        """``pen(W)``."""
        l1 = self.l1_strength * float(np.sum(self._v(W) * np.abs(W))) if self.l1_strength else 0.0
        return self.smooth_value(W) + l1

    def smooth_value(self, W: FloatArray) -> float:
        """The L2 half only: ``alpha (1 - r)/2 sum_j v_j W_j^2``."""
        if not self.l2_strength:
            return 0.0
        return 0.5 * self.l2_strength * float(np.vdot(self._v(W) * W, W))

    def smooth_gradient(self, W: FloatArray) -> FloatArray:
        """Gradient of the L2 half: ``alpha (1 - r) v * W``."""
        return self.l2_strength * self._v(W) * W

    def prox(self, V: FloatArray, step: float) -> FloatArray:
        """Proximal operator of ``step`` times the L1 half: ``soft_threshold(V, step alpha r)``.

        That is ``argmin_W ||W - V||^2 / (2 step) + alpha r ||W||_1``; the identity when there
        is no L1 part.
        """
        if self.is_smooth:
            return V
        return soft_threshold(V, step * self.l1_strength * self._v(V))


def no_penalty() -> ElasticNet:
    """No penalty: the maximum-likelihood objective."""
    return ElasticNet(0.0, 0.0)


def l2(alpha: float) -> ElasticNet:
    """Ridge: ``alpha/2 ||W||^2``."""
    return ElasticNet(alpha, 0.0)


def l1(alpha: float) -> ElasticNet:
    """Lasso: ``alpha ||W||_1``."""
    return ElasticNet(alpha, 1.0)


def alpha_from_C(C: float, total_weight: float) -> float:
    """Penalty strength ``alpha = 1 / (C S)`` equivalent to scikit-learn's ``C``; 0 for ``C = inf``.

    Examples
    --------
    >>> alpha_from_C(1.0, 100.0)
    0.01
    >>> alpha_from_C(float("inf"), 100.0)
    0.0
    """
    return 0.0 if np.isinf(C) else 1.0 / (C * total_weight)


def kkt_violation(
    coef: FloatArray,
    grad: FloatArray,
    lam: FloatArray,
    lower: FloatArray | None = None,
    upper: FloatArray | None = None,
) -> FloatArray:
    """Per entry, the distance from 0 to the subdifferential of ``smooth + lam |.| + box``.

    See ``Objective.optimality``: ``max(lo, -hi, 0)`` for the interval ``[lo, hi]``.
    """
    lo = np.where(coef != 0, grad + lam * np.sign(coef), grad - lam)
    hi = np.where(coef != 0, grad + lam * np.sign(coef), grad + lam)
    if lower is not None and upper is not None:
        hi = np.where(coef >= upper, np.inf, hi)
        lo = np.where(coef <= lower, -np.inf, lo)
    return np.maximum(np.maximum(lo, -hi), 0)
