"""``log-reg evaluate``: score a model on a labelled table; optionally, draw the curves.

Prints accuracy, log-loss, ROC AUC (the rank formula; one-vs-rest, averaged, beyond two
classes), Brier score and the confusion matrix; ``--plots DIR`` also writes ``roc.png``,
``calibration.png`` and ``loss.png`` (the training loss stored in the model file).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from log_reg.cli import _report
from log_reg.cli._io import note, read_table, require, warnings_as_notes
from log_reg.cli._metrics import evaluate
from log_reg.cli._outputs import refuse_overwriting
from log_reg.cli._plots import PLOTS, write_plots
from log_reg.cli._table import drop_missing, encode, encoding_of, match_labels, scale_note
from log_reg.files.persistence import read_model_file

HELP = "score a model on a labelled table: accuracy, log-loss, ROC AUC, Brier, confusion"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="model file written by log-reg fit")
    parser.add_argument("data", help="CSV or Parquet file (by its ending); - reads CSV from stdin")
    parser.add_argument(
        "--target", metavar="COL", help="the column of true labels (default: the model's target)"
    )
    parser.add_argument("--plots", metavar="DIR", help="write ROC, calibration and loss PNGs here")
    parser.add_argument("--drop-missing", action="store_true", help="drop rows with missing values")


def run(args: argparse.Namespace) -> int:
    """Read the model, then the table; score; draw; print."""
    outputs = [("--plots", Path(args.plots, name)) for name in PLOTS] if args.plots else []
    refuse_overwriting(outputs, [("model file", args.model), ("data file", args.data)])
    require("rich", "printing the report")
    model_file = read_model_file(args.model)
    model, encoding = model_file.model, encoding_of(model_file)
    formula = getattr(model, "formula_", None)  # a model fit with --formula builds its features
    if formula is not None:
        require("formulaic", "a model fit with --formula")
    target = args.target or (encoding.target if formula is None else formula.outcome)
    if target is None:
        raise ValueError(f"{args.model} does not name its target column: pass --target COL.")
    if args.plots:
        require("matplotlib", "--plots")  # before any work
    table = read_table(args.data)
    columns = [*(encoding.columns if formula is None else formula.columns), target]
    hint = "fill them in, or pass --drop-missing to drop those rows."
    table, dropped = drop_missing(table, columns, drop=args.drop_missing, hint=hint)
    if dropped:
        note(f"dropped {dropped} row(s) with missing values.")
    X = encode(table, encoding) if formula is None else table.frame
    y = match_labels(table, target, model.classes_)
    features = X if formula is None else formula.model_matrix(X)
    with warnings_as_notes(lambda: scale_note(features)):
        P = model.predict_proba(X)
        predicted = np.searchsorted(model.classes_, model.predict(X))  # classes_ is sorted
        scores = evaluate(y, P, model.predict_log_proba(X), predicted)
        plots = write_plots(args.plots, y=y, P=P, model=model) if args.plots else []
    facts = [("data", f"{table.name}: {len(y)} rows, target {target!r}")]
    facts += [("plots", ", ".join(map(str, plots)))] if plots else []
    print(f"{_report.fields(facts)}\n\n{_report.evaluation_report(scores, model.classes_)}")
    return 0
