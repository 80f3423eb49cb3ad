"""The search behind ``LogisticRegressionCV``: a warm path per fold, scores, the choice.

1. For each fold and each l1_ratio: fit the whole grid of ``Cs`` on the training rows,
   one warm-started regularization path (``log_reg.models.path.solve_path``), and score every
   point on the test rows. Class weights come from all rows, so each fold's training
   objective is the full objective restricted to its rows; a class missing from a fold
   keeps its row of coefficients.
2. Choose the index with the best mean score over folds (``best_index``), or, per fold,
   each fold's best (``refit=False``).
3. Refit on all rows at the chosen ``(C, l1_ratio)``, started at the folds' mean
   coefficients there, or average the folds' coefficients (``refit=False``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from log_reg.backends import backend_for
from log_reg.core.arrays import FloatArray, IntArray
from log_reg.core.loss import loss_for
from log_reg.models.estimator import LogisticRegression
from log_reg.models.folds import Folds
from log_reg.models.path import PathResult, solve_path
from log_reg.models.pipeline import Problem, prepare
from log_reg.models.scoring import Scorer, fold_scorer
from log_reg.solvers import SolverSpec

__all__ = ["Data", "Search", "Settings", "best_index", "choose", "search"]


@dataclass(frozen=True, eq=False)
class Data:
    """Validated data: ``X`` (float64), labels as given and encoded, and the weights.

    ``s`` weights the fits (sample weights times class weights); ``v``, the sample weights
    alone (``None`` when not given), weights the scores, as in scikit-learn.
    """

    X: Any
    y: NDArray[Any]
    classes: NDArray[Any]
    y_enc: IntArray
    s: FloatArray
    v: FloatArray | None


@dataclass(frozen=True)
class Settings:
    """The estimator's parameters, validated."""

    Cs: FloatArray
    l1_ratios: list[float]
    problems: list[Problem]  # the settings of the path for each l1_ratio
    specs: list[SolverSpec]  # the solver for each l1_ratio
    tol: float
    max_iter: int
    fit_intercept: bool
    multi_class: str
    intercept_scaling: float
    random_state: Any
    verbose: int
    refit: bool
    one_standard_error_rule: bool


@dataclass(frozen=True, eq=False)
class Search:
    """Everything the folds produced, indexed fold x l1_ratio x C."""

    paths: FloatArray  # (n_folds, n_l1, n_Cs, n_raw, n_dof): the weights, then the intercept
    scores: FloatArray  # (n_folds, n_l1, n_Cs)
    n_iter: NDArray[np.int32]  # (n_folds, n_l1, n_Cs)
    fits: list[PathResult]


def _path(
    data: Data,
    rows: IntArray,
    i: int,
    settings: Settings,
    start: Any = None,
    Cs: FloatArray | None = None,
) -> PathResult:
    """The path of l1_ratio number ``i`` on ``rows``, over ``Cs`` (default: the grid)."""
    X, problem = data.X[rows], settings.problems[i]
    K = len(data.classes)
    design = prepare(
        problem, backend_for(X), X, data.y_enc[rows], K, data.s[rows], settings.specs[i]
    )
    Cs = settings.Cs if Cs is None else Cs
    return solve_path(
        design, Cs, settings.l1_ratios[i], classes=data.classes, problem=problem, start=start
    )


