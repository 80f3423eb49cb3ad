"""The summary of a Firth fit, as logistf reports it: estimates, standard errors, intervals,
tests, one row per coefficient.

- **Standard errors** from the inverse of the Fisher information at the estimate,
  ``V = I(beta^)^-1`` (``log_reg.core.firth``), as logistf and brglm2 report them.
- ``ci="profile"`` (logistf's default): profile penalized-likelihood intervals and
  penalized likelihood-ratio tests (``inference.profile``), each a chi-square with one
  degree of freedom; ``ci="wald"``: ``beta^ -+ z_{1-alpha/2} se`` and the Wald test
  ``(beta^ / se)^2``, no refits.
- The **model's likelihood-ratio test** compares ``l*`` at the estimate with its maximum
  when every slope is 0 (the intercept, if any, free), on ``d`` degrees of freedom: logistf's
  "Likelihood ratio test".

With an intercept correction (``models.firth_corrections``) the rows follow logistf: FLAC's
are those of its augmented likelihood (plain, without the indicator's row); FLIC's slopes
are Firth's and its intercept has a Wald interval and test from the information at the
FLIC estimate. The model's test is always Firth's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_choice, check_number
from log_reg.core.firth import FirthPoint
from log_reg.inference.distributions import chi2_sf, norm_ppf
from log_reg.inference.profile import (
    penalized_lr_test,
    profile_bound,
    profile_path_start,
    restricted_maximum,
)
from log_reg.inference.summary import ChiSquareTest

__all__ = ["CoefficientRows", "FirthSummary", "coefficient_rows", "model_lr_test"]

SIDES = ("lower", "upper")


@dataclass(frozen=True, eq=False)
class CoefficientRows:
    """Per-coefficient estimates, errors, intervals and tests, shape ``(m,)`` each."""

    coef: FloatArray
    std_err: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    chi2: FloatArray
    p_value: FloatArray
    method: tuple[str, ...]  # "profile" or "Wald", per row

    def join(self, other: CoefficientRows) -> CoefficientRows:
        """These rows, then ``other``'s."""
        arrays = {
            name: np.concatenate([getattr(self, name), getattr(other, name)])
            for name in ("coef", "std_err", "ci_low", "ci_high", "chi2", "p_value")
        }
        return CoefficientRows(**arrays, method=self.method + other.method)


def coefficient_rows(
    estimate: FirthPoint, columns: Sequence[int], *, ci: str = "profile", alpha: float = 0.05
) -> CoefficientRows:
    """Rows for the design's ``columns`` at ``estimate`` (the likelihood's maximum).

    Examples
    --------
    >>> from log_reg.core.firth import FirthLikelihood
    >>> X = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    >>> f = FirthLikelihood(X, np.array([0.0, 0.0, 1.0, 1.0]), np.ones(4))
    >>> rows = coefficient_rows(f.at([np.log(25), -np.log(5)]), [0])
    >>> np.round([rows.coef[0], rows.std_err[0], rows.ci_low[0], rows.ci_high[0]], 4)
    array([ 3.2189,  2.6833, -0.4305,  9.1235])
    """
    ci = check_choice(ci, "ci", ("profile", "wald"))
    alpha = check_number(alpha, "alpha", low=0, low_inclusive=False, high=1)
    index = np.asarray(columns, dtype=np.intp)
    coef = estimate.beta[index]
    std_err = np.sqrt(np.diag(np.linalg.inv(estimate.information)))[index]
    if ci == "wald":
        crit = -float(norm_ppf(alpha / 2))  # z_{1 - alpha/2}
        chi2 = (coef / std_err) ** 2
        method = ("Wald",) * len(index)
        low, high = coef - crit * std_err, coef + crit * std_err
        return CoefficientRows(coef, std_err, low, high, chi2, chi2_sf(chi2, 1), method)
    low, high = np.empty(len(index)), np.empty(len(index))
    tests = []
    for row, j in enumerate(index.tolist()):
        lower, upper = (profile_bound(estimate, j, side, alpha=alpha) for side in SIDES)
        low[row], high[row] = lower.value, upper.value
        start = profile_path_start(estimate, j, lower, upper)  # the test's restricted fit
        tests.append(penalized_lr_test(estimate, j, start=start))
    chi2 = np.array([t.statistic for t in tests])
    p_value = np.array([t.p_value for t in tests])
    return CoefficientRows(coef, std_err, low, high, chi2, p_value, ("profile",) * len(index))


