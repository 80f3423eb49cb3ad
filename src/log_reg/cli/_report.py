"""What the command prints: aligned fields and tables, drawn by rich.

Everything is rendered to a string (``render``), so that a report can be assembled and
checked before anything is printed. On a terminal the text is styled (bold headers) and
wraps at the terminal's width; printed to a file or a pipe it is plain and as wide as it
needs to be, so a log or a test sees the same text on every machine. ``NO_COLOR`` turns
the styles off on a terminal too.
"""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from log_reg.cli._io import require
from log_reg.cli._metrics import Evaluation
from log_reg.files.persistence import Encoding, ModelFile

__all__ = [
    "coefficient_table",
    "evaluation_report",
    "fields",
    "file_report",
    "fit_facts",
    "render",
    "table",
]


def render(*parts: Any) -> str:
    """Rich renderables (or strings, taken as plain text) as the text standard output shows.

    Lines lose their trailing spaces (rich pads cells to the column's width).
    """
    console = require("rich.console", "printing the report")
    text = require("rich.text", "printing the report")
    terminal = sys.stdout.isatty()
    buffer = io.StringIO()
    printer = console.Console(
        file=buffer,
        force_terminal=terminal,
        no_color=None if terminal else True,  # None: the NO_COLOR variable decides
        width=shutil.get_terminal_size().columns if terminal else 10_000,
        highlight=False,
        markup=False,
        emoji=False,
    )
    for part in parts:
        printer.print(text.Text(part) if isinstance(part, str) else part)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def fields(pairs: Sequence[tuple[str, str]]) -> str:
    """``name  value`` lines, the values aligned.

    Examples
    --------
    >>> print(fields([("classes", "0, 1"), ("accuracy", "0.9877")]))
    classes   0, 1
    accuracy  0.9877
    """
    rich_table, text = require("rich.table", "printing"), require("rich.text", "printing")
    grid = rich_table.Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in pairs:
        grid.add_row(text.Text(name), text.Text(value))
    return render(grid)


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    marked: Sequence[bool] = (),
    justify: Sequence[str] = (),
) -> str:
    """A table: the first column left-aligned (names), the others right-aligned (numbers).

    ``title`` goes on a line above; rows with ``marked`` True are drawn bold on a terminal;
    ``justify`` ("left" or "right" per column) overrides the alignment.

    Examples
    --------
    >>> print(table(["feature", "coef"], [["(intercept)", "0.5"], ["age", "-1.25"]]))
    feature       coef
    (intercept)    0.5
    age          -1.25
    """
    rich_table, text = require("rich.table", "printing"), require("rich.text", "printing")
    grid = rich_table.Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
    sides = list(justify) or ["left"] + ["right"] * (len(header) - 1)
    for i, (name, side) in enumerate(zip(header, sides, strict=True)):
        grid.add_column(text.Text(name), justify=side, no_wrap=i == 0)
    for i, row in enumerate(rows):
        bold = i < len(marked) and marked[i]
        grid.add_row(*map(text.Text, row), style="bold" if bold else None)
    return render(*([text.Text(title, style="bold")] if title else []), grid)


def _labels(values: Any) -> str:
    return ", ".join(str(v) for v in values)


def coefficient_table(model: Any) -> str:
    """The intercept and coefficients, one row per feature; one column per class beyond two."""
    classes = model.classes_
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = [f"x{j}" for j in range(model.n_features_in_)]
    if len(classes) == 2:
        title = f"coefficients (log-odds of {classes[1]} against {classes[0]}):"
        header = ["feature", "coef"]
    else:
        title = "coefficients (one column per class):"
        header = ["feature", *map(str, classes)]
    rows = [["(intercept)", *(f"{b:.4g}" for b in model.intercept_)]]
    for name, column in zip(names, model.coef_.T, strict=True):  # column: (n_rows,)
        rows.append([str(name), *(f"{w:.4g}" for w in column)])
    return table(header, rows, title=title)