def search(data: Data, folds: Folds, settings: Settings, scorer: Scorer) -> Search:
    """Step 1 of the module docstring."""
    K, d = len(data.classes), data.X.shape[1]
    n_raw, n_dof = loss_for(K).n_raw(K), d + settings.fit_intercept
    shape = (len(folds), len(settings.l1_ratios), len(settings.Cs))
    paths, scores = np.zeros((*shape, n_raw, n_dof)), np.empty(shape)
    n_iter, fits = np.empty(shape, dtype=np.int32), []
    model = LogisticRegression(multi_class=settings.multi_class)  # holds each point in turn
    model.classes_, model.n_features_in_ = data.classes, d
    score = fold_scorer(scorer, data.classes)
    for f, (train, test) in enumerate(folds):
        X_test, y_test = data.X[test], data.y[test]
        weights = {} if data.v is None else {"sample_weight": data.v[test]}
        for i in range(len(settings.l1_ratios)):
            # 1. the path on the training rows, warm-started from C to C
            path = _path(data, train, i, settings)
            paths[f, i, ..., :d] = path.coefs
            paths[f, i, ..., d:] = path.intercepts[..., None] if settings.fit_intercept else 0
            n_iter[f, i] = path.n_iter
            fits.append(path)
            # 2. every point scored on the test rows
            for j in range(len(settings.Cs)):
                model.coef_, model.intercept_ = path.coefs[j], path.intercepts[j]
                scores[f, i, j] = score(model, X_test, y_test, **weights)
            if settings.verbose > 0:
                print(
                    f"[LogisticRegressionCV] fold {f + 1}/{len(folds)}, l1_ratio "
                    f"{settings.l1_ratios[i]:g}: {len(settings.Cs)} values of C in "
                    f"{int(path.n_iter.sum())} iterations, best score {scores[f, i].max():.6g}"
                )
    return Search(paths, scores, n_iter, fits)


def best_index(scores: FloatArray, Cs: FloatArray, one_standard_error: bool) -> tuple[int, int]:
    """``(l1_ratio index, C index)`` of the best mean score over folds.

    Ties go to the first in scikit-learn's order (C first, then l1_ratio). With the
    one-standard-error rule: within the best l1_ratio, the smallest ``C`` whose mean score
    is at least the best minus its standard error.

    Examples
    --------
    >>> scores = np.array([[[0.5, 0.85, 0.9]], [[0.5, 0.65, 0.7]]])  # 2 folds, 1 ratio, 3 Cs
    >>> best_index(scores, np.array([0.1, 1, 10]), False)  # mean scores 0.5, 0.75, 0.8
    (0, 2)
    >>> best_index(scores, np.array([0.1, 1, 10]), True)  # 0.75 >= 0.8 - se = 0.8 - 0.1
    (0, 1)
    """
    total = scores.sum(axis=0).T  # (n_Cs, n_l1), scikit-learn's layout
    j, i = np.unravel_index(np.argmax(total), total.shape)
    if not one_standard_error:
        return int(i), int(j)
    n_folds = scores.shape[0]
    mean = scores[:, i, :].mean(axis=0)  # (n_Cs,)
    se = scores[:, i, j].std(ddof=1) / np.sqrt(n_folds) if n_folds > 1 else 0.0
    within = np.flatnonzero(mean >= mean[j] - se)
    return int(i), int(within[np.argmin(Cs[within])])


def choose(
    data: Data, found: Search, settings: Settings
) -> tuple[int, float, float, FloatArray, FloatArray, list[PathResult]]:
    """Steps 2 and 3: ``(l1_ratio index, C_, l1_ratio_, coef, intercept, refits)``."""
    d, Cs, ratios = data.X.shape[1], settings.Cs, np.asarray(settings.l1_ratios)
    rule = settings.one_standard_error_rule
    if settings.refit:
        i, j = best_index(found.scores, Cs, rule)
        mean = found.paths[:, i, j].mean(axis=0)  # (n_raw, n_dof): the folds' mean as start
        b0 = mean[:, d] if settings.fit_intercept else np.zeros(len(mean))
        rows = np.arange(data.X.shape[0])
        final = _path(data, rows, i, settings, start=(mean[:, :d], b0), Cs=Cs[[j]])
        return i, float(Cs[j]), float(ratios[i]), final.coefs[0], final.intercepts[0], [final]
    n_folds = found.scores.shape[0]
    if rule:  # one index for every fold
        best = [best_index(found.scores, Cs, rule)] * n_folds
    else:  # each fold's own best
        best = [best_index(found.scores[f : f + 1], Cs, False) for f in range(n_folds)]
    mean = np.mean([found.paths[f, i, j] for f, (i, j) in enumerate(best)], axis=0)
    b = mean[:, d] if settings.fit_intercept else np.zeros(len(mean))
    C = float(np.mean([Cs[j] for _, j in best]))
    l1_ratio = float(np.mean([ratios[i] for i, _ in best]))
    return best[0][0], C, l1_ratio, mean[:, :d], b, []
