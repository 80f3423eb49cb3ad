"""What the command prints: aligned fields and tables, as plain text for a terminal or a log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from log_reg.cli._metrics import Evaluation
from log_reg.files.persistence import Encoding, ModelFile

__all__ = ["coefficient_table", "evaluation_report", "fields", "file_report", "fit_facts", "table"]


def fields(pairs: Sequence[tuple[str, str]]) -> str:
    """``name  value`` lines, the values aligned.

    Examples
    --------
    >>> print(fields([("classes", "0, 1"), ("accuracy", "0.9877")]))
    classes   0, 1
    accuracy  0.9877
    """
    width = max(len(name) for name, _ in pairs)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in pairs)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A text table: the first column left-aligned (names), the others right-aligned (numbers).

    Examples
    --------
    >>> print(table(["feature", "coef"], [["(intercept)", "0.5"], ["age", "-1.25"]]))
    feature       coef
    (intercept)    0.5
    age          -1.25
    """
    lines = [list(header), *map(list, rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def cells(line: list[str]) -> str:
        padded = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return "\n".join(cells(line) for line in lines)


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
    return f"{title}\n{table(header, rows)}"


def fit_facts(model: Any) -> str:
    """The solver, its iterations, and whether it converged, in words."""
    n_iter = [int(n) for n in model.n_iter_]
    iterations = f"{n_iter[0]} iterations"
    if len(n_iter) > 1:
        iterations = f"{'/'.join(map(str, n_iter))} iterations (one fit per class)"
    converged = (
        "converged" if model.converged_ else "NOT converged (try --max-iter or --standardize)"
    )
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
    return f"{lines}\n\n{title}\n{table(header, rows)}"


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
    pairs += [("fit", fit_facts(model)), ("final loss", final or "n/a")]
    return f"{fields(pairs)}\n\n{coefficient_table(model)}"


def class_counts(classes: Any, y: Any) -> str:
    """``label (n rows)`` for each class."""
    counts = np.bincount(y, minlength=len(classes))
    return ", ".join(f"{c} ({n} rows)" for c, n in zip(classes, counts, strict=True))
