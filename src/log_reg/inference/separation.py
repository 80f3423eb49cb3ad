"""Detecting separation: when the unpenalized maximum-likelihood estimate does not exist.

The classes are *separated* by a direction ``v`` (coefficients, intercept included) when
every training row lies on its own class's side of the hyperplane ``x . v = 0``; in the
binary case, with ``m_i(v) = (2 y_i - 1) x~_i . v`` the margin of row ``i`` and ``x~ = [x, 1]``,

    complete separation:        m_i(v) > 0 for every row
    quasi-complete separation:  m_i(v) >= 0 for every row, > 0 for at least one

(Albert & Anderson 1984). Then the log-likelihood keeps rising along ``v`` forever: the
unpenalized estimate does not exist, the coefficients grow until the solver stops, and
standard errors are meaningless. A penalty (finite ``C``) always has a finite optimum.

Every check below produces a *certificate*, a direction ``v`` shown to separate the rows,
so it never flags data that are not separated:

1. single features, by their ranges: feature ``j`` separates class ``k`` from the rest when
   ``max_{other rows} x_j <= min_{rows of k} x_j`` (or the mirror image), and ``x_j`` is
   not constant; ``v`` is "``x_j`` minus a threshold" (the threshold is 0 without intercept);
2. the fitted coefficients themselves: if they classify every row strictly correctly, they
   are a certificate of complete separation;
3. binary fits, quasi-complete: rows ``E`` with large fitted margins and the rest ``B``; a
   fit along a quasi-separating ``v`` is ``theta = t v + w`` with ``X~_B v = 0``, so the
   projection of ``theta`` on the null space of ``X~_B`` is ``v`` (up to ``w``'s part) and is
   checked to give ``m_i >= 0`` everywhere. This finds separations that need several features.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray, IntArray, to_host
from log_reg.core.checks import check_sample_weight

__all__ = ["PerfectSeparationWarning", "Separation", "check_separation"]

#: Margin thresholds (in log-odds) that split rows into "certain" ``E`` and the rest ``B``.
_MARGIN_SPLITS = (2.0, 4.0, 8.0, 16.0)
#: Check 3 runs on dense data with fewer features than this (it needs a p x p eigensolve).
_QUASI_MAX_FEATURES = 2000
#: Relative sizes below which an eigenvalue of a Gram matrix, or a margin, counts as zero.
_NULL_EIGENVALUE, _ZERO_MARGIN = 1e-10, 1e-8


class PerfectSeparationWarning(UserWarning):
    """The classes are separated: the unpenalized estimate does not exist (see ``Separation``)."""


@dataclass(frozen=True)
class Separation:
    """A certificate that the training classes are (quasi-)completely separated.

    Attributes
    ----------
    kind : {"complete", "quasi-complete"}
        "complete" when some direction classifies every row strictly correctly.
    features : tuple of int
        Features that separate (a class from the rest) on their own; empty when only a
        combination of features does.
    """

    kind: str
    features: tuple[int, ...]

    def message(self, feature_names: ArrayLike | None = None) -> str:
        """A sentence for the warning, naming the features (``x<j>`` without names).

        Examples
        --------
        >>> Separation("complete", (2,)).message(["a", "b", "c"])[:65]
        "The classes are completely separated: feature 'c' alone separates"
        """
        names = None if feature_names is None else [str(n) for n in np.asarray(feature_names)]
        label = [names[j] if names is not None else f"x{j}" for j in self.features]
        if label:
            which = ", ".join(repr(n) for n in label)
            what = (
                f"feature {which} alone separates"
                if len(label) == 1
                else (f"features {which} each alone separate")
            )
        else:
            what = "a combination of the features separates"
        how = "completely" if self.kind == "complete" else "quasi-completely"
        return (
            f"The classes are {how} separated: {what} them, so the unpenalized "
            "maximum-likelihood estimate does not exist: the coefficients grew until the "
            "solver stopped, and their standard errors are meaningless. Drop or merge the "
            "feature(s), or fit with a penalty (a finite C)."
        )


def check_separation(
    X: FloatArray,
    y: IntArray,
    coef: FloatArray,
    intercept: FloatArray,
    *,
    sample_weight: ArrayLike | None = None,
    fit_intercept: bool = True,
) -> Separation | None:
    """Whether the classes of ``(X, y)`` are separated; ``None`` when no certificate is found.

    Parameters
    ----------
    X : array or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Encoded labels ``0 .. n_classes - 1``.
    coef : ndarray of shape (1, n_features) (binary) or (n_classes, n_features)
        The fitted (unpenalized) coefficients on the scale of ``X``, as ``coef_``.
    intercept : ndarray of shape (1,) or (n_classes,)
    sample_weight : array-like of shape (n_samples,), optional
        Rows of weight 0 are ignored; the other weights do not matter.
    fit_intercept : bool, default True
        Without an intercept a separating hyperplane must pass through the origin.

    Returns
    -------
    Separation or None
        See the module docstring for the three checks; each is a certificate, so a result
        is never a false alarm. ``None`` means none of them found a separating direction
        (for more than two classes, and for sparse data or ``n_features >= 2000``, only
        checks 1 and 2 are run). ``X`` may be dense, SciPy sparse, or another array library's.

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> check_separation(X, np.array([0, 0, 1, 1]), np.array([[30.0, 0.0]]), np.array([-45.0]))
    Separation(kind='complete', features=(0,))
    """
    keep = check_sample_weight(sample_weight, len(y), np.float64) > 0
    X, y = _host(X), np.asarray(y)
    coef, intercept = (np.asarray(_host(a), dtype=np.float64) for a in (coef, intercept))
    if not keep.all():
        X, y = X[keep], y[keep]
    K = max(2, coef.shape[0])
    single = _separating_features(X, y, K, fit_intercept)
    Z = np.asarray(X @ coef.T) + intercept  # (n, n_raw)
    if K == 2:
        m = np.where(y == 1, 1.0, -1.0) * Z[:, 0]  # margins of the fit
        complete = bool(np.all(m > 0))
    else:
        others = np.where(np.eye(K, dtype=bool)[y], -np.inf, Z)  # (n, K)
        complete = bool(np.all(Z[np.arange(len(y)), y] > others.max(axis=1)))
    features = tuple(j for j, _ in single)
    if complete or any(strict for _, strict in single):
        return Separation("complete", features)
    dense = isinstance(X, np.ndarray) and X.shape[1] < _QUASI_MAX_FEATURES
    if single or (
        K == 2 and dense and _quasi_certificate(X, y, m, coef[0], intercept[0], fit_intercept)
    ):
        return Separation("quasi-complete", features)
    return None


def _separating_features(
    X: FloatArray, y: IntArray, K: int, fit_intercept: bool
) -> list[tuple[int, bool]]:
    """``(j, strict)`` for each feature that separates a class from the rest on its own.

    With an intercept the threshold may be anywhere: ``max_rest <= min_k`` (class ``k`` above)
    or ``max_k <= min_rest`` (below); ``strict`` when ``<``. Without one it is 0:
    ``x_j >= 0`` on class ``k`` and ``<= 0`` elsewhere (or the mirror image). A feature that
    is constant (or all zero without intercept) gives no direction and is skipped.
    """
    found: dict[int, bool] = {}
    lo, hi = _class_ranges(X, y, K)  # (K, d) each
    present = np.bincount(y, minlength=K) > 0
    if fit_intercept:
        varies = hi[present].max(0) > lo[present].min(0)
    else:
        varies = (hi[present].max(0) > 0) | (lo[present].min(0) < 0)
    for k in range(1 if K == 2 else 0, K):
        rest = present & (np.arange(K) != k)
        if not (present[k] and rest.any()):
            continue
        lo_k, hi_k, lo_r, hi_r = lo[k], hi[k], lo[rest].min(0), hi[rest].max(0)
        if fit_intercept:  # some threshold t with  hi_r <= t <= lo_k  (or hi_k <= t <= lo_r)
            above, below = hi_r <= lo_k, hi_k <= lo_r
            strict = (hi_r < lo_k) | (hi_k < lo_r)
        else:  # the threshold is t = 0
            above, below = (hi_r <= 0) & (lo_k >= 0), (hi_k <= 0) & (lo_r >= 0)
            strict = ((hi_r < 0) & (lo_k > 0)) | ((hi_k < 0) & (lo_r > 0))
        for j in np.flatnonzero((above | below) & varies):
            found[int(j)] = found.get(int(j), False) or (bool(strict[j]) and K == 2)
    return sorted(found.items())


def _class_ranges(X: Any, y: IntArray, K: int) -> tuple[FloatArray, FloatArray]:
    """Each class's column minima and maxima, ``(K, d)`` each (``+-inf`` for an empty class)."""
    if hasattr(X, "tocsr"):  # sparse: the implicit zeros count, as SciPy's min/max do
        parts = [X[y == k] for k in range(K)]
        lo = [
            p.min(axis=0).toarray().ravel() if p.shape[0] else np.full(X.shape[1], np.inf)
            for p in parts
        ]
        hi = [
            p.max(axis=0).toarray().ravel() if p.shape[0] else np.full(X.shape[1], -np.inf)
            for p in parts
        ]
        return np.array(lo), np.array(hi)
    masks = [(y == k)[:, None] for k in range(K)]
    lo = [X.min(0, where=mk, initial=np.inf) for mk in masks]
    hi = [X.max(0, where=mk, initial=-np.inf) for mk in masks]
    return np.array(lo), np.array(hi)