def fit_facts(model: Any) -> str:
    """The solver, its iterations, and whether it converged, in words.

    An unconverged fit gets only the hints that can help: ``--max-iter`` if the fit used
    all of its iterations, ``--standardize`` if it did not standardize already.
    """
    n_iter = [int(n) for n in model.n_iter_]
    iterations = f"{n_iter[0]} iterations"
    if len(n_iter) > 1:
        iterations = f"{'/'.join(map(str, n_iter))} iterations (one fit per class)"
    converged = "converged"
    if not model.converged_:
        hints = ["--max-iter"] if max(n_iter) >= model.max_iter else []
        hints += [] if model.standardize else ["--standardize"]
        converged = "NOT converged" + (f" (try {' or '.join(hints)})" if hints else "")
    return f"{model.solver_}, {iterations}, {converged}"


def _encoding_facts(encoding: Encoding) -> str:
    numeric = len(encoding.columns) - len(encoding.categories)
    facts = f"{len(encoding.columns)} columns: {numeric} numeric"
    for column, levels in encoding.categories.items():
        facts += f"; {column!r}: text, levels {_labels(levels)} (reference {levels[0]})"
    return facts


def _score(value: float) -> str:
    """Four decimals; "n/a" for an AUC without both positive and negative rows."""
    return "n/a" if np.isnan(value) else f"{value:.4f}"


def evaluation_report(evaluation: Evaluation, classes: Any) -> str:
    """Accuracy, log-loss, ROC AUC, Brier score and the confusion matrix."""
    auc = _score(evaluation.mean_auc)
    if len(classes) > 2:
        pairs = zip(classes, evaluation.auc, strict=True)
        auc += f" (mean of one-vs-rest: {', '.join(f'{c} {_score(a)}' for c, a in pairs)})"
    lines = fields(
        [
            ("accuracy", f"{evaluation.accuracy:.4f}"),
            ("log-loss", f"{evaluation.log_loss:.4f}"),
            ("ROC AUC", auc),
            ("Brier", f"{evaluation.brier:.4f}"),
        ]
    )
    header = ["true \\ predicted", *map(str, classes)]
    rows = [[str(c), *map(str, row)] for c, row in zip(classes, evaluation.confusion, strict=True)]
    title = "confusion matrix (rows: true class, columns: predicted class):"
    return f"{lines}\n\n{table(header, rows, title=title)}"


def file_report(model_file: ModelFile, path: str) -> str:
    """What a model file holds, for ``log-reg summary``."""
    model = model_file.model
    classes = model.classes_
    kind = {"b": "bool", "i": "int", "u": "int", "f": "float"}.get(classes.dtype.kind, "str")
    history = model.loss_history_
    history = history if isinstance(history, list) else [history]  # one array per fit
    final = ", ".join(f"{h[-1]:.4g}" for h in history if len(h))
    pairs = [
        (
            "file",
            f"{path} (format {model_file.format_version}, log_reg {model_file.library_version})",
        ),
        ("estimator", repr(model)),
        ("classes", f"{_labels(classes)} ({kind})"),
        ("features", str(model.n_features_in_)),
    ]
    encoding = model_file.encoding
    if encoding is not None:
        pairs += [("columns", _encoding_facts(encoding)), ("target", repr(encoding.target))]
    formula = getattr(model, "formula_", None)  # a model fit with --formula
    if formula is not None:
        pairs += [("formula", formula.formula)]
    pairs += [("fit", fit_facts(model)), ("final loss", final or "n/a")]
    return f"{fields(pairs)}\n\n{coefficient_table(model)}"


def class_counts(classes: Any, y: Any) -> str:
    """``label (n rows)`` for each class."""
    counts = np.bincount(y, minlength=len(classes))
    return ", ".join(f"{c} ({n} rows)" for c, n in zip(classes, counts, strict=True))
