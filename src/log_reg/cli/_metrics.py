"""How good are the predictions: accuracy, log-loss, ROC AUC, Brier score, confusion matrix.

Every function takes the true classes as indices ``y`` (0 .. K-1) and the predicted
probabilities ``P`` of shape (n_samples, K), columns in ``classes_`` order. Plain NumPy,
so that each formula can be read next to its definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Evaluation", "average_ranks", "calibration_bins", "evaluate", "rank_auc", "roc_curve"]

FloatArray = NDArray[np.floating[Any]]
IntArray = NDArray[np.intp]


def average_ranks(x: FloatArray) -> NDArray[np.float64]:
    """Ranks 1..n of ``x``, ties sharing the mean of the ranks they span.

    Examples
    --------
    >>> average_ranks(np.array([0.3, 0.1, 0.3, 0.2]))
    array([3.5, 1. , 3.5, 2. ])
    """
    n = len(x)
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    starts = np.flatnonzero(np.r_[True, sorted_x[1:] != sorted_x[:-1]])  # first of each tie
    ends = np.r_[starts[1:], n]  # one past the last
    group = np.repeat(np.arange(len(starts)), ends - starts)  # tie group of each sorted entry
    ranks = np.empty(n)
    ranks[order] = ((starts + 1 + ends) / 2)[group]  # mean of ranks start+1 .. end
    return ranks


def rank_auc(scores: FloatArray, positive: NDArray[np.bool_]) -> float:
    """Area under the ROC curve by the Mann-Whitney formula; NaN without both kinds of rows.

    ``AUC = (R_+ - n_+ (n_+ + 1) / 2) / (n_+ n_-)``, with ``R_+`` the sum of the positives'
    ranks among all scores (ties averaged): the probability that a random positive scores
    above a random negative, ties counting one half (Hanley and McNeil, 1982).

    Examples
    --------
    >>> rank_auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([False, False, True, True]))
    0.75
    """
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum = float(average_ranks(scores)[positive].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def roc_curve(scores: FloatArray, positive: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    """False and true positive rates at every distinct threshold, from (0, 0) to (1, 1)."""
    order = np.argsort(-scores, kind="stable")
    s, p = scores[order], positive[order]
    last = np.r_[s[1:] != s[:-1], True]  # the last row of each distinct score
    tp, fp = np.cumsum(p)[last], np.cumsum(~p)[last]
    return np.r_[0, fp] / max(fp[-1], 1), np.r_[0, tp] / max(tp[-1], 1)


def calibration_bins(
    p: FloatArray, positive: NDArray[np.bool_], n_bins: int = 10
) -> tuple[FloatArray, FloatArray]:
    """Mean predicted probability and observed frequency in each non-empty bin of [0, 1]."""
    bins = np.minimum((p * n_bins).astype(np.intp), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    filled = counts > 0
    predicted = np.bincount(bins, weights=p, minlength=n_bins)[filled] / counts[filled]
    observed = np.bincount(bins, weights=positive, minlength=n_bins)[filled] / counts[filled]
    return predicted, observed


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The scores of predictions ``P`` against true classes ``y``.

    Attributes
    ----------
    accuracy : float
        Share of rows whose predicted class is the true one.
    log_loss : float
        ``-mean_i log P[i, y_i]``.
    brier : float
        Two classes: ``mean_i (P[i, 1] - [y_i = 1])^2``; more: ``mean_i sum_k (P[i, k] -
        [y_i = k])^2`` (the two definitions scikit-learn's ``brier_score_loss`` uses).
    auc : ndarray of shape (n_classes,)
        Each class against the rest (NaN for a class absent or alone in ``y``).
    mean_auc : float
        Two classes: the AUC of class 1; more: the mean over classes with a value.
    confusion : ndarray of shape (n_classes, n_classes)
        Rows: true class; columns: predicted class.
    """

    accuracy: float
    log_loss: float
    brier: float
    auc: FloatArray
    mean_auc: float
    confusion: NDArray[np.int64]


def evaluate(y: IntArray, P: FloatArray, log_P: FloatArray, predicted: IntArray) -> Evaluation:
    """Score probabilities ``P`` (and their logs, for a log-loss free of ``log(0)``).

    Examples
    --------
    >>> P = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    >>> e = evaluate(np.array([0, 1, 1]), P, np.log(P), np.array([0, 1, 0]))
    >>> round(e.accuracy, 3), round(e.log_loss, 3), round(e.brier, 3), e.mean_auc
    (0.667, 0.415, 0.137, 1.0)
    """
    n, K = P.shape
    Y = np.eye(K)[y]  # one-hot truth, (n, K)
    auc = np.array([rank_auc(P[:, k], y == k) for k in range(K)])
    defined = auc[~np.isnan(auc)]
    return Evaluation(
        accuracy=float(np.mean(predicted == y)),
        log_loss=float(-np.mean(log_P[np.arange(n), y])),
        brier=float(
            np.mean((P[:, 1] - Y[:, 1]) ** 2) if K == 2 else np.mean(((P - Y) ** 2).sum(1))
        ),
        auc=auc,
        mean_auc=float(auc[1] if K == 2 else (defined.mean() if len(defined) else np.nan)),
        confusion=np.bincount(y * K + predicted, minlength=K * K).reshape(K, K),
    )
