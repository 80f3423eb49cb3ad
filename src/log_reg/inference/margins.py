"""Marginal effects: how the predicted probabilities move with each feature, with standard
errors by the delta method.

Notation of ``log_reg.inference.predicted``: ``Theta`` (K, p) the scores' coefficients
(row 0, the reference class, is zero; rows ``j = 1 .. J`` are ``theta``, ``J = K - 1``),
``D_i = [1, x_i]``, ``P_ik`` the softmax of ``z_ik = D_i Theta_k``, ``V`` the covariance of
``theta.ravel()``. ``E`` (d, p) picks the slopes out of a row of ``Theta`` (``a_k = E
Theta_k``, the identity when there is no intercept), and ``delta`` is Kronecker's.

**Slopes.** With ``eps_ik = a_k - sum_m P_im a_m`` (d,), the derivative of ``log P_ik`` in
``x_i`` (softmax; two classes: ``eps_i1 = (1 - P_i1) w``):

    dydx:  dP_ik / dx_il = P_ik eps_ikl        eydx:  d log P_ik / dx_il = eps_ikl
    dyex:  x_il P_ik eps_ikl                   eyex:  x_il eps_ikl

("ex" multiplies by ``x_il``: the change per relative change ``dx / x``). Each is computed
row by row and then averaged with weights ``omega_i`` (``at="overall"``: the average
marginal effect), or computed at one row (``at="mean"``, or values given). Writing every
method as ``f_ikl = u_il h_ik eps_ikl`` (``u = x`` or 1, ``h = P`` or 1), the Jacobian of the
average in ``theta_j`` (``j = 1 .. J``, entry ``c`` of the block) follows from

    d P_ik / d theta_jc     = P_ik (delta_kj - P_ij) D_ic
    d eps_ikl / d theta_jc  = (delta_kj - P_ij) E_lc - P_ij eps_ijl D_ic

(the second: ``a_k`` moves by ``delta_kj E``, and ``sum_m P_m a_m`` by ``P_j E + sum_m
a_m P_m (delta_mj - P_j) D = P_j E + P_j eps_j D``), so

    d f_kl / d theta_jc = sum_i omega_i u_il h_ik [ (delta_kj - P_ij) E_lc - P_ij eps_ijl D_ic
                                                    + (dy only) eps_ikl (delta_kj - P_ij) D_ic ]

(the last term is the product rule's ``eps_ikl dP_ik / P_ik``).

**Discrete changes** (``dummy=True`` for 0/1 features, ``count=True`` for counts): the
change of ``F_ik = P_ik`` (``dydx``) or ``log P_ik`` (``eydx``) when feature ``l`` goes from
``lo`` to ``hi`` in every row, times ``s``: 0 to 1 with ``s = 1``, or ``x_il - 1`` to
``x_il + 1`` with ``s = 1/2`` (statsmodels' centred unit change):

    effect_kl = s sum_i omega_i (F_ik(hi) - F_ik(lo)),
    d F_ik / d theta_jc = h_ik (delta_kj - P_ij) D_ic      (at the changed row)

**Delta method.** With ``G`` the Jacobian (K d, J p), ``cov(effect) = G V G^T``; standard
errors, z, two-sided p-values and ``effect -+ z_{1 - alpha/2} se`` intervals follow. Two
classes report class ``classes_[1]`` only (class 0's effects are the negatives). The
effects depend on the fitted probabilities, not on the parameterization, so they are the
same for any reference class. This is statsmodels' ``get_margeff`` (Logit and MNLogit:
``at="overall" | "mean"``, ``atexog``, ``dummy``, ``count``), which differentiates the same
averages numerically (complex step).

Penalized fits get the point estimates; their standard errors are NaN, as the covariance
of a penalized estimate is not ``V``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_choice, check_number
from log_reg.core.errors import NotFittedError, compat_class
from log_reg.core.numerics import logsumexp, softmax
from log_reg.inference.covariance import _host, _is_unpenalized
from log_reg.inference.distributions import norm_ppf, norm_sf
from log_reg.inference.predicted import _coef_covariance, _design, _rows, _theta
from log_reg.inference.summary import table_frame

__all__ = ["MarginalEffects", "marginal_effects"]

METHODS = {"dydx": "dy/dx", "eyex": "d(lny)/d(lnx)", "dyex": "dy/d(lnx)", "eydx": "d(lny)/dx"}


@dataclass(frozen=True, eq=False)
class MarginalEffects:
    """Marginal effects with delta-method standard errors, z-tests and intervals.

    Arrays have shape ``(n_features,)`` for two classes (effects on the probability of
    ``classes[0]``, the model's ``classes_[1]``) and ``(n_classes, n_features)`` for more
    (one row per class in ``classes``). ``cov`` is the covariance of ``effect.ravel()``;
    ``cov``, ``std_err``, ``z``, ``p_value`` and the interval are NaN for penalized fits
    and ``cov_type`` is then ``None``. ``at`` is "overall" (the average over ``n_rows``
    rows) or "mean" (at the row ``point``: the mean, with any values given); ``discrete``
    names the features whose effect is a discrete change (``dummy`` or ``count``).
    """

    effect: FloatArray
    std_err: FloatArray
    z: FloatArray
    p_value: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    cov: FloatArray
    names: tuple[str, ...]
    classes: tuple[Any, ...]
    method: str
    at: str
    point: FloatArray | None
    n_rows: int
    discrete: tuple[str, ...]
    cov_type: str | None
    alpha: float

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame, one row per feature (and class, for more)."""
        columns = ["effect", "std_err", "z", "p_value", "ci_low", "ci_high"]
        return table_frame(self, columns, "feature")

    def __str__(self) -> str:
        return _format(self)


def _format(m: MarginalEffects) -> str:
    """An aligned table in the spirit of statsmodels' ``get_margeff().summary()``."""
    w = max(12, 2 + max(len(n) for n in m.names))  # the name column
    width = w + 66
    if m.point is None:
        at = f"overall (average over {m.n_rows} rows)"
    else:
        at = "mean: " + ", ".join(f"{n}={v:.4g}" for n, v in zip(m.names, m.point, strict=True))
    lines = ["Marginal effects".center(width).rstrip(), "=" * width]
    lines.append(f"{'Method:':<18}{METHODS[m.method]}")
    lines.append(f"{'At:':<18}{at if len(at) <= width - 18 else at[: width - 21] + '...'}")
    none = "none (no standard errors: a penalized fit, or cov_type=None)"
    lines.append(f"{'Covariance type:':<18}{m.cov_type or none}")
    if m.discrete:
        lines.append(f"{'Discrete change:':<18}{', '.join(m.discrete)}")
    lo, hi = f"[{m.alpha / 2:g}", f"{1 - m.alpha / 2:g}]"
    header = (METHODS[m.method], "std err", "z", "P>|z|", lo, hi)
    lines += ["=" * width, f"{'':<{w}}" + "".join(f"{h:>11}" for h in header)]
    rows = np.stack([m.effect, m.std_err, m.z, m.p_value, m.ci_low, m.ci_high], -1)
    blocks = rows[None] if m.effect.ndim == 1 else rows  # (K, d, 6)
    for k, block in enumerate(blocks):
        lines.append(("" if m.effect.ndim == 1 else f"-- class {m.classes[k]} ").ljust(width, "-"))
        for name, (b, se, z, pv, a, c) in zip(m.names, block, strict=True):
            lines.append(f"{name:<{w}}{b:11.4f}{se:11.4f}{z:11.3f}{pv:11.3f}{a:11.4f}{c:11.4f}")
    lines.append("=" * width)
    return "\n".join(lines)


def _slopes(
    Theta: FloatArray, A: FloatArray, omega: FloatArray, method: str, fit_intercept: bool
) -> tuple[FloatArray, FloatArray]:
    """The weighted mean of the per-row effects ``(K, d)`` and its Jacobian ``(K, d, J, p)``."""
    K, p = Theta.shape
    D = _design(A, fit_intercept)  # (n, p)
    E = np.eye(p)[1:] if fit_intercept else np.eye(p)  # (d, p): a_k = E Theta_k
    P = softmax(D @ Theta.T, axis=1)  # (n, K)
    a = Theta @ E.T  # (K, d); a_0 = 0
    eps = a[None] - (P @ a)[:, None, :]  # (n, K, d): d log P_ik / dx_i
    h = P if method.startswith("dy") else np.ones_like(P)  # (n, K)
    u = A if method.endswith("ex") else np.ones_like(A)  # (n, d)
    wt = omega[:, None, None] * h[:, :, None] * u[:, None, :]  # (n, K, d): omega_i u_il h_ik
    effect = np.einsum("ikl,ikl->kl", wt, eps)
    delta = np.eye(K)[None, :, 1:] - P[:, None, 1:]  # (n, K, J): delta_kj - P_ij
    # the term in E: sum_i wt_ikl (delta_kj - P_ij), times E_lc
    jac = np.einsum("ikl,ikj->klj", wt, delta)[..., None] * E[None, :, None, :]  # (K, d, J, p)
    # the terms in D, one class at a time so that each is one matrix product over the rows
    Pe = (P[:, 1:, None] * eps[:, 1:]).transpose(0, 2, 1)  # (n, d, J): P_ij eps_ijl
    for k in range(K):
        bracket = -Pe
        if method.startswith("dy"):  # the product rule on P_ik eps_ikl: eps_ikl dP_ik
            bracket = bracket + eps[:, k, :, None] * delta[:, k, None, :]
        jac[k] += np.tensordot(wt[:, k, :, None] * bracket, D, axes=(0, 0))  # (d, J, p)
    return effect, jac


def _change(
    Theta: FloatArray,
    A: FloatArray,
    omega: FloatArray,
    log: bool,
    fit_intercept: bool,
    col: int,
    values: tuple[Any, Any],
    scale: float,
) -> tuple[FloatArray, FloatArray]:
    """``s sum_i omega_i (F_ik(hi) - F_ik(lo))`` ``(K,)`` and its Jacobian ``(K, J, p)``, for
    feature ``col`` set to ``values = (lo, hi)``."""
    K = Theta.shape[0]
    effect, jac = np.zeros(K), np.zeros((K, K - 1, Theta.shape[1]))
    for value, sign in zip(values, (-scale, scale), strict=True):
        B = A.copy()
        B[:, col] = value
        D = _design(B, fit_intercept)  # (n, p)
        Z = D @ Theta.T  # (n, K)
        log_P = Z - logsumexp(Z, axis=1)[:, None]
        P = np.exp(log_P)
        h = np.ones_like(P) if log else P  # d F / d theta = h (delta - P) D
        delta = np.eye(K)[None, :, 1:] - P[:, None, 1:]  # (n, K, J)
        effect += sign * (omega @ (log_P if log else P))
        jac += sign * np.einsum("i,ik,ikj,ic->kjc", omega, h, delta, D, optimize=True)
    return effect, jac


def _discrete_columns(A: FloatArray, dummy: bool, count: bool) -> tuple[list[int], list[int]]:
    """statsmodels' rules: 0/1 columns are dummies; non-negative integers (not constant,
    not 0/1) are counts."""
    whole = np.all(A % 1 == 0, axis=0)
    is_dummy = whole & (A.min(axis=0) == 0) & (A.max(axis=0) == 1)
    is_count = whole & (A.min(axis=0) >= 0) & (A.var(axis=0) > 0) & ~is_dummy
    dummies = np.flatnonzero(is_dummy).tolist() if dummy else []
    counts = np.flatnonzero(is_count).tolist() if count else []
    return dummies, counts


def _feature_names(model: Any) -> tuple[str, ...]:
    names = [str(c) for c in getattr(model, "feature_names_in_", [])]
    return tuple(names or [f"x{j}" for j in range(model.n_features_in_)])


def _point(
    A: FloatArray, omega: FloatArray, values: Mapping[Any, float], names: tuple[str, ...]
) -> FloatArray:
    """The weighted mean row ``(1, d)``, with the features named in ``values`` set to them."""
    row = omega @ A  # (d,)
    for key, value in values.items():
        if isinstance(key, str) and key in names:
            j = names.index(key)
        elif isinstance(key, (int, np.integer)) and 0 <= key < len(names):
            j = int(key)
        else:
            raise ValueError(
                f"at: unknown feature {key!r}; use a name from {names!r} or a column index."
            )
        row[j] = check_number(value, f"at[{key!r}]")
    return row[None]


def marginal_effects(
    model: Any,
    X: ArrayLike | None = None,
    *,
    at: str | Mapping[Any, float] = "overall",
    method: str = "dydx",
    dummy: bool = False,
    count: bool = False,
    cov_type: str | None = "nonrobust",
    groups: ArrayLike | None = None,
    alpha: float = 0.05,
    sample_weight: ArrayLike | None = None,
    training: tuple[Any, ...] | None = None,
) -> MarginalEffects:
    """Marginal effects of the features on the predicted probabilities (module docstring).

    Parameters
    ----------
    model : LogisticRegression
        Fitted, binary or multinomial (not ``multi_class="ovr"``). Standard errors need an
        unpenalized fit (``C=np.inf``); a penalized one gets NaN for them.
    X : array-like of shape (n_samples, n_features), optional
        The rows over which the effects are averaged, or whose mean is taken; by default
        the training data (with its sample weights).
    at : "overall", "mean" or dict, default "overall"
        The average of the per-row effects; the effects at the mean row; or at the mean
        row with some features set: ``{name or column index: value}``.
    method : {"dydx", "eyex", "dyex", "eydx"}, default "dydx"
        ``dP/dx``, the elasticity ``d log P / d log x``, or the semi-elasticities
        ``dP / d log x`` and ``d log P / dx``.
    dummy : bool, default False
        Features with only 0 and 1 get the change of ``P`` (or ``log P``) from 0 to 1.
    count : bool, default False
        Non-negative integer features get the change from ``x - 1`` to ``x + 1``, halved.
        With ``dummy`` or ``count``, ``method`` must be "dydx" or "eydx".
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"} or None
        The covariance of the coefficients, as in ``summary``; ``None`` for no standard
        errors (no training data needed).
    groups : array-like of shape (n_training_samples,), for ``cov_type="cluster"``
    alpha : float, default 0.05
        Intervals at level ``1 - alpha``.
    sample_weight : array-like of shape (n_samples,), optional
        Frequency weights of the rows of ``X`` in the average and the mean.
    training : tuple (X, y) or (X, y, sample_weight), optional
        The data the model was fit on, for the covariance; by default the arrays an
        unpenalized fit remembers.

    Returns
    -------
    MarginalEffects

    Examples
    --------
    >>> from log_reg import LogisticRegression
    >>> X = np.array([[0.0, 1], [1, 0], [2, 1], [3, 1], [4, 0], [5, 1], [6, 0], [7, 1]])
    >>> y = np.array([0, 0, 1, 0, 1, 1, 0, 1])
    >>> model = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    >>> print(marginal_effects(model, dummy=True))  # x1 is 0/1: the change from 0 to 1
                                   Marginal effects
    ==============================================================================
    Method:           dy/dx
    At:               overall (average over 8 rows)
    Covariance type:  nonrobust
    Discrete change:  x1
    ==============================================================================
                      dy/dx    std err          z      P>|z|     [0.025     0.975]
    ------------------------------------------------------------------------------
    x0               0.0940     0.0494      1.904      0.057    -0.0028     0.1907
    x1               0.2919     0.2988      0.977      0.329    -0.2937     0.8775
    ==============================================================================
    >>> m = marginal_effects(model, at="mean")  # at the mean row, x1 as continuous
    >>> m.point, np.round(m.effect, 4)
    (array([3.5  , 0.625]), array([0.1295, 0.3982]))
    """
    alpha = check_number(alpha, "alpha", low=0, low_inclusive=False, high=1)
    method = check_choice(method, "method", tuple(METHODS))
    if not hasattr(model, "coef_"):
        raise compat_class(NotFittedError)(
            f"This {type(model).__name__} instance is not fitted yet. Call 'fit' first."
        )
    if len(model.classes_) > 2 and model.multi_class == "ovr":
        raise ValueError(
            "Marginal effects need one softmax model: use multi_class='multinomial' (got "
            "'ovr', whose normalized one-vs-rest probabilities are not covered)."
        )
    if not isinstance(at, Mapping):
        at = check_choice(at, "at", ("overall", "mean"))
    if (dummy or count) and method.endswith("ex"):
        raise ValueError(
            f"method={method!r} divides by x, which has no meaning for a discrete change: "
            "use 'dydx' or 'eydx' with dummy=True or count=True."
        )
    if X is None:
        remembered = getattr(model, "_training_data", None)
        if remembered is None:
            raise ValueError("Pass X: this model does not hold its training data.")
        X, _, sample_weight = remembered
    A = _rows(model, X)  # (n, d)
    s = np.ones(len(A)) if sample_weight is None else _host(sample_weight).astype(np.float64)
    if s.shape != (len(A),) or np.any(s < 0) or s.sum() <= 0:
        raise ValueError(f"sample_weight must be {len(A)} non-negative weights, not all zero.")
    omega = s / s.sum()  # (n,)
    names = _feature_names(model)
    dummies, counts = _discrete_columns(A, dummy, count)
    n_rows = len(A)
    if at != "overall":
        values = at if isinstance(at, Mapping) else {}
        A, omega = _point(A, omega, values, names), np.ones(1)
    Theta, fit_intercept = _theta(model), bool(model.fit_intercept)
    effect, jac = _slopes(Theta, A, omega, method, fit_intercept)
    log = method == "eydx"
    for col in counts:
        steps = (A[:, col] - 1, A[:, col] + 1)
        effect[:, col], jac[:, col] = _change(Theta, A, omega, log, fit_intercept, col, steps, 0.5)
    for col in dummies:
        effect[:, col], jac[:, col] = _change(Theta, A, omega, log, fit_intercept, col, (0, 1), 1)
    K, d = effect.shape
    keep = slice(1, 2) if K == 2 else slice(None)  # two classes: classes_[1] alone
    effect, G = effect[keep], jac[keep].reshape(-1, jac[0, 0].size)  # G: (K d, J p)
    if cov_type is not None and _is_unpenalized(model):
        cov = G @ _coef_covariance(model, training, cov_type, groups) @ G.T
    else:
        cov, cov_type = np.full((len(G), len(G)), np.nan), None
    se = np.sqrt(np.diag(cov)).reshape(effect.shape)
    crit = -float(norm_ppf(alpha / 2))  # z_{1 - alpha/2}
    shape = (d,) if K == 2 else (K, d)
    z = effect / se
    return MarginalEffects(
        effect=effect.reshape(shape),
        std_err=se.reshape(shape),
        z=z.reshape(shape),
        p_value=(2 * norm_sf(np.abs(z))).reshape(shape),
        ci_low=(effect - crit * se).reshape(shape),
        ci_high=(effect + crit * se).reshape(shape),
        cov=cov,
        names=names,
        classes=tuple(_host(model.classes_).tolist()[keep]),
        method=method,
        at="overall" if at == "overall" else "mean",
        point=None if at == "overall" else A[0],
        n_rows=n_rows,
        discrete=tuple(names[col] for col in sorted(dummies + counts)),
        cov_type=cov_type,
        alpha=alpha,
    )
