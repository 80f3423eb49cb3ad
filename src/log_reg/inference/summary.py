"""Inference for unpenalized fits: standard errors, z-tests, intervals, Wald and LR tests.

Pure functions of a fitted ``LogisticRegression`` and its training data, in statsmodels'
split: the model gives the log-likelihood, its score and its information at the estimate;
one covariance matrix ``V`` then gives everything else.

Parameters reported. Class ``k``'s log-odds against a *reference class* ``r`` (the first
class by default): ``theta_k = [b_k - b_r, W_k - W_r]``, intercept first, then the features
in column order. Two classes give one row (scikit-learn's ``coef_`` itself with reference
``classes_[0]``), more give one row per non-reference class, as statsmodels' ``MNLogit``.
Our multinomial fit is the symmetric softmax, whose ``K`` rows are identified only up to a
common shift (its information is singular); the contrasts are identified, and since
``(theta_k)`` is a one-to-one reparameterization of the same likelihood, its information is
computed *directly* in these coordinates, exactly, with no pseudo-inverse. Flat vectors
(``cov``, Wald tests) run equation by equation: ``theta.ravel()``.

With ``D = [1, X]`` (n, p), fitted probabilities ``P`` (n, J) of the ``J`` non-reference
classes, indicators ``Y`` (n, J) and frequency weights ``s``:

    score_i  = (Y_i - P_i) (x) D_i                                   (J p,)
    I        = sum_i s_i (diag(P_i) - P_i P_i^T) (x) D_i^T D_i      (J p, J p)
    nonrobust: V = I^-1;   sandwich: V = I^-1 M I^-1,   M = sum_i s_i c_i score_i score_i^T

with ``c_i = 1`` (HC0), ``n / (n - k)`` (HC1), ``1 / (1 - h_ii)`` (HC2), ``1 / (1 - h_ii)^2``
(HC3), ``h_ii = P_i (1 - P_i) D_i I^-1 D_i^T`` the GLM leverage, and for clusters
``M = G/(G-1) (n-1)/(n-k) sum_g u_g u_g^T``, ``u_g = sum_{i in g} s_i score_i``.
Here ``n = sum_i s_i`` and ``k = J p``.

Sample weights are **frequency weights**: a weight of 2 is the row twice (class weights
multiply them, as in the fit). Penalized fits (finite ``C``) are refused: the penalty biases
the estimate and these formulas ignore it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_number
from log_reg.inference.covariance import (
    _covariance,
    _fit,
)
from log_reg.inference.distributions import chi2_sf, norm_ppf, norm_sf
from log_reg.inference.separation import PerfectSeparationWarning, Separation, check_separation

__all__ = [
    "ChiSquareTest",
    "PerfectSeparationWarning",
    "Summary",
    "likelihood_ratio",
    "likelihood_ratio_test",
    "log_likelihood",
    "summary",
    "training_data",
    "wald_test",
]


@dataclass(frozen=True)
class ChiSquareTest:
    """A test statistic, its chi-square degrees of freedom and the p-value ``P(chi2_df > stat)``."""

    statistic: float
    df: int
    p_value: float

    def __str__(self) -> str:
        return f"chi2({self.df}) = {self.statistic:.4f}, p-value = {self.p_value:.4g}"


@dataclass(frozen=True, eq=False)
class Summary:
    """Estimates, standard errors, z-tests and intervals of an unpenalized fit, and fit statistics.

    Coefficient arrays have shape ``(n_params,)`` for two classes and
    ``(n_classes - 1, n_params)`` for more (one row per class in ``classes``, each against
    ``reference_class``); ``names`` label the columns: "(Intercept)" first when fitted,
    then the features. ``cov`` is the covariance of ``coef.ravel()``. ``p_value`` is
    two-sided; the interval is ``coef -+ z_{1 - alpha/2} std_err``. ``n_obs = sum(weights)``,
    ``df_model = n_params - n_equations`` and ``df_resid = n_obs - n_params`` as statsmodels
    (whether or not there is an intercept); ``null_log_likelihood`` is the intercept-only
    model's, ``pseudo_r2 = 1 - log_likelihood / null_log_likelihood`` (McFadden) and
    ``llr_p_value`` the LR test of all slopes against it.
    """

    coef: FloatArray
    std_err: FloatArray
    z: FloatArray
    p_value: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    cov: FloatArray
    names: tuple[str, ...]
    classes: tuple[Any, ...]
    reference_class: Any
    log_likelihood: float
    null_log_likelihood: float
    pseudo_r2: float
    llr_p_value: float
    aic: float
    bic: float
    n_obs: float
    df_model: int
    df_resid: float
    cov_type: str
    alpha: float
    converged: bool
    separation: Separation | None

    def wald_test(self, R: ArrayLike, q: ArrayLike | None = None) -> ChiSquareTest:
        """Wald test of ``R theta = q``: ``W = (R theta - q)^T (R V R^T)^-1 (R theta - q)``.

        ``R`` is a matrix ``(m, coef.size)`` over ``coef.ravel()`` (or one row), or a list of
        names meaning "these coefficients are all 0" (in every equation for more than two
        classes). ``q`` defaults to zeros. ``W ~ chi2(m)`` under the hypothesis.
        """
        theta = self.coef.ravel()
        Rm = self._restriction(R)
        qv = np.zeros(len(Rm)) if q is None else np.atleast_1d(np.asarray(q, dtype=np.float64))
        if qv.shape != (len(Rm),):
            raise ValueError(f"q must have one value per row of R ({len(Rm)}); got {qv.shape}.")
        r = Rm @ theta - qv  # (m,)
        try:
            W = float(r @ np.linalg.solve(Rm @ self.cov @ Rm.T, r))
        except np.linalg.LinAlgError:
            raise ValueError("R has linearly dependent rows; drop the redundant ones.") from None
        return ChiSquareTest(W, len(Rm), float(chi2_sf(W, len(Rm))))

    def _restriction(self, R: ArrayLike) -> FloatArray:
        P = self.coef.size
        if isinstance(R, (list, tuple)) and R and all(isinstance(r, str) for r in R):
            unknown = [r for r in R if r not in self.names]
            if unknown:
                raise ValueError(f"Unknown coefficient name(s) {unknown!r}; names: {self.names!r}.")
            p, cols = len(self.names), [self.names.index(str(r)) for r in R]
            columns = [j * p + c for j in range(P // p) for c in cols]
            return np.eye(P)[columns]
        Rm = np.atleast_2d(np.asarray(R, dtype=np.float64))
        if Rm.ndim != 2 or Rm.shape[1] != P:
            raise ValueError(f"R must have {P} columns, one per coefficient; got {Rm.shape}.")
        return Rm

    def to_frame(self) -> Any:
        """The coefficient table as a pandas DataFrame (needs pandas)."""
        return table_frame(self, ["coef", "std_err", "z", "p_value", "ci_low", "ci_high"], "term")

    def __str__(self) -> str:
        return _format(self)


def table_frame(result: Any, columns: list[str], index_name: str) -> Any:
    """``result``'s ``columns`` as a pandas DataFrame: one row per name of ``result.names``,
    or per (class, name) when the first column is ``(n_classes, n_names)``."""
    import pandas as pd

    data = {c: np.asarray(getattr(result, c)).ravel() for c in columns}
    if np.ndim(getattr(result, columns[0])) == 1:
        return pd.DataFrame(data, index=pd.Index(result.names, name=index_name))
    names = ["class", index_name]
    index = pd.MultiIndex.from_product([result.classes, result.names], names=names)
    return pd.DataFrame(data, index=index)


def _format(s: Summary) -> str:
    """An aligned table in the spirit of statsmodels' ``summary()``."""
    w = max(12, 2 + max(len(n) for n in s.names))  # the name column
    width = w + 66
    classes = ", ".join(str(c) for c in s.classes)
    pairs = [
        ("Classes:", f"{classes} vs {s.reference_class}", "No. observations:", f"{s.n_obs:g}"),
        ("Covariance type:", s.cov_type, "Df model:", f"{s.df_model}"),
        ("Converged:", str(s.converged), "Df residuals:", f"{s.df_resid:g}"),
        ("Log-likelihood:", f"{s.log_likelihood:.4f}", "Pseudo R-squ.:", f"{s.pseudo_r2:.4f}"),
        ("LL-null:", f"{s.null_log_likelihood:.4f}", "LLR p-value:", f"{s.llr_p_value:.4g}"),
        ("AIC:", f"{s.aic:.4f}", "BIC:", f"{s.bic:.4f}"),
    ]
    half = width // 2
    lines = ["Logistic regression results".center(width), "=" * width]
    lines += [f"{a:<18}{b:>{half - 20}}  {c:<18}{d:>{width - half - 18}}" for a, b, c, d in pairs]
    lo, hi = f"[{s.alpha / 2:g}", f"{1 - s.alpha / 2:g}]"
    lines += [
        "=" * width,
        f"{'':<{w}}" + "".join(f"{h:>11}" for h in ("coef", "std err", "z", "P>|z|", lo, hi)),
    ]
    rows = np.atleast_2d(np.stack([s.coef, s.std_err, s.z, s.p_value, s.ci_low, s.ci_high], -1))
    blocks = rows[None] if s.coef.ndim == 1 else rows  # (J, p, 6)
    for j, block in enumerate(blocks):
        title = "" if s.coef.ndim == 1 else f"-- class {s.classes[j]} vs {s.reference_class} "
        lines.append(title.ljust(width, "-"))
        for name, (b, se, z, pv, a, c) in zip(s.names, block, strict=True):
            lines.append(f"{name:<{w}}{b:11.4f}{se:11.3f}{z:11.3f}{pv:11.3f}{a:11.3f}{c:11.3f}")
    lines.append("=" * width)
    if s.separation is not None:
        features = s.names[1:] if s.names[0] == "(Intercept)" else s.names
        lines.append(s.separation.message(features))
    return "\n".join(lines)