def _host(X: Any) -> Any:
    """Float64 on the host: a dense NumPy array, or a SciPy sparse matrix kept sparse."""
    if hasattr(X, "tocsr"):
        return X.tocsr().astype(np.float64)
    return np.asarray(to_host(X), dtype=np.float64)


def _quasi_certificate(
    X: FloatArray, y: IntArray, m: FloatArray, w: FloatArray, b: float, fit_intercept: bool
) -> bool:
    """Check 3 of the module docstring, splitting the rows at each of ``_MARGIN_SPLITS``.

    Columns are scaled to max |x_j| = 1 first, so "zero" means the same for every unit.
    As the split rises, ``B`` grows and its null space can only shrink: the first empty
    one ends the search (for data that are not separated, usually the first).
    """
    sign = np.where(y == 1, 1.0, -1.0)
    scale = np.abs(X).max(axis=0)
    scale[scale == 0] = 1.0
    theta = np.append(w * scale, b) if fit_intercept else w * scale  # for the scaled columns
    d = X.shape[1]
    for tau in _MARGIN_SPLITS:
        E = m > tau
        if not E.any():
            return False
        # 1. null space of X~_B (B = the other rows): eigenvectors of the Gram matrix
        #    X~_B^T X~_B with eigenvalue ~ 0; X~ = [X / scale, 1]
        XB = X[~E] / scale  # (n_B, d)
        G = np.empty((len(theta), len(theta)))
        G[:d, :d] = XB.T @ XB
        if fit_intercept:
            G[d, :d] = G[:d, d] = XB.sum(axis=0)
            G[d, d] = len(XB)
        lam, V = np.linalg.eigh(G)  # ascending; (p,), (p, p)
        N = V[:, lam <= lam[-1] * _NULL_EIGENVALUE]  # (p, r)
        if N.shape[1] == 0:
            return False
        # 2. the candidate direction: theta's component in that null space
        v = N @ (N.T @ theta)  # (p,)
        margins = sign * (X @ (v[:d] / scale) + (v[d] if fit_intercept else 0.0))
        # 3. certificate: > 0 on E, 0 on B (up to rounding)
        tol = _ZERO_MARGIN * np.abs(margins).max(initial=0.0)
        if np.all(margins[E] > tol) and np.all(np.abs(margins[~E]) <= tol):
            return True
    return False
