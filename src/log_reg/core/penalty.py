"""Penalties on the weights: the ``Penalty`` protocol, and the elastic net that implements it.

A penalty acts on the weights ``W`` alone, shape ``(n_raw, d)``: the objective never
passes the intercepts (see ``objective``'s Conventions). It is separable, a sum over the
entries of ``W``, and splits into two halves,

    pen(W) = s(W) + h(W),      s smooth and convex,  h convex, possibly not smooth,

which solvers use differently. The smooth half joins the loss in the objective's gradient
and Hessian (``smooth_gradient``, ``smooth_curvature``). The other half is never
differentiated: solvers that support it take proximal steps (``prox``), and optimality is
measured by the distance from 0 to the subdifferential (``subdifferential``). ``Penalty``
lists what the objective and the solvers ask; the solver registry reads ``name`` and
``is_smooth`` to decide which solvers can minimize it. A new penalty is one class with
these methods: nothing else in the package needs to know it.

Positions ``at``: ``prox`` and ``subdifferential`` work on all of ``W``, or on some of its
entries (coordinate descent's working set, one coordinate at a time); then ``at`` gives
their positions in ``W.ravel()``, one per entry.

The elastic net
---------------
All of none, L2, L1 and the elastic net are one family, the elastic net of strength
``alpha >= 0`` and mix ``l1_ratio = r`` in [0, 1]:

    pen(W) = alpha * ( (1 - r)/2 * ||W||_2^2  +  r * ||W||_1 )

``alpha = 0`` is no penalty, ``r = 0`` is L2 (ridge), ``r = 1`` is L1 (lasso). Optional
per-feature *penalty factors* ``v_j >= 0`` (glmnet's ``penalty.factor``) weight both halves
feature by feature, ``alpha sum_j v_j ((1 - r)/2 W_j^2 + r |W_j|)``; a factor of 0 leaves
that feature unpenalized. Unlike glmnet we do not rescale the factors, so ``C`` keeps its
meaning. The L2 half is its smooth half, the L1 half (``lam_j = alpha r v_j``) the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from log_reg.core.arrays import FloatArray

__all__ = [
    "ElasticNet",
    "Penalty",
    "alpha_from_C",
    "l1",
    "l2",
    "no_penalty",
    "soft_threshold",
]


class Penalty(Protocol):
    """What the objective and the solvers ask of a penalty on ``W`` (see the module docstring).

    Every array argument has ``W``'s shape, or holds the entries at positions ``at``.
    """

    @property
    def name(self) -> str | None:
        """scikit-learn's name for it ("l2", "l1", "elasticnet"), or ``None`` for no penalty:
        the solver registry words its errors with it and knows liblinear's limits by it."""
        ...

    @property
    def is_smooth(self) -> bool:
        """True when ``h = 0``: any gradient-based solver can minimize the objective."""
        ...

    def value(self, W: FloatArray) -> float:
        """``pen(W) = s(W) + h(W)``."""
        ...

    def smooth_value(self, W: FloatArray) -> float:
        """``s(W)``."""
        ...

    def smooth_gradient(self, W: FloatArray) -> FloatArray:
        """``grad s(W)``."""
        ...

    def smooth_curvature(self, W: FloatArray) -> FloatArray:
        """The diagonal of the Hessian of ``s`` at ``W`` (all of it: ``s`` is separable).

        It must be largest at ``W = 0``, as a quadratic's is (the same everywhere): the
        step of gradient descent bounds it there (``Objective.lipschitz``).
        """
        ...

    def nonsmooth_value(self, W: FloatArray) -> float:
        """``h(W)``; 0 for a smooth penalty."""
        ...

    def prox(self, V: FloatArray, step: float | FloatArray, at: Any = None) -> FloatArray:
        """The proximal operator of ``h``, entry by entry: ``argmin_W (W - V)^2 / (2 step) + h(W)``.

        ``step > 0`` is a number or one per entry; the identity when ``h = 0``.
        """
        ...

    def subdifferential(
        self, W: FloatArray, G: FloatArray, at: Any = None
    ) -> tuple[FloatArray, FloatArray]:
        """``G + dh(W)`` entry by entry, as the bounds ``(lo, hi)`` of an interval.

        ``G`` is the gradient of the smooth part there; optimality holds where the interval
        holds 0 (``Objective.optimality``).
        """
        ...


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
    >>> pen.prox(np.array([0.5, -3.0]), 1.0)  # soft-thresholds by alpha r = 1
    array([ 0., -2.])
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

    def _v(self, W: FloatArray, at: Any = None) -> FloatArray | float:
        """``v_j`` for every entry of ``W``, or for the entries at positions ``at``."""
        if self.factor is None:
            return 1.0
        if at is None:
            return self.weights(W.shape[-1])
        return self.factor[at % len(self.factor)]  # W.ravel()'s position -> its feature

    @property
    def name(self) -> str | None:
        if self.alpha == 0:
            return None
        return {0.0: "l2", 1.0: "l1"}.get(self.l1_ratio, "elasticnet")

    # cached: coordinate descent asks for them once per coordinate (``prox``)
    @cached_property
    def l2_strength(self) -> float:
        """``alpha (1 - r)``: the coefficient of ``||W||^2 / 2``, and the Hessian's diagonal."""
        return self.alpha * (1 - self.l1_ratio)

    @cached_property
    def l1_strength(self) -> float:
        """``alpha r``: the coefficient of ``||W||_1``."""
        return self.alpha * self.l1_ratio

    @cached_property
    def is_smooth(self) -> bool:
        """True when there is no L1 part, so gradient-based solvers need no proximal step."""
        return self.l1_strength == 0

    def value(self, W: FloatArray) -> float:
        """``pen(W)``."""
        return self.smooth_value(W) + self.nonsmooth_value(W)

    def smooth_value(self, W: FloatArray) -> float:
        """The L2 half: ``alpha (1 - r)/2 sum_j v_j W_j^2``."""
        if not self.l2_strength:
            return 0.0
        return 0.5 * self.l2_strength * float(np.vdot(self._v(W) * W, W))

    def smooth_gradient(self, W: FloatArray) -> FloatArray:
        """Gradient of the L2 half: ``alpha (1 - r) v * W``."""
        return self.l2_strength * self._v(W) * W

    def smooth_curvature(self, W: FloatArray) -> FloatArray:
        """Hessian diagonal of the L2 half: ``alpha (1 - r) v_j``, the same at every ``W``."""
        return self.l2_strength * self._v(W) * np.ones_like(W)

    def nonsmooth_value(self, W: FloatArray) -> float:
        """The L1 half: ``alpha r sum_j v_j |W_j|``."""
        if not self.l1_strength:
            return 0.0
        return self.l1_strength * float(np.sum(self._v(W) * np.abs(W)))

    def prox(self, V: FloatArray, step: float | FloatArray, at: Any = None) -> FloatArray:
        """``soft_threshold(V, step alpha r v)``: the proximal operator of ``step`` times the
        L1 half, ``argmin_W ||W - V||^2 / (2 step) + alpha r sum_j v_j |W_j|``."""
        if self.is_smooth:
            return V
        threshold = step * self.l1_strength
        if self.factor is not None:
            threshold = threshold * self._v(V, at)
        return soft_threshold(V, threshold)

    def subdifferential(
        self, W: FloatArray, G: FloatArray, at: Any = None
    ) -> tuple[FloatArray, FloatArray]:
        """With ``lam = alpha r v_j``: the point ``G + lam sign(W)`` where ``W != 0``, the
        interval ``[G - lam, G + lam]`` where ``W = 0``."""
        lam = self.l1_strength * self._v(W, at)
        lo = np.where(W != 0, G + lam * np.sign(W), G - lam)
        hi = np.where(W != 0, G + lam * np.sign(W), G + lam)
        return lo, hi


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