def summary(
    model: Any,
    X: ArrayLike,
    y: ArrayLike,
    sample_weight: ArrayLike | None = None,
    cov_type: str = "nonrobust",
    *,
    groups: ArrayLike | None = None,
    alpha: float = 0.05,
    reference_class: Any = None,
) -> Summary:
    """Standard errors, z-tests, confidence intervals and fit statistics of an unpenalized fit.

    Parameters
    ----------
    model : LogisticRegression
        Fitted with ``C=np.inf`` (and a small ``tol``, e.g. 1e-8, for publication-grade
        digits); a penalized fit raises ``ValueError``, as does ``multi_class="ovr"``.
    X, y : the training data (``y`` as labels from ``model.classes_``).
    sample_weight : array-like of shape (n_samples,), optional
        Frequency weights, as in the fit (class weights are applied on top).
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}
        Inverse information, or a sandwich (module docstring); HC2/HC3 for two classes only.
        statsmodels' Logit returns HC0 for all four HC types; ours follow the textbook
        (MacKinnon & White 1985; R's ``sandwich::vcovHC``), of which HC0 is statsmodels'.
    groups : array-like of shape (n_samples,), for ``cov_type="cluster"``
    alpha : float, default 0.05
        Intervals at level ``1 - alpha``.
    reference_class : label, optional
        The class the others are contrasted with; ``classes_[0]`` by default.

    Returns
    -------
    Summary

    Examples
    --------
    >>> from log_reg import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> y = np.array([0, 0, 1, 0, 1, 1])
    >>> s = summary(LogisticRegression(C=np.inf, tol=1e-10).fit(X, y), X, y)
    >>> s.names, np.round(s.coef, 4), np.round(s.std_err, 4)
    (('(Intercept)', 'x0'), array([-3.0351,  1.214 ]), array([2.5457, 0.9126]))
    """
    alpha = check_number(alpha, "alpha", low=0, low_inclusive=False, high=1)
    f = _fit(model, X, y, sample_weight, reference_class)
    V = _covariance(f, cov_type, groups)
    J, p = f.theta.shape
    se = np.sqrt(np.diag(V)).reshape(J, p)
    z = f.theta / se
    crit = -float(norm_ppf(alpha / 2))  # z_{1 - alpha/2}
    n, k = float(f.s.sum()), J * p
    S_k = np.bincount(f.y, weights=f.s, minlength=len(f.classes))  # class totals
    ll_null = float(np.sum(S_k[S_k > 0] * np.log(S_k[S_k > 0] / n)))
    llr = 2 * (f.log_likelihood - ll_null)
    df_model = k - J
    shape = (p,) if J == 1 else (J, p)
    names = [str(c) for c in getattr(model, "feature_names_in_", [])] or [
        f"x{j}" for j in range(model.n_features_in_)
    ]
    r = f.classes[0] if reference_class is None else reference_class
    return Summary(
        coef=f.theta.reshape(shape),
        std_err=se.reshape(shape),
        z=z.reshape(shape),
        p_value=(2 * norm_sf(np.abs(z))).reshape(shape),
        ci_low=(f.theta - crit * se).reshape(shape),
        ci_high=(f.theta + crit * se).reshape(shape),
        cov=V,
        names=tuple(["(Intercept)"] * bool(model.fit_intercept) + names),
        classes=tuple(c for c in f.classes.tolist() if c != r),
        reference_class=r,
        log_likelihood=f.log_likelihood,
        null_log_likelihood=ll_null,
        pseudo_r2=1 - f.log_likelihood / ll_null if ll_null < 0 else float("nan"),
        llr_p_value=float(chi2_sf(llr, df_model)) if df_model > 0 else float("nan"),
        aic=-2 * f.log_likelihood + 2 * k,
        bic=-2 * f.log_likelihood + np.log(n) * k,
        n_obs=n,
        df_model=df_model,
        df_resid=n - k,
        cov_type=cov_type,
        alpha=alpha,
        converged=bool(getattr(model, "converged_", True)),
        separation=check_separation(
            f.X, f.y, f.coef, f.intercept, sample_weight=f.s, fit_intercept=model.fit_intercept
        ),
    )


