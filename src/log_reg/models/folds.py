"""Cross-validation folds: which rows train a model and which rows test it, fold by fold.

**Stratified K-fold.** Each class is dealt out over the ``K`` test folds as evenly as its
count allows, so every fold sees the classes in about the proportions of the whole data.
The rule is scikit-learn's ``StratifiedKFold``, reproduced exactly (``shuffle=False`` gives
the very same folds):

1. number the classes by order of first appearance in ``y``;
2. sort the labels and deal them round-robin over the folds: fold ``k`` gets
   ``y_sorted[k::K]``, which fixes how many members of each class each fold gets;
3. within each class, hand out the fold numbers in blocks, in the order of the rows (or
   shuffled, with ``shuffle=True``), so that nearby rows tend to share a fold.

Fold ``k`` tests on the rows numbered ``k`` and trains on all the others.

``make_folds`` turns what a user passes as ``cv`` (nothing, a number of folds, a list of
``(train, test)`` pairs, or any splitter object with a ``split(X, y)`` method, such as
scikit-learn's) into one list of index pairs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.core.arrays import IntArray
from log_reg.core.checks import check_int

__all__ = ["StratifiedKFold", "make_folds"]

Folds = list[tuple[IntArray, IntArray]]


@dataclass(frozen=True)
class StratifiedKFold:
    """Stratified K-fold splits (scikit-learn's rule; see the module docstring).

    Parameters
    ----------
    n_splits : int >= 2, default 5
    shuffle : bool, default False
        Shuffle each class's fold numbers before dealing them to its rows.
    random_state : int, optional
        Seed of the shuffle (NumPy's ``default_rng``); only with ``shuffle=True``.

    Examples
    --------
    >>> folds = StratifiedKFold(n_splits=2).split(None, [0, 0, 1, 1, 0, 1])
    >>> [test.tolist() for _, test in folds]
    [[0, 1, 2], [3, 4, 5]]
    """

    n_splits: int = 5
    shuffle: bool = False
    random_state: int | None = None

    def __post_init__(self) -> None:
        check_int(self.n_splits, "n_splits", low=2)
        if self.random_state is not None and not self.shuffle:
            raise ValueError(
                "Setting a random_state has no effect since shuffle is False. You should "
                "leave random_state to its default (None), or set shuffle=True."
            )

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds."""
        return int(self.n_splits)

    def test_folds(self, y: ArrayLike) -> IntArray:
        """The fold number of every row, shape ``(n_samples,)``."""
        labels = np.asarray(y)
        if labels.ndim != 1:
            raise ValueError(f"y must be 1-D to stratify on it; got shape {labels.shape}.")
        # 1. classes numbered by first appearance
        _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
        code = np.argsort(np.argsort(first))[inverse]  # (n_samples,)
        counts = np.bincount(code)
        K, n_classes = int(self.n_splits), len(counts)
        if np.all(K > counts):
            raise ValueError(
                f"n_splits={K} cannot be greater than the number of members in each class."
            )
        if K > counts.min():
            warnings.warn(
                f"The least populated class in y has only {counts.min()} members, which is "
                f"less than n_splits={K}.",
                UserWarning,
                stacklevel=3,
            )
        # 2. how many of each class each fold gets: round-robin over the sorted labels
        dealt = np.sort(code)
        allocation = np.array([np.bincount(dealt[k::K], minlength=n_classes) for k in range(K)])
        # 3. each class's fold numbers in blocks, in row order (or shuffled)
        rng = np.random.default_rng(self.random_state) if self.shuffle else None
        fold = np.empty(len(labels), dtype=np.intp)
        for c in range(n_classes):
            numbers_c = np.repeat(np.arange(K), allocation[:, c])
            if rng is not None:
                rng.shuffle(numbers_c)
            fold[code == c] = numbers_c
        return fold

    def split(
        self, X: Any, y: ArrayLike, groups: Any = None
    ) -> Iterator[tuple[IntArray, IntArray]]:
        """Yield ``(train, test)`` row indices, one pair per fold."""
        fold = self.test_folds(y)
        for k in range(int(self.n_splits)):
            yield np.flatnonzero(fold != k), np.flatnonzero(fold == k)


def _check_pair(pair: Any, n_samples: int, k: int) -> tuple[IntArray, IntArray]:
    """One user-given ``(train, test)`` pair as two index arrays within ``0 .. n - 1``."""
    try:
        train, test = pair
    except (TypeError, ValueError):
        raise ValueError(
            f"cv must yield (train, test) pairs of row indices; fold {k} is {pair!r}."
        ) from None
    out = []
    for name, rows in (("train", train), ("test", test)):
        a: NDArray[Any] = np.asarray(rows)
        if a.dtype == bool:
            a = np.flatnonzero(a)
        if a.ndim != 1 or a.size == 0 or a.dtype.kind not in "iu":
            raise ValueError(
                f"cv fold {k}: the {name} rows must be a non-empty 1-D array of integer "
                f"indices (or a boolean mask); got {a.dtype} of shape {a.shape}."
            )
        if a.min() < -n_samples or a.max() >= n_samples:
            raise ValueError(
                f"cv fold {k}: {name} index {int(a.max())} is out of range for {n_samples} samples."
            )
        out.append(a.astype(np.intp) % n_samples)
    return out[0], out[1]


def make_folds(cv: Any, X: Any, y: ArrayLike) -> Folds:
    """``(train, test)`` index pairs from ``cv``: None (5 folds), an int, pairs, or a splitter.

    Examples
    --------
    >>> y = np.array([0, 1, 0, 1, 0, 1])
    >>> [test.tolist() for _, test in make_folds(3, None, y)]
    [[0, 1], [2, 3], [4, 5]]
    >>> [test.tolist() for _, test in make_folds([([0, 1], [2, 3])], None, y)]
    [[2, 3]]
    """
    n = len(np.asarray(y))
    if cv is None:
        cv = 5
    if isinstance(cv, (int, np.integer)) and not isinstance(cv, bool):
        pairs: Any = StratifiedKFold(int(cv)).split(X, y)
    elif hasattr(cv, "split") and not isinstance(cv, (str, bytes)):
        pairs = cv.split(X, y)
    elif hasattr(cv, "__iter__") and not isinstance(cv, (str, bytes)):
        pairs = cv
    else:
        raise ValueError(
            "cv must be None, an int (the number of stratified folds), an iterable of "
            f"(train, test) index pairs, or an object with a split(X, y) method; got {cv!r}."
        )
    folds = [_check_pair(pair, n, k) for k, pair in enumerate(pairs)]
    if not folds:
        raise ValueError("cv gave no folds: it must yield at least one (train, test) pair.")
    return folds
