"""``log-reg fit --cv K``: choose ``C`` by K-fold cross-validation, report, and plot.

``LogisticRegressionCV`` searches a grid of ``C`` (``--Cs``: 10 values from 1e-4 to 1e4 by
default, or the values given), scored by ``--scoring`` (log-loss by default) on stratified
folds, each fold's path warm-started; the chosen ``C`` is then fitted on all rows as a
plain ``LogisticRegression``, which is what the model file holds. ``--plots DIR`` draws the
regularization path (coefficients against ``C``, one panel per class beyond two) and the
cross-validated score with its standard error.

With ``--standardize`` the search runs on the features standardized once, by the means and
standard deviations of all rows, and the final fit standardizes by the same statistics, so
a ``C`` means the same penalty in the search and in the model. The labels play no part in
that scaling; the held-out rows of each fold do, a little, through the means (a pipeline
would standardize inside each fold; ``LogisticRegressionCV`` has no such step).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from log_reg import LogisticRegressionCV, regularization_path
from log_reg.cli._io import require
from log_reg.cli._report import table
from log_reg.files.atomic import write_atomically

__all__ = [
    "PLOTS",
    "SCORINGS",
    "Search",
    "cv_figures",
    "parse_Cs",
    "score_table",
    "search",
    "write_cv_plots",
]

#: ``--scoring`` names (LogisticRegressionCV's, computed in NumPy) -> words for the report.
SCORINGS = {"neg_log_loss": "minus log-loss", "accuracy": "accuracy", "roc_auc": "ROC AUC"}

#: The path plot's legend names this many features, those with the largest coefficients,
#: each in a colour of matplotlib's cycle but its grey (the other features are grey).
LEGEND_FEATURES = 8
PALETTE = [f"C{i}" for i in (0, 1, 2, 3, 4, 5, 6, 8)]

#: The files ``write_cv_plots`` writes.
PLOTS = ("path.png", "cv.png")


def parse_Cs(text: str) -> int | list[float]:
    """``--Cs``: a number of values (log-spaced over 1e-4 .. 1e4) or comma-separated values.

    Examples
    --------
    >>> parse_Cs("20"), parse_Cs("0.1, 1, 10")
    (20, [0.1, 1.0, 10.0])
    """
    usage = f"--Cs must be a count of values >= 2 or values > 0 separated by commas; got {text!r}."
    if text.strip().isdigit():
        count = int(text)
        if count < 2:
            raise ValueError(usage)
        return count
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(usage) from None
    if not all(np.isfinite(v) and v > 0 for v in values) or len(set(values)) != len(values):
        raise ValueError(usage)
    return values


@dataclass(frozen=True, eq=False)
class Search:
    """The fitted search, and the matrix it ran on (standardized with ``--standardize``)."""

    result: LogisticRegressionCV
    X: Any
    standardized: bool


def search(
    X: Any,
    y: Any,
    *,
    folds: int,
    standardize: bool,
    fit_options: dict[str, Any],
    Cs: int | list[float],
    scoring: str,
) -> Search:
    """The fitted search; ``fit_options``: ``l1_ratio``, ``solver``, ``max_iter``, ``tol``,
    ``class_weight``, ``random_state``, as the final ``LogisticRegression`` gets them."""
    if folds < 2:
        raise ValueError(f"--cv must be an integer >= 2 (folds); got {folds}.")
    if standardize:
        mean, sd = X.mean(axis=0), X.std(axis=0, ddof=0)
        X = (X - mean) / sd.where(sd > 0, 1.0)  # the estimator's rule: constant columns stay
    options = dict(fit_options)
    cv = LogisticRegressionCV(
        Cs=Cs,
        cv=folds,
        l1_ratios=[options.pop("l1_ratio")],
        scoring=scoring,
        use_legacy_attributes=False,
        **options,
    )
    return Search(cv.fit(X, y), X, standardize)


def _mean_and_error(cv: LogisticRegressionCV) -> tuple[Any, Any]:
    """Per ``C``: the mean score over folds and its standard error, ``sd / sqrt(K)``."""
    scores = np.asarray(cv.scores_)[:, 0, :]  # (folds, Cs): one l1_ratio
    return scores.mean(axis=0), scores.std(axis=0, ddof=1) / np.sqrt(len(scores))


def score_table(found: Search) -> str:
    """The chosen ``C`` and the score of every ``C`` tried, as a table."""
    cv = found.result
    mean, error = _mean_and_error(cv)
    chosen = [bool(np.isclose(C, cv.C_)) for C in cv.Cs_]
    rows = [
        [f"{C:.4g}", f"{m:.5f}", f"{e:.5f}", "<- chosen" if mark else ""]
        for C, m, e, mark in zip(cv.Cs_, mean, error, chosen, strict=True)
    ]
    scale = ", on standardized features" if found.standardized else ""
    title = (
        f"cross-validation ({len(cv.scores_)} folds, score: {SCORINGS[str(cv.scoring)]}{scale}):"
    )
    header, justify = ["C", "mean score", "std error", ""], ["right"] * 3 + ["left"]
    return table(header, rows, title=title, marked=chosen, justify=justify)


def _path_figure(found: Search, y: Any, names: list[str], classes: Any) -> Any:
    """Coefficients against ``C``: one panel for two classes, one per class beyond; a legend
    beside the panels naming the ``LEGEND_FEATURES`` largest, the rest drawn in grey."""
    from matplotlib.figure import Figure

    cv = found.result
    path = regularization_path(
        found.X,
        y,
        Cs=cv.Cs_,
        l1_ratio=float(cv.l1_ratio_),
        class_weight=cv.class_weight,
        solver=cv.solver,
        max_iter=cv.max_iter,
        tol=cv.tol,
    )
    coefs = path.coefs  # (n_Cs, n_raw, n_features)
    n_raw, n_features = coefs.shape[1:]
    size = np.abs(coefs).max(axis=(0, 1))  # (n_features,): the largest along the path
    top = np.argsort(-size, kind="stable")[:LEGEND_FEATURES]
    figure = Figure(figsize=(8, 1.5 + 2.5 * n_raw), layout="constrained")
    axes = figure.subplots(n_raw, 1, sharex=True, squeeze=False)[:, 0]
    rest = sorted(set(range(n_features)) - set(top.tolist()))
    for k, ax in enumerate(axes):
        for j in rest:  # grey, beneath
            ax.plot(path.Cs, coefs[:, k, j], color="0.8", lw=0.8)
        for color, j in zip(PALETTE, top, strict=False):  # largest first, as the legend
            ax.plot(
                path.Cs, coefs[:, k, j], color=color, lw=1.5, label=names[j] if k == 0 else None
            )
        ax.axvline(cv.C_, linestyle=":", color="gray")
        scale = " (standardized)" if found.standardized else ""
        what = (
            f"log-odds of {classes[1]} against {classes[0]}"
            if n_raw == 1
            else f"class {classes[k]}"
        )
        ax.set(xscale="log", ylabel=f"coefficient{scale}", title=what)
    axes[-1].set(xlabel="C (inverse penalty strength; dotted: chosen)")
    shown = "all" if n_features <= LEGEND_FEATURES else f"largest {len(top)} of {n_features}"
    figure.suptitle("Regularization path")
    figure.legend(loc="outside right upper", fontsize="small", title=f"features ({shown})")
    return figure


def _score_figure(found: Search) -> Any:
    """The mean cross-validated score against ``C``, with standard-error bars."""
    from matplotlib.figure import Figure

    cv = found.result
    mean, error = _mean_and_error(cv)
    figure = Figure(figsize=(6, 4), layout="constrained")
    ax = figure.add_subplot()
    ax.errorbar(cv.Cs_, mean, yerr=error, marker="o", capsize=3)
    ax.axvline(cv.C_, linestyle=":", color="gray")
    ax.set(
        xscale="log",
        xlabel="C (inverse penalty strength; dotted: chosen)",
        ylabel=f"mean score ({SCORINGS[str(cv.scoring)]})",
        title="Cross-validated score",
    )
    return figure


def cv_figures(found: Search, y: Any, names: list[str], classes: Any) -> dict[str, Any]:
    """``PLOTS`` -> its figure: ``path.png`` the path, ``cv.png`` the score against ``C``."""
    require("matplotlib", "--plots")
    return {"path.png": _path_figure(found, y, names, classes), "cv.png": _score_figure(found)}


def write_cv_plots(
    directory: str, y: Any, found: Search, names: list[str], classes: Any
) -> list[Path]:
    """Write ``cv_figures`` into ``directory`` (created if needed); the paths written."""
    drawn = cv_figures(found, y, names, classes)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, figure in drawn.items():
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=100)
        write_atomically(folder / name, png.getvalue())
        written.append(folder / name)
    return written
