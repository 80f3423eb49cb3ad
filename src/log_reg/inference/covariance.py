"""The fitted model in the reference parameterization, its information and covariances.

The formulas are in ``log_reg.inference.summary``'s docstring; this module computes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.core.arrays import FloatArray, IntArray, to_host
from log_reg.core.checks import check_choice, check_X, encode_labels, fit_weights
from log_reg.core.errors import NotFittedError, compat_class
from log_reg.core.numerics import logsumexp, softmax

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")


@dataclass(frozen=True, eq=False)
class _Fit:
    """The fitted model on its training data, in the reference parameterization (see above)."""

    X: FloatArray  # (n, d) the features, dense, on the host
    D: FloatArray  # (n, p) design, intercept column first
    Y: FloatArray  # (n, J) indicators of the non-reference classes
    P: FloatArray  # (n, J) their fitted probabilities
    s: FloatArray  # (n,) frequency weights
    y: IntArray  # (n,) encoded labels
    theta: FloatArray  # (J, p)
    log_likelihood: float
    coef: FloatArray  # the model's coef_ (n_raw, d) and intercept_ (n_raw,), on the host
    intercept: FloatArray
    classes: NDArray[Any]


def _check_model(model: Any) -> None:
    if not hasattr(model, "coef_"):
        raise compat_class(NotFittedError)(
            f"This {type(model).__name__} instance is not fitted yet. Call 'fit' first."
        )
    if not _is_unpenalized(model):
        raise ValueError(
            f"Inference needs an unpenalized fit: use C=np.inf (got C={model.C!r}). The "
            "penalty shrinks the estimate, so the usual standard errors, p-values and "
            "intervals would not be valid."
        )
    if len(model.classes_) > 2 and model.multi_class == "ovr":
        raise ValueError(
            "Inference needs one likelihood: use multi_class='multinomial' (got 'ovr', "
            "which fits one binary model per class)."
        )


def _is_unpenalized(model: Any) -> bool:
    """``C=np.inf``, or scikit-learn's old ``penalty=None`` / ``"none"``."""
    penalty = getattr(model, "penalty", "deprecated")  # scikit-learn's old spelling
    return bool(penalty is None or penalty == "none" or np.isinf(model.C))


def _contrasts(model: Any, r: int = 0) -> FloatArray:
    """``theta`` (J, p): each class's raw score ``[b_k, W_k]`` minus the reference ``r``'s.

    Two classes: class 0 scores 0 and class 1 ``[intercept_, coef_]``. The intercept
    column is there only when fitted.
    """
    W, b = _host(model.coef_).astype(np.float64), _host(model.intercept_).astype(np.float64)
    B = np.hstack([b[:, None], W])  # (n_raw, 1+d)
    if len(B) == 1:
        B = np.vstack([np.zeros_like(B), B])  # (K, 1+d)
    theta = np.delete(B, r, axis=0) - B[r]  # (J, 1+d): contrasts against the reference
    return theta if model.fit_intercept else theta[:, 1:]


def _host(a: Any) -> NDArray[Any]:
    """A dense NumPy array on the host: sparse matrices and other libraries' arrays too."""
    return np.asarray(a.toarray() if hasattr(a, "toarray") else to_host(a))


def _encode(y: ArrayLike, classes: NDArray[Any], n: int) -> IntArray:
    labels = np.asarray(y).ravel()
    if len(labels) != n:
        raise ValueError(f"y must have one label per row of X ({n}); got {len(labels)}.")
    return encode_labels(labels, classes, known_as="classes of the model")


