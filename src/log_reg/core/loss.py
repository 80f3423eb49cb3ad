"""Log-loss on raw predictions: value, gradient and Hessian blocks, per sample.

A loss never sees X or the coefficients; it only knows the raw predictions
``Z`` (the linear predictor, shape ``(n_samples, n_raw)``) and the targets ``Y``
of the same shape:

- binary: ``n_raw = 1``; ``Y[:, 0]`` is 1 for the positive class, 0 otherwise;
- multinomial: ``n_raw = n_classes``; ``Y`` is the one-hot encoding of the labels.

With ``P = h(Z)`` the predicted probabilities (the sigmoid, or the softmax across a
row), both losses share the same gradient, ``dloss/dZ = P - Y``; their Hessians
differ, and are given per sample as an ``(n_raw, n_raw)`` block.

Shapes and formulas are the same for every array library: each method works in the
namespace ``xp`` of ``Z`` (NumPy for NumPy input; see ``log_reg.backends``).

References: Bishop, *Pattern Recognition and Machine Learning*, sections 4.3.2-4.3.4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from log_reg.core.arrays import FloatArray, array_library
from log_reg.core.numerics import expit, log1pexp, logsumexp, max_and_shifted, softmax

__all__ = [
    "BINARY",
    "MULTINOMIAL",
    "BinaryLogLoss",
    "LogLoss",
    "MultinomialLogLoss",
    "loss_for",
]

HessianProduct = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True)
class LogLoss:
    """The interface both losses share; see the module docstring for the shapes."""

    name: str

    def n_raw(self, n_classes: int) -> int:  # pragma: no cover - interface
        """Number of raw predictions per sample for ``n_classes`` classes."""
        raise NotImplementedError

    def loss(self, Y: FloatArray, Z: FloatArray) -> FloatArray:  # pragma: no cover
        """Per-sample loss, shape ``(n_samples,)``."""
        raise NotImplementedError

    def proba(self, Z: FloatArray) -> FloatArray:  # pragma: no cover - interface
        """Predicted probabilities ``P = h(Z)``, same shape as ``Z``."""
        raise NotImplementedError

    def loss_gradient(
        self, Y: FloatArray, Z: FloatArray, overwrite_z: bool = False, labels: Any = None
    ) -> tuple[FloatArray, FloatArray]:
        """Per-sample loss ``(n_samples,)`` and its gradient ``P - Y`` ``(n_samples, n_raw)``.

        ``overwrite_z=True`` lets the gradient take ``Z``'s memory (the caller's ``Z`` is
        then lost): a caller that made ``Z`` for this call alone saves ``n x n_raw``
        temporaries. ``labels`` (NumPy, one class index per row, when ``Y`` is their
        one-hot encoding) lets the softmax pick ``z_(i, y_i)`` and subtract ``Y`` by
        indexing, instead of multiplying ``n x n_raw`` arrays.
        """
        return self.loss(Y, Z), self.proba(Z) - Y

    def hessian_blocks(self, Z: FloatArray) -> FloatArray:
        """Per-sample Hessian blocks ``d^2 loss / dz_i^2``, shape ``(n, n_raw, n_raw)``.

        They do not depend on ``Y``: the gradient ``P - Y`` is linear in it.
        """
        raise NotImplementedError  # pragma: no cover - interface

    def hessian_operator(self, Y: FloatArray, Z: FloatArray) -> tuple[FloatArray, HessianProduct]:
        """Gradient ``(n, n_raw)`` and ``V -> H_i V_i`` for every sample, without the blocks."""
        raise NotImplementedError  # pragma: no cover - interface

    def summed_hessian(self, Z: FloatArray, weights: FloatArray) -> FloatArray:
        """``sum_i w_i H_i``, the weighted sum of the per-sample Hessian blocks ``(n_raw, n_raw)``.

        ``H_i = diag(p_i) - p_i p_i^T``; with one raw prediction that is ``p_i (1 - p_i)``.
        It is the Hessian of ``f`` in the intercepts alone (their column of ones in ``X~``).
        """
        xp = array_library(Z).xp
        P = self.proba(Z)
        wP = weights[:, None] * P  # (n, n_raw)
        if P.shape[1] == 1:
            return xp.reshape(xp.sum(wP * (1 - P)), (1, 1))
        eye = xp.eye(P.shape[1], dtype=P.dtype)
        return eye * xp.sum(wP, axis=0)[None, :] - P.T @ wP  # diag(sum w p) - P^T diag(w) P

    def hessian_diagonal(self, Z: FloatArray) -> FloatArray:
        """The diagonal of every sample's Hessian block, ``p (1 - p)``; shape ``(n, n_raw)``.

        Both losses share it: for the softmax, ``diag(p) - p p^T`` has ``p_k - p_k^2`` there.
        """
        P = self.proba(Z)
        return P * (1 - P)


@dataclass(frozen=True)
class BinaryLogLoss(LogLoss):
    """Binary cross-entropy on the log-odds ``z``.

    ``loss(y, z) = -y log p - (1-y) log(1-p) = log(1 + exp(z)) - y z`` with
    ``p = sigmoid(z)``; gradient ``p - y``; Hessian ``p (1 - p)``.

    Examples
    --------
    >>> import numpy as np
    >>> Y, Z = np.array([[1.0], [0.0]]), np.array([[0.0], [0.0]])
    >>> BINARY.loss(Y, Z)
    array([0.69314718, 0.69314718])
    """

    name: str = "binary"

    def n_raw(self, n_classes: int) -> int:
        return 1

    def proba(self, Z: FloatArray) -> FloatArray:
        return expit(Z)

    def loss(self, Y: FloatArray, Z: FloatArray) -> FloatArray:
        return (log1pexp(Z) - Y * Z)[:, 0]  # the one column: (n,)

    def loss_gradient(
        self, Y: FloatArray, Z: FloatArray, overwrite_z: bool = False, labels: Any = None
    ) -> tuple[FloatArray, FloatArray]:
        xp = array_library(Z).xp
        # softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^-|z|): never overflows.
        softplus = xp.maximum(Z, 0.0) + xp.log1p(xp.exp(-xp.abs(Z)))
        # sigmoid(z) = e^z / (1 + e^z) = exp(z - softplus(z)): at most 1, no overflow, and
        # no branch on the sign of z (a `where` costs more here than a second exp).
        p = xp.exp(Z - softplus)
        return (softplus - Y * Z)[:, 0], p - Y

    def hessian_blocks(self, Z: FloatArray) -> FloatArray:
        # p (1 - p) = e / (1 + e)^2 with e = exp(-|z|) <= 1, for either sign of z (the
        # sigmoid's derivative is even): one formula, no branch, no overflow.
        xp = array_library(Z).xp
        e = xp.exp(-xp.abs(Z))
        one_plus_e = 1 + e
        return (e / (one_plus_e * one_plus_e))[:, :, None]  # (n, 1, 1)

    def hessian_operator(self, Y: FloatArray, Z: FloatArray) -> tuple[FloatArray, HessianProduct]:
        p = expit(Z)
        h = p * (1 - p)  # (n, 1)
        return p - Y, lambda V: h * V


@dataclass(frozen=True)
class MultinomialLogLoss(LogLoss):
    """Cross-entropy of the softmax over ``K`` raw predictions per sample.

    ``loss(y, z) = -sum_k y_k log p_k = logsumexp(z) - sum_k y_k z_k`` with
    ``p = softmax(z)``; gradient ``p - y``; Hessian block ``diag(p) - p p^T``.

    Examples
    --------
    >>> import numpy as np
    >>> Y, Z = np.array([[0.0, 1.0, 0.0]]), np.zeros((1, 3))
    >>> MULTINOMIAL.loss(Y, Z)  # log 3
    array([1.09861229])
    """

    name: str = "multinomial"

    def n_raw(self, n_classes: int) -> int:
        return n_classes

    def proba(self, Z: FloatArray) -> FloatArray:
        return softmax(Z, axis=1)

    def loss(self, Y: FloatArray, Z: FloatArray) -> FloatArray:
        return logsumexp(Z, axis=1) - array_library(Z).xp.sum(Y * Z, axis=1)

    def loss_gradient(
        self, Y: FloatArray, Z: FloatArray, overwrite_z: bool = False, labels: Any = None
    ) -> tuple[FloatArray, FloatArray]:
        xp = array_library(Z).xp
        # With m = max_k z_k: E = exp(z - m) lies in (0, 1], s = sum_k E_k >= 1, and
        # logsumexp(z) = m + log s, p = E / s. E is then turned into p - y in place.
        rows = None if labels is None or xp is not np else np.arange(len(labels))
        if rows is not None:  # sum_k y_k z_k = z at the row's label
            z_y = Z[rows, labels]
        elif xp is np:  # without an n x K temporary
            z_y = np.einsum("ik,ik->i", Y, Z)
        else:
            z_y = xp.sum(Y * Z, axis=1)
        if overwrite_z and xp is np:  # every step in Z's memory: no n x K temporary at all
            m = np.max(Z, axis=1, keepdims=True)
            with np.errstate(over="ignore"):  # as in max_and_shifted
                E = np.exp(np.subtract(Z, m, out=Z), out=Z)
        else:
            m, shifted = max_and_shifted(xp, Z, axis=1)
            E = xp.exp(shifted)
        s = xp.sum(E, axis=1, keepdims=True)
        losses = xp.log(s[:, 0]) + m[:, 0] - z_y
        E /= s
        if rows is not None:
            E[rows, labels] -= 1  # - y: one entry a row
        else:
            E -= Y
        return losses, E

    def hessian_blocks(self, Z: FloatArray) -> FloatArray:
        xp = array_library(Z).xp
        p = softmax(Z, axis=1)  # (n, K)
        eye = xp.eye(p.shape[1], dtype=p.dtype)
        return p[:, :, None] * (eye - p[:, None, :])  # diag(p) - p p^T, (n, K, K)

    def hessian_operator(self, Y: FloatArray, Z: FloatArray) -> tuple[FloatArray, HessianProduct]:
        p = softmax(Z, axis=1)

        def hessp(V: FloatArray) -> FloatArray:
            # (diag(p) - p p^T) v = p * v - p (p . v), per row; (n, K)
            return p * (V - array_library(V).xp.sum(p * V, axis=1, keepdims=True))

        return p - Y, hessp


BINARY = BinaryLogLoss()
MULTINOMIAL = MultinomialLogLoss()


def loss_for(n_classes: int) -> LogLoss:
    """The loss of ``n_classes`` classes: binary for two, multinomial for more.

    The package's one place for that rule: ``loss_for(K).n_raw(K)`` is the number of raw
    predictions per sample (rows of coefficients), 1 for two classes, else ``K``.

    Examples
    --------
    >>> loss_for(2).name, loss_for(2).n_raw(2), loss_for(3).n_raw(3)
    ('binary', 1, 3)
    """
    return BINARY if n_classes == 2 else MULTINOMIAL
