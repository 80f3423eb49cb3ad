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

import numpy as np
from numpy.typing import ArrayLike

from ._numerics import FloatArray, IntArray
from ._validation import check_sample_weight

__all__ = ["PerfectSeparationWarning", "Separation", "check_separation"]

#: Margin thresholds (in log-odds) that split rows into "certain" ``E`` and the rest ``B``.
_MARGIN_SPLITS = (2.0, 4.0, 8.0, 16.0)


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
        >>> Separation("complete", (2,)).message(["a", "b", "c"])[:58]
        "Perfect separation (complete): feature 'c' alone separates"
        """
        names = None if feature_names is None else [str(n) for n in np.asarray(feature_names)]
        label = [names[j] if names is not None else f"x{j}" for j in self.features]
        if label:
            which = ", ".join(repr(n) for n in label)
            what = f"feature {which} alone separates" if len(label) == 1 else (
                f"features {which} each alone separate")  # fmt: skip
        else:
            what = "a combination of the features separates"
        return (
            f"Perfect separation ({self.kind}): {what} the classes, so the unpenalized "
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
    X : ndarray of shape (n_samples, n_features)
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
        (for more than two classes, only checks 1 and 2 are run).

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> check_separation(X, np.array([0, 0, 1, 1]), np.array([[30.0, 0.0]]), np.array([-45.0]))
    Separation(kind='complete', features=(0,))
    """
    s = check_sample_weight(sample_weight, len(y), np.float64)
    keep = s > 0
    X, y = np.asarray(X, dtype=np.float64)[keep], np.asarray(y)[keep]
    K = max(2, coef.shape[0])
    single = _separating_features(X, y, K, fit_intercept)
    Z = X @ coef.T + intercept  # (n, n_raw)
    if K == 2:
        m = np.where(y == 1, 1.0, -1.0) * Z[:, 0]  # margins of the fit
        complete = bool(np.all(m > 0))
    else:
        others = np.where(np.eye(K, dtype=bool)[y], -np.inf, Z)  # (n, K)
        complete = bool(np.all(Z[np.arange(len(y)), y] > others.max(axis=1)))
    features = tuple(j for j, _ in single)
    if complete or any(strict for _, strict in single):
        return Separation("complete", features)
    if single or (K == 2 and _quasi_certificate(X, y, m, coef[0], intercept[0], fit_intercept)):
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
    varies = X.max(axis=0) > X.min(axis=0) if fit_intercept else np.any(X != 0, axis=0)
    for k in range(1 if K == 2 else 0, K):
        A, R = X[y == k], X[y != k]  # class k, the rest
        if len(A) == 0 or len(R) == 0:
            continue
        lo_k, hi_k, lo_r, hi_r = A.min(0), A.max(0), R.min(0), R.max(0)
        if fit_intercept:  # some threshold t with  hi_r <= t <= lo_k  (or hi_k <= t <= lo_r)
            above, below = hi_r <= lo_k, hi_k <= lo_r
            strict = (hi_r < lo_k) | (hi_k < lo_r)
        else:  # the threshold is t = 0
            above, below = (hi_r <= 0) & (lo_k >= 0), (hi_k <= 0) & (lo_r >= 0)
            strict = ((hi_r < 0) & (lo_k > 0)) | ((hi_k < 0) & (lo_r > 0))
        for j in np.flatnonzero((above | below) & varies):
            found[int(j)] = found.get(int(j), False) or (bool(strict[j]) and K == 2)
    return sorted(found.items())


def _quasi_certificate(
    X: FloatArray, y: IntArray, m: FloatArray, w: FloatArray, b: float, fit_intercept: bool
) -> bool:
    """Check 3 of the module docstring, for each split of the rows at ``_MARGIN_SPLITS``."""
    D = np.hstack([X, np.ones((len(X), 1))]) if fit_intercept else X  # X~, (n, p)
    theta = np.append(w, b) if fit_intercept else np.asarray(w, dtype=np.float64)
    sign = np.where(y == 1, 1.0, -1.0)
    scale = np.abs(D).max(axis=0)  # column scales, so the null space ignores units
    scale[scale == 0] = 1.0
    Ds = D / scale
    for tau in _MARGIN_SPLITS:
        E = m > tau
        if not E.any():
            break
        # 1. null space of X~_B (rows B = the rest), from its singular value decomposition
        _, sv, Vt = np.linalg.svd(Ds[~E], full_matrices=True)
        sv = np.concatenate([sv, np.zeros(len(Vt) - len(sv))])
        N = Vt[sv <= sv.max(initial=0.0) * len(Ds) * np.finfo(float).eps].T  # (p, r)
        if N.shape[1] == 0:
            continue
        # 2. the candidate direction: theta's component in that null space
        v = N @ (N.T @ (theta * scale))
        margins = sign * (Ds @ v)
        # 3. certificate: > 0 on E, 0 on B (up to rounding)
        tol = 1e-9 * np.abs(margins).max(initial=0.0)
        if np.all(margins[E] > tol) and np.all(np.abs(margins[~E]) <= tol):
            return True
    return False