def _fit(
    model: Any,
    X: ArrayLike,
    y: ArrayLike,
    sample_weight: ArrayLike | None,
    reference_class: Any = None,
) -> _Fit:
    """Check the model, encode the data and evaluate the fit in the reference parameterization."""
    _check_model(model)
    A = _host(check_X(X)).astype(np.float64)
    if A.shape[1] != model.n_features_in_:
        raise ValueError(f"X has {A.shape[1]} features; the model has {model.n_features_in_}.")
    classes = _host(model.classes_)
    y_enc = _encode(_host(y), classes, len(A))
    s = fit_weights(
        None if sample_weight is None else _host(sample_weight), model.class_weight, classes, y_enc
    )
    r = 0 if reference_class is None else int(_encode([reference_class], classes, 1)[0])
    W, b = _host(model.coef_).astype(np.float64), _host(model.intercept_).astype(np.float64)
    others = [k for k in range(len(classes)) if k != r]
    theta = _contrasts(model, r)  # (J, p)
    D = np.hstack([np.ones((len(A), 1)), A]) if model.fit_intercept else A  # (n, p)
    Z = np.insert(D @ theta.T, r, 0.0, axis=1)  # (n, K) log-odds against r
    log_p = Z[np.arange(len(A)), y_enc] - logsumexp(Z, axis=1)  # log P(y_i | x_i)
    Y = (y_enc[:, None] == np.array(others)).astype(np.float64)
    P = softmax(Z, axis=1)[:, others]
    return _Fit(A, D, Y, P, s, y_enc, theta, float(s @ log_p), W, b, classes)


def _information(f: _Fit) -> FloatArray:
    """``I = sum_i s_i (diag(P_i) - P_i P_i^T) (x) D_i^T D_i``, shape (J p, J p)."""
    J, p = f.theta.shape
    info = np.empty((J, p, J, p))
    for j in range(J):
        for m in range(j, J):
            c = f.s * f.P[:, j] * ((j == m) - f.P[:, m])  # (n,)
            info[j, :, m, :] = f.D.T @ (c[:, None] * f.D)
            info[m, :, j, :] = info[j, :, m, :].T
    return info.reshape(J * p, J * p)


def _inverse(info: FloatArray) -> FloatArray:
    eig = np.linalg.eigvalsh(info)
    if eig[0] <= eig[-1] * len(info) * np.finfo(np.float64).eps:
        raise ValueError(
            "The information matrix is singular: some features are constant or collinear "
            f"(smallest/largest eigenvalue {eig[0]:.3g}/{eig[-1]:.3g}). Drop them and refit."
        )
    inv = np.linalg.inv(info)
    return (inv + inv.T) / 2


def _covariance(f: _Fit, cov_type: str, groups: ArrayLike | None) -> FloatArray:
    """``V``: the inverse information, or a sandwich around it (module docstring)."""
    cov_type = check_choice(cov_type, "cov_type", COV_TYPES)
    bread = _inverse(_information(f))
    if cov_type == "nonrobust":
        return bread
    J, p = f.theta.shape
    n, k = float(f.s.sum()), J * p
    U = ((f.Y - f.P)[:, :, None] * f.D[:, None, :]).reshape(len(f.D), k)  # scores, (n, J p)
    c = f.s
    if cov_type == "cluster":
        if groups is None:
            raise ValueError("cov_type='cluster' needs groups: one cluster label per row.")
        labels = np.asarray(groups).ravel()
        if len(labels) != len(f.D):
            raise ValueError(f"groups must have one label per row of X ({len(f.D)}).")
        _, codes = np.unique(labels[f.s > 0], return_inverse=True)
        G = int(codes.max()) + 1
        if G < 2:
            raise ValueError("cov_type='cluster' needs at least two clusters; got one.")
        u = np.zeros((G, k))
        np.add.at(u, codes.ravel(), (f.s[:, None] * U)[f.s > 0])  # u_g = sum_{i in g} s_i U_i
        meat = G / (G - 1) * (n - 1) / (n - k) * (u.T @ u)
        return bread @ meat @ bread
    if cov_type in ("HC2", "HC3"):
        if J > 1:
            raise ValueError(f"cov_type={cov_type!r} needs a scalar leverage: binary fits only.")
        h = f.P[:, 0] * (1 - f.P[:, 0]) * np.einsum("ij,jk,ik->i", f.D, bread, f.D)  # h_ii
        if np.any(h[f.s > 0] >= 1):
            raise ValueError(f"cov_type={cov_type!r}: some leverage h_ii >= 1 (weights < 1?).")
        c = f.s / (1 - h) ** (1 if cov_type == "HC2" else 2)
    meat = U.T @ (c[:, None] * U)
    factor = n / (n - k) if cov_type == "HC1" else 1.0
    return factor * (bread @ meat @ bread)
