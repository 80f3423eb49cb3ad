"""How a fitted model is scored on held-out rows: greater is better, as in scikit-learn.

A scorer is a callable ``scorer(model, X, y, sample_weight=None) -> float``, scikit-learn's
signature, so its scorer objects and a user's functions fit in unchanged. Three are
written here in NumPy, each a weighted mean over the rows (``v_i`` the sample weights,
all ones by default):

- ``neg_log_loss``:  ``sum_i v_i log p_i(y_i) / sum_i v_i``, the probabilities clipped to
  ``[eps, 1 - eps]`` as scikit-learn does, so one confident mistake costs at most
  ``-log(eps)`` (about 36), not infinity;
- ``accuracy``:      ``sum_i v_i [predict(x_i) = y_i] / sum_i v_i``;
- ``roc_auc``:       (two classes) the probability that a random positive row scores
  above a random negative one, ties counting one half, each pair weighted ``v_i v_j``:
  the area under the ROC curve.

Any other name is looked up in scikit-learn (``sklearn.metrics.get_scorer``), which is
then imported; ``None`` means accuracy, as in scikit-learn.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.core.arrays import FloatArray, IntArray

__all__ = ["SCORERS", "Scorer", "accuracy", "fold_scorer", "get_scorer", "neg_log_loss", "roc_auc"]

Scorer = Callable[..., float]


def _class_index(classes: NDArray[Any], y: ArrayLike) -> IntArray:
    """Position of each label of ``y`` in the model's sorted ``classes``."""
    labels = np.asarray(y).ravel()
    k = np.clip(np.searchsorted(classes, labels), 0, len(classes) - 1)
    unknown = classes[k] != labels
    if np.any(unknown):
        raise ValueError(
            f"y has labels the model was not fitted on: {np.unique(labels[unknown]).tolist()!r}"
            f"; the model's classes are {classes.tolist()!r}."
        )
    return k


def _weights(sample_weight: ArrayLike | None, n: int) -> FloatArray:
    return np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)


def neg_log_loss(model: Any, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Minus the weighted mean log-loss; see the module docstring.

    Examples
    --------
    >>> from log_reg import LogisticRegression, load_toy
    >>> X, y = load_toy()
    >>> model = LogisticRegression().fit(X, y)
    >>> round(neg_log_loss(model, X, y), 4)
    -0.0335
    """
    P = np.asarray(model.predict_proba(X), dtype=np.float64)  # (n, n_classes)
    eps = np.finfo(np.float64).eps
    k = _class_index(np.asarray(model.classes_), y)
    log_p = np.log(np.clip(P[np.arange(len(k)), k], eps, 1 - eps))  # (n,)
    return float(np.average(log_p, weights=_weights(sample_weight, len(k))))


def accuracy(model: Any, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Weighted fraction of rows predicted right; see the module docstring.

    Examples
    --------
    >>> from log_reg import LogisticRegression, load_toy
    >>> X, y = load_toy()
    >>> accuracy(LogisticRegression().fit(X, y), X, y)
    1.0
    """
    labels = np.asarray(y).ravel()
    correct = (np.asarray(model.predict(X)) == labels).astype(np.float64)
    return float(np.average(correct, weights=_weights(sample_weight, len(labels))))


def _auc(score: FloatArray, positive: NDArray[np.bool_], v: FloatArray) -> float:
    """``sum_{i pos, j neg} v_i v_j ([s_i > s_j] + [s_i = s_j] / 2) / (V_pos V_neg)``."""
    levels, group = np.unique(score, return_inverse=True)  # tied scores share a group
    v_pos = np.bincount(group, weights=v * positive, minlength=len(levels))
    v_neg = np.bincount(group, weights=v * ~positive, minlength=len(levels))
    below = np.cumsum(v_neg) - v_neg  # negative weight strictly below each level
    return float(v_pos @ (below + 0.5 * v_neg) / (v_pos.sum() * v_neg.sum()))


def roc_auc(model: Any, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Weighted area under the ROC curve, two classes only; see the module docstring.

    ``nan``, with a warning, when the rows hold one class only (as scikit-learn).

    Examples
    --------
    >>> from log_reg import LogisticRegression, load_toy
    >>> X, y = load_toy()
    >>> roc_auc(LogisticRegression().fit(X, y), X, y)
    1.0
    """
    classes = np.asarray(model.classes_)
    if len(classes) != 2:
        raise ValueError(
            f"scoring='roc_auc' needs two classes; the model has {len(classes)}. Use "
            "'neg_log_loss' or 'accuracy', or one of scikit-learn's 'roc_auc_ovr' scorers."
        )
    positive = _class_index(classes, y) == 1
    v = _weights(sample_weight, len(positive))
    if positive.all() or not positive.any():
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in that case.",
            UserWarning,
            stacklevel=2,
        )
        return float("nan")
    score = np.asarray(model.decision_function(X), dtype=np.float64)  # (n,)
    return _auc(score, positive, v)


#: The scorers written here, by scikit-learn's names.
SCORERS: dict[str, Scorer] = {
    "neg_log_loss": neg_log_loss,
    "accuracy": accuracy,
    "roc_auc": roc_auc,
}


def get_scorer(scoring: str | Scorer | None) -> Scorer:
    """The scorer for a name, ``None`` (accuracy) or a callable (kept as it is).

    Examples
    --------
    >>> get_scorer("neg_log_loss") is neg_log_loss, get_scorer(None) is accuracy
    (True, True)
    """
    if scoring is None:
        return accuracy
    if callable(scoring):
        return scoring
    if not isinstance(scoring, str):
        raise ValueError(f"scoring must be a string, a callable or None; got {scoring!r}.")
    if scoring in SCORERS:
        return SCORERS[scoring]
    try:
        from sklearn.metrics import get_scorer as sklearn_get_scorer
    except ImportError:
        raise ValueError(
            f"scoring={scoring!r} needs scikit-learn, which is not installed. Without it, "
            f"scoring must be one of {', '.join(map(repr, SCORERS))}, or a callable "
            "scorer(model, X, y, sample_weight=None)."
        ) from None
    scorer: Scorer = sklearn_get_scorer(scoring)
    return scorer


def fold_scorer(scorer: Scorer, classes: NDArray[Any]) -> Scorer:
    """``scorer`` made to know every class, for test folds that may miss some.

    Ours read the classes from the model. A scikit-learn scorer whose metric takes
    ``labels`` (log-loss, Brier score, ...) would infer them from the fold's ``y``; it is
    rebuilt with ``labels=classes`` (and ``pos_label``, for two classes), as scikit-learn's
    ``LogisticRegressionCV`` does.
    """
    func = getattr(scorer, "_score_func", None)
    if func is None or "labels" not in inspect.signature(func).parameters:
        return scorer
    from sklearn.metrics import make_scorer

    options: dict[str, Any] = {"labels": classes}
    if len(classes) == 2 and "pos_label" in inspect.signature(func).parameters:
        options["pos_label"] = classes[-1]
    rebuilt: Scorer = make_scorer(
        func,
        greater_is_better=getattr(scorer, "_sign", 1) == 1,
        response_method=getattr(scorer, "_response_method", "predict"),
        **options,
        **getattr(scorer, "_kwargs", {}),
    )
    return rebuilt
