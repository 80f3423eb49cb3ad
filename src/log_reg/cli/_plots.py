"""``evaluate --plots``: ROC curve, calibration curve and training loss, as PNG files.

Figures are drawn with ``matplotlib.figure.Figure`` directly, not ``pyplot``: no global
state and no window, and saving to PNG uses the Agg renderer whatever the backend setting.
Each PNG is written atomically, like every file the command writes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from log_reg.cli._io import require
from log_reg.cli._metrics import calibration_bins, rank_auc, roc_curve
from log_reg.files.atomic import write_atomically

__all__ = ["PLOTS", "figures", "write_plots"]


def _one_vs_rest(classes: Any) -> list[int]:
    """The classes that get a curve: class 1 of two, else every class against the rest."""
    return [1] if len(classes) == 2 else list(range(len(classes)))


def _roc(ax: Any, *, y: Any, P: Any, classes: Any, model: Any) -> None:
    for k in _one_vs_rest(classes):
        fpr, tpr = roc_curve(P[:, k], y == k)
        auc = rank_auc(P[:, k], y == k)
        ax.plot(fpr, tpr, label=f"{classes[k]} (AUC {'n/a' if np.isnan(auc) else f'{auc:.3f}'})")
    ax.plot([0, 1], [0, 1], linestyle=":", color="gray", label="chance (AUC 0.5)")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC curve")
    ax.legend(title="class" if len(classes) == 2 else "class against the rest", loc="lower right")


def _calibration(ax: Any, *, y: Any, P: Any, classes: Any, model: Any) -> None:
    for k in _one_vs_rest(classes):
        predicted, observed = calibration_bins(P[:, k], y == k)
        ax.plot(predicted, observed, marker="o", label=f"{classes[k]}")
    ax.plot([0, 1], [0, 1], linestyle=":", color="gray", label="perfect")
    ax.set(
        xlabel="predicted probability (10 bins)",
        ylabel="observed frequency",
        title="Calibration curve",
    )
    ax.legend(title="class", loc="upper left")


def _loss(ax: Any, *, y: Any, P: Any, classes: Any, model: Any) -> None:
    history = model.loss_history_
    histories = history if isinstance(history, list) else [history]  # one per fit
    for k, h in enumerate(histories):
        label = f"{classes[k]}" if len(histories) > 1 else None
        ax.plot(np.arange(len(h)), h, marker=".", label=label)  # entry 0: the start
    ax.set(
        xlabel="iteration (0: the start)",
        ylabel="objective",
        title=f"Training loss ({model.solver_})",
    )
    if len(histories) > 1:
        ax.legend(title="one-vs-rest fit")


#: File name -> drawing function.
PLOTS: dict[str, Callable[..., None]] = {
    "roc.png": _roc,
    "calibration.png": _calibration,
    "loss.png": _loss,
}


def figures(*, y: Any, P: Any, model: Any) -> dict[str, Any]:
    """Every entry of ``PLOTS`` drawn on a ``matplotlib.figure.Figure`` of its own."""
    require("matplotlib", "--plots")
    from matplotlib.figure import Figure

    drawn = {}
    for name, draw in PLOTS.items():
        figure = Figure(figsize=(5, 4), layout="constrained")
        draw(figure.add_subplot(), y=y, P=P, classes=model.classes_, model=model)
        drawn[name] = figure
    return drawn


def write_plots(directory: str, *, y: Any, P: Any, model: Any) -> list[Path]:
    """Draw every entry of ``PLOTS`` into ``directory`` (created if needed); the paths written."""
    drawn = figures(y=y, P=P, model=model)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, figure in drawn.items():
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=100)
        write_atomically(folder / name, png.getvalue())
        written.append(folder / name)
    return written
