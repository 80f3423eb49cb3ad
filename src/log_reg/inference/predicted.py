"""Predicted probabilities with confidence intervals: the delta method on the log-odds.

Notation of ``log_reg.inference.summary``: classes ``k = 0 .. K-1``, class 0 the reference,
``theta`` (J, p) the contrasts of the other ``J = K - 1`` classes against it and ``V`` the
covariance of ``theta.ravel()``; ``D_i = [1, x_i]`` (p,) a row of the design. Stack a zero
row for the reference on top of ``theta`` to get ``Theta`` (K, p); then

    z_ik = D_i Theta_k,    P_ik = exp(z_ik) / sum_m exp(z_im)                (scores, softmax)

**Two classes.** The log-odds ``eta_i = z_i1 = D_i theta`` are linear in ``theta``, so the
delta method is exact on that scale:

    se(eta_i)^2 = D_i V D_i^T
    [lo, hi]    = expit(eta_i -+ z_{1 - a/2} se(eta_i))          (endpoint transformation)
    se(P_i1)    = P_i1 (1 - P_i1) se(eta_i)                       (d expit / d eta = P (1 - P))

The interval is built where the normal approximation is good (the log-odds are unbounded)
and carried through the increasing sigmoid, so it stays inside (0, 1) and leans away from
0 and 1, unlike ``P -+ z se(P)``. It is statsmodels' ``get_prediction(exog).summary_frame()``
(``mean``, ``mean_se``, ``mean_ci_lower``, ``mean_ci_upper``).

**More classes.** The same for each class ``k`` against all the others together, on its
log-odds (statsmodels' ``MNLogit`` has no ``get_prediction``):

    eta_ik = log(P_ik / (1 - P_ik)) = z_ik - log sum_{m != k} exp(z_im)

Its gradient in block ``j = 1 .. J`` of ``theta``: from ``d log P_ik / d theta_j =
(delta_kj - P_ij) D_i`` and ``d log(1 - P_ik) / d theta_j = -P_ik (delta_kj - P_ij) D_i /
(1 - P_ik)``,

    d eta_ik / d theta_j = (delta_kj - P_ij) D_i / (1 - P_ik) = (delta_kj - Q_ij^(k)) D_i

with ``Q^(k)`` the softmax of the scores without class ``k`` (``Q_ij^(k) = P_ij / (1 - P_ik)``
for ``j != k``, ``Q_ik^(k) = 0``), computed as such so that ``P_ik`` near 1 loses nothing.
With ``g_ik`` those ``J`` blocks side by side (J p,), ``se(eta_ik)^2 = g_ik V g_ik^T`` and the
interval and ``se(P_ik)`` follow as above. Two classes give back the binary formulas
(``k = 1``: ``Q^(1)`` lives on class 0 alone, so ``g_i1 = D_i``). Each interval holds for its
class alone: the ``K`` intervals of a row are not simultaneous.

The helpers here (``Theta``, the design, the covariance from the training data) are shared
with ``log_reg.inference.margins``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_number, check_X
from log_reg.core.numerics import expit, logsumexp, softmax
from log_reg.inference.covariance import _check_model, _contrasts, _covariance, _fit, _host
from log_reg.inference.distributions import norm_ppf
from log_reg.inference.summary import training_data

__all__ = ["PredictedProbabilities", "predict_interval"]


@dataclass(frozen=True, eq=False)
class PredictedProbabilities:
    """Predicted probabilities, their standard errors and confidence intervals.

    Arrays have shape ``(n_samples,)`` for two classes (the probability of ``classes[0]``,
    which is the model's ``classes_[1]``, as ``predict_proba(X)[:, 1]``) and
    ``(n_samples, n_classes)`` for more (columns in ``classes`` order). ``log_odds`` and
    ``log_odds_std_err`` are ``eta = log(P / (1 - P))`` and its standard error, on which
    the interval ``[ci_low, ci_high] = expit(eta -+ z_{(1 + level)/2} se(eta))`` is built;
    ``std_err`` is the delta-method ``P (1 - P) se(eta)``.
    """

    probability: FloatArray
    std_err: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    log_odds: FloatArray
    log_odds_std_err: FloatArray
    classes: tuple[Any, ...]
    level: float
    cov_type: str

    def to_frame(self) -> Any:
        """One row per sample (and class, for more than two) as a pandas DataFrame."""
        import pandas as pd

        columns = ["probability", "std_err", "ci_low", "ci_high", "log_odds", "log_odds_std_err"]
        data = {c: np.asarray(getattr(self, c)).ravel() for c in columns}
        n = len(self.probability)
        if self.probability.ndim == 1:
            return pd.DataFrame(data, index=pd.RangeIndex(n, name="row"))
        index = pd.MultiIndex.from_product([range(n), self.classes], names=["row", "class"])
        return pd.DataFrame(data, index=index)


def _theta(model: Any) -> FloatArray:
    """``Theta`` (K, p): a zero row for the reference ``classes_[0]``, then ``theta``."""
    theta = _contrasts(model, 0)  # (J, p)
    return np.vstack([np.zeros((1, theta.shape[1])), theta])


def _rows(model: Any, X: ArrayLike) -> FloatArray:
    """``X`` dense on the host in float64, with the model's number of features."""
    A = _host(check_X(X)).astype(np.float64)  # (n, d)
    if A.shape[1] != model.n_features_in_:
        raise ValueError(f"X has {A.shape[1]} features; the model has {model.n_features_in_}.")
    return A


def _design(A: FloatArray, fit_intercept: bool) -> FloatArray:
    """``D = [1, A]`` (n, 1+d) with an intercept, else ``A``."""
    return np.hstack([np.ones((len(A), 1)), A]) if fit_intercept else A


def _coef_covariance(
    model: Any, training: tuple[Any, ...] | None, cov_type: str, groups: ArrayLike | None
) -> FloatArray:
    """``V``, the covariance of ``theta.ravel()`` (reference ``classes_[0]``), from the data
    the model was fit on: ``training`` = ``(X, y)`` or ``(X, y, sample_weight)``, else the
    arrays an unpenalized fit remembers."""
    if training is None:
        if getattr(model, "_training_data", None) is None:
            raise ValueError(
                "Standard errors need the data the model was fit on: pass "
                "training=(X, y) or (X, y, sample_weight). This model does not hold it "
                "(it was penalized, loaded from a file or unpickled)."
            )
        data = training_data(model, None, None, None)
    elif isinstance(training, tuple) and len(training) in (2, 3):
        data = training_data(model, training[0], training[1], (*training, None)[2])
    else:
        raise ValueError(
            "training must be a tuple (X, y) or (X, y, sample_weight); "
            f"got {type(training).__name__}."
        )
    return _covariance(_fit(model, *data), cov_type, groups)


def predict_interval(
    model: Any,
    X: ArrayLike,
    *,
    level: float = 0.95,
    cov_type: str = "nonrobust",
    groups: ArrayLike | None = None,
    training: tuple[Any, ...] | None = None,
) -> PredictedProbabilities:
    """Predicted probabilities with delta-method confidence intervals (module docstring).

    Parameters
    ----------
    model : LogisticRegression
        Fitted with ``C=np.inf`` (binary or multinomial); a penalized fit raises
        ``ValueError``, as does ``multi_class="ovr"``.
    X : array-like of shape (n_samples, n_features)
        The rows to predict.
    level : float in (0, 1), default 0.95
        Confidence level of the intervals.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}
        The covariance of the coefficients, as in ``summary`` (``groups`` for "cluster").
    groups : array-like of shape (n_training_samples,), for ``cov_type="cluster"``
    training : tuple (X, y) or (X, y, sample_weight), optional
        The data the model was fit on; by default the arrays an unpenalized fit remembers.

    Returns
    -------
    PredictedProbabilities
        Shapes (n_samples,) for two classes (the probability of ``classes_[1]``), else
        (n_samples, n_classes).

    Examples
    --------
    >>> from log_reg import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> model = LogisticRegression(C=np.inf, tol=1e-10).fit(X, [0, 0, 1, 0, 1, 1])
    >>> p = predict_interval(model, [[0.0], [2.5], [5.0]])
    >>> np.round(p.probability, 4), np.round(p.std_err, 4)
    (array([0.0459, 0.5   , 0.9541]), array([0.1114, 0.2824, 0.1114]))
    >>> np.round(p.ci_low, 4), np.round(p.ci_high, 4)  # asymmetric, inside (0, 1)
    (array([0.0003, 0.0985, 0.1241]), array([0.8759, 0.9015, 0.9997]))
    """
    level = check_number(level, "level", low=0, low_inclusive=False, high=1)
    _check_model(model)
    if level == 1:
        raise ValueError("level must be a number < 1; got 1.")
    V = _coef_covariance(model, training, cov_type, groups)  # (J p, J p)
    D = _design(_rows(model, X), bool(model.fit_intercept))  # (n, p)
    Z = D @ _theta(model).T  # (n, K) scores, the reference's 0
    n, K = Z.shape
    eta, se = np.empty((n, K)), np.empty((n, K))
    for k in range(K):
        others = np.where(np.arange(K) == k, -np.inf, Z)  # class k left out
        eta[:, k] = Z[:, k] - logsumexp(others, axis=1)  # log(P_k / (1 - P_k))
        G = np.eye(K)[k, 1:] - softmax(others, axis=1)[:, 1:]  # (n, J): delta_kj - Q_j^(k)
        g = (G[:, :, None] * D[:, None, :]).reshape(n, -1)  # (n, J p): g_ik
        se[:, k] = np.sqrt(np.sum((g @ V) * g, axis=1))  # sqrt(g_ik V g_ik^T)
    crit = -float(norm_ppf((1 - level) / 2))  # z_{(1 + level)/2}
    P = expit(eta)
    keep = slice(1, 2) if K == 2 else slice(None)  # two classes: classes_[1] alone
    shape = (n,) if K == 2 else (n, K)
    classes = _host(model.classes_).tolist()
    return PredictedProbabilities(
        probability=P[:, keep].reshape(shape),
        std_err=(P * (1 - P) * se)[:, keep].reshape(shape),
        ci_low=expit(eta - crit * se)[:, keep].reshape(shape),
        ci_high=expit(eta + crit * se)[:, keep].reshape(shape),
        log_odds=eta[:, keep].reshape(shape),
        log_odds_std_err=se[:, keep].reshape(shape),
        classes=tuple(classes[keep]),
        level=level,
        cov_type=cov_type,
    )