def wald_test(
    model: Any,
    X: ArrayLike,
    y: ArrayLike,
    R: ArrayLike,
    q: ArrayLike | None = None,
    *,
    sample_weight: ArrayLike | None = None,
    cov_type: str = "nonrobust",
    groups: ArrayLike | None = None,
    reference_class: Any = None,
) -> ChiSquareTest:
    """Wald test of ``R theta = q`` on an unpenalized fit (``Summary.wald_test``; statsmodels'
    ``wald_test(R, q, scalar=True)`` in its chi-square form).

    Examples
    --------
    >>> from log_reg import LogisticRegression
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 1.0], [4.0, 0.0], [5.0, 1.0]])
    >>> y = np.array([0, 0, 1, 0, 1, 1])
    >>> model = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    >>> test = wald_test(model, X, y, ["x0", "x1"])
    >>> test.df, round(test.statistic, 4), round(test.p_value, 4)
    (2, 1.7697, 0.4128)
    """
    s = summary(
        model, X, y, sample_weight, cov_type, groups=groups, reference_class=reference_class
    )
    return s.wald_test(R, q)


def log_likelihood(
    model: Any, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
) -> float:
    """``sum_i s_i log P(y_i | x_i)`` of an unpenalized fit (frequency weights ``s_i``).

    Examples
    --------
    >>> from log_reg import LogisticRegression
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 1, 0, 1])
    >>> round(log_likelihood(LogisticRegression(C=np.inf, tol=1e-10).fit(X, y), X, y), 4)
    -2.3475
    """
    return _fit(model, X, y, sample_weight).log_likelihood