def model_lr_test(estimate: FirthPoint, slopes: Sequence[int]) -> tuple[float, ChiSquareTest]:
    """``l*`` with every slope at 0 (the rest refitted), and the test of that hypothesis."""
    fixed = np.zeros(estimate.likelihood.n_coef, dtype=bool)
    fixed[np.asarray(slopes, dtype=np.intp)] = True
    null = restricted_maximum(estimate, fixed)
    statistic = max(0.0, 2.0 * (estimate.value - null))
    return null, ChiSquareTest(statistic, len(slopes), float(chi2_sf(statistic, len(slopes))))


@dataclass(frozen=True, eq=False)
class FirthSummary:
    """The coefficient table of a Firth fit and its model test (module docstring).

    Arrays have shape ``(n_params,)``, in the order of ``names``: "(Intercept)" first when
    fitted, then the features. ``chi2`` and ``p_value`` are the penalized likelihood-ratio
    tests of each coefficient being 0 (rows whose ``method`` is "profile") or Wald tests
    ("Wald"); the interval is at level ``1 - alpha``. ``cov`` is the inverse information
    at the estimate (for FLIC: at the FLIC estimate; the slopes' errors are Firth's).
    ``log_likelihood`` is ``l*`` at the estimate, ``null_log_likelihood`` its maximum with
    every slope 0, and ``lr_test`` their likelihood-ratio test. ``n_obs = sum(weights)``.
    """

    coef: FloatArray
    std_err: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    chi2: FloatArray
    p_value: FloatArray
    method: tuple[str, ...]
    cov: FloatArray
    names: tuple[str, ...]
    classes: tuple[Any, Any]
    log_likelihood: float
    null_log_likelihood: float
    lr_test: ChiSquareTest
    n_obs: float
    alpha: float
    converged: bool
    intercept_correction: str | None

    def to_frame(self) -> Any:
        """The coefficient table as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        columns = ["coef", "std_err", "ci_low", "ci_high", "chi2", "p_value"]
        data: dict[str, Any] = {c: np.asarray(getattr(self, c)) for c in columns}
        data["method"] = list(self.method)
        return pd.DataFrame(data, index=pd.Index(self.names, name="term"))

    def __str__(self) -> str:
        return _format(self)


def _format(s: FirthSummary) -> str:
    """An aligned table: logistf's columns, in the spirit of statsmodels' ``summary()``."""
    w = max(12, 2 + max(len(n) for n in s.names))  # the name column
    width = w + 68
    half = width // 2
    lr = s.lr_test
    pairs = [
        ("Classes:", f"{s.classes[1]} vs {s.classes[0]}", "No. observations:", f"{s.n_obs:g}"),
        ("Correction:", s.intercept_correction or "none", "Converged:", str(s.converged)),
        (
            "Penalized log-lik.:",
            f"{s.log_likelihood:.4f}",
            "LR test, df:",
            f"{lr.statistic:.4f}, {lr.df}",
        ),
        ("Null penalized LL:", f"{s.null_log_likelihood:.4f}", "LR p-value:", f"{lr.p_value:.4g}"),
    ]
    title = "Firth's penalized-likelihood logistic regression"
    lines = [title.center(width), "=" * width]
    lines += [f"{a:<20}{b:>{half - 22}}  {c:<18}{d:>{width - half - 18}}" for a, b, c, d in pairs]
    lo, hi = f"[{s.alpha / 2:g}", f"{1 - s.alpha / 2:g}]"
    heads = ("coef", "std err", lo, hi, "chi2", "P>chi2")
    lines += ["=" * width, f"{'':<{w}}" + "".join(f"{h:>11}" for h in heads) + "  method"]
    lines.append("-" * width)
    rows = np.stack([s.coef, s.std_err, s.ci_low, s.ci_high, s.chi2, s.p_value], -1)
    for name, (b, se, a, c, x2, pv), method in zip(s.names, rows, s.method, strict=True):
        numbers = f"{b:11.4f}{se:11.3f}{a:11.3f}{c:11.3f}{x2:11.3f}{pv:11.3f}"
        lines.append(f"{name:<{w}}{numbers}  {method}")
    lines.append("=" * width)
    return "\n".join(lines)
