"""``log-reg fit --cv K``: choose ``C`` by K-fold cross-validation, report, and plot.

``LogisticRegressionCV`` searches 10 values of ``C`` (log-loss, stratified folds, each
fold's path warm-started); the chosen ``C`` is then fitted on all rows as a plain
``LogisticRegression``, which is what the model file holds. ``--plots DIR`` draws the
regularization path (coefficients against ``C``) and the cross-validated score with its
standard error.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from log_reg import LogisticRegressionCV, regularization_path
from log_reg.cli._io import require
from log_reg.files.atomic import write_atomically

__all__ = ["choose_C", "score_table", "write_cv_plots"]

N_CS = 10


def choose_C(
    X: Any, y: Any, *, folds: int, l1_ratio: float, solver: str, max_iter: int, class_weight: Any
) -> LogisticRegressionCV:
    """The fitted search; raises ``ValueError`` (one line for the user) on a bad ``folds``."""
    if folds < 2:
        raise ValueError(f"--cv must be an integer >= 2 (folds); got {folds}.")
    search = LogisticRegressionCV(
        Cs=N_CS,
        cv=folds,
        l1_ratios=[l1_ratio],
        solver=solver,
        max_iter=max_iter,
        class_weight=class_weight,
        use_legacy_attributes=False,
    )
    return search.fit(X, y)


def _mean_and_error(search: LogisticRegressionCV) -> tuple[Any, Any]:
    """Per ``C``: the mean score over folds and its standard error, ``sd / sqrt(K)``."""
    scores = np.asarray(search.scores_)[:, 0, :]  # (folds, Cs): one l1_ratio
    return scores.mean(axis=0), scores.std(axis=0, ddof=1) / np.sqrt(len(scores))


def score_table(search: LogisticRegressionCV) -> str:
    """The chosen ``C`` and the score of every ``C`` tried, as aligned text."""
    mean, error = _mean_and_error(search)
    lines = [
        f"cross-validation ({len(search.scores_)} folds, score: minus log-loss):",
        f"{'C':>12} {'mean score':>12} {'std error':>10}",
    ]
    for C, m, e in zip(search.Cs_, mean, error, strict=True):
        mark = "  <- chosen" if np.isclose(C, search.C_) else ""
        lines.append(f"{C:12.4g} {m:12.5f} {e:10.5f}{mark}")
    return "\n".join(lines)


def write_cv_plots(
    directory: str, X: Any, y: Any, search: LogisticRegressionCV, names: list[str]
) -> list[Path]:
    """``path.png`` (coefficients against C) and ``cv.png`` (score against C, error bars)."""
    require("matplotlib", "--plots")
    from matplotlib.figure import Figure

    path = regularization_path(X, y, Cs=search.Cs_, l1_ratio=float(search.l1_ratio_))
    mean, error = _mean_and_error(search)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("path.png", "cv.png"):
        figure = Figure(figsize=(6, 4), layout="constrained")
        ax = figure.add_subplot()
        if name == "path.png":
            for j, label in enumerate(names[: path.coefs.shape[2]]):
                ax.plot(path.Cs, path.coefs[:, 0, j], label=label if j < 10 else None)
            ax.set(ylabel="coefficient", title="Regularization path")
            if names:
                ax.legend(fontsize="small", loc="best")
        else:
            ax.errorbar(search.Cs_, mean, yerr=error, marker="o", capsize=3)
            ax.set(ylabel="mean score (minus log-loss)", title="Cross-validated score")
        ax.axvline(search.C_, linestyle=":", color="gray")
        ax.set(xscale="log", xlabel="C (inverse penalty strength)")
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=100)
        write_atomically(folder / name, png.getvalue())
        written.append(folder / name)
    return written