def likelihood_ratio(ll_restricted: float, ll_full: float, df: int) -> ChiSquareTest:
    """Likelihood-ratio test ``LR = 2 (ll_full - ll_restricted) ~ chi2(df)`` for nested models.

    ``df`` is the number of restrictions (the difference in parameter counts).

    Examples
    --------
    >>> print(likelihood_ratio(-20.0, -17.0, 2))
    chi2(2) = 6.0000, p-value = 0.04979
    """
    df = check_int(df, "df", low=1)
    statistic = 2.0 * (float(ll_full) - float(ll_restricted))
    return ChiSquareTest(statistic, df, float(chi2_sf(statistic, df)))


def _n_params(model: Any) -> int:
    J = max(1, len(model.classes_) - 1)
    return J * (model.n_features_in_ + int(model.fit_intercept))


def training_data(
    model: Any, X: ArrayLike | None, y: ArrayLike | None, sample_weight: ArrayLike | None
) -> tuple[ArrayLike, ArrayLike, ArrayLike | None]:
    """``(X, y, sample_weight)`` as given, or the data an unpenalized model was fit on.

    ``LogisticRegression`` remembers its training arrays (references, no copy) after an
    unpenalized fit, so ``summary()`` needs no arguments; they are not pickled or saved.
    """
    if X is not None and y is not None:
        return X, y, sample_weight
    remembered = getattr(model, "_training_data", None)
    if remembered is None:
        raise ValueError(
            "Pass X and y: this model does not hold its training data (it was penalized, "
            "loaded from a file or unpickled, or fit before this version). A model file of "
            "an unpenalized fit keeps its nonrobust summary: "
            "log_reg.files.persistence.read_model_file(path).summary."
        )
    return remembered


def likelihood_ratio_test(
    restricted: Any,
    full: Any,
    X_restricted: ArrayLike | None = None,
    X_full: ArrayLike | None = None,
    y: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
) -> ChiSquareTest:
    """Likelihood-ratio test of a restricted model against a full one, both fit on ``y``.

    Without data, each model's own training data is used (see ``training_data``).

    The models must be nested (the restricted one a special case of the full one, e.g.
    a subset of its columns) and unpenalized; ``df`` is the difference of their parameter
    counts, as statsmodels' ``2 (llf_full - llf_restricted)`` on ``df_resid`` differences.

    Examples
    --------
    >>> from log_reg import LogisticRegression
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 1.0], [4.0, 0.0], [5.0, 1.0]])
    >>> y = np.array([0, 0, 1, 0, 1, 1])
    >>> full = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    >>> small = LogisticRegression(C=np.inf, tol=1e-10).fit(X[:, 1:], y)  # without x0
    >>> print(likelihood_ratio_test(small, full, X[:, 1:], X, y))
    chi2(1) = 3.3618, p-value = 0.06673
    >>> print(likelihood_ratio_test(small, full))  # each on the data it was fit on
    chi2(1) = 3.3618, p-value = 0.06673
    """
    df = _n_params(full) - _n_params(restricted)
    if df < 1 or not np.array_equal(restricted.classes_, full.classes_):
        raise ValueError(
            "The restricted model must have the same classes and fewer parameters than the "
            f"full one; got {_n_params(restricted)} and {_n_params(full)} parameters."
        )
    ll_r = log_likelihood(restricted, *training_data(restricted, X_restricted, y, sample_weight))
    ll_f = log_likelihood(full, *training_data(full, X_full, y, sample_weight))
    return likelihood_ratio(ll_r, ll_f, df)
