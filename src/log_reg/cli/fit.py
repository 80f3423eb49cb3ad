"""``log-reg fit``: fit a model on a table, save it as a model file, report on the fit.

Steps: 1. read the table; 2. pick the feature columns and handle missing values;
3. encode text columns (``_table``); 4. fit, with a progress line for long fits;
5. save the model file (atomically); 6. print the report.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from log_reg import LogisticRegression
from log_reg.cli import _report
from log_reg.cli._cv import choose_C, score_table, write_cv_plots
from log_reg.cli._io import note, read_table, warnings_as_notes
from log_reg.cli._metrics import evaluate
from log_reg.cli._progress import Progress, attach
from log_reg.cli._table import drop_missing, encode, learn_encoding, pick_features, target_labels
from log_reg.files.persistence import save

HELP = "fit a model on a CSV or Parquet table and save it as a JSON model file"

DEFAULT_OUT = "model.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("data", help="CSV or Parquet file (by its ending); - reads CSV from stdin")
    add("--target", required=True, metavar="COL", help="the column of class labels")
    add(
        "--features",
        metavar="A,B,...",
        help="feature columns, comma-separated (default: every column but the target); "
        "text columns are one-hot encoded, their first level (sorted) the reference",
    )
    add("--C", type=float, default=1.0, help="inverse penalty strength; inf: none (default 1)")
    add("--l1-ratio", type=float, default=0.0, help="elastic-net mix: 0 is L2, 1 is L1")
    add("--solver", default="auto", help="auto (default), lbfgs, newton, cd, gd, sgd, ...")
    add("--standardize", action="store_true", help="fit on standardized features")
    add("--class-weight", choices=["balanced"], help="weigh classes by inverse frequency")
    add("--max-iter", type=int, default=100, help="iterations at most (default 100)")
    add("--out", default=DEFAULT_OUT, metavar="MODEL", help=f"model file (default {DEFAULT_OUT})")
    add("--drop-missing", action="store_true", help="drop rows with missing values")
    add("--quiet", action="store_true", help="no progress line on stderr")
    add("--cv", type=int, metavar="K", help="choose C by K-fold cross-validation (10 values)")
    add("--plots", metavar="DIR", help="with --cv: PNGs of the path and the CV score")


def run(args: argparse.Namespace) -> int:
    """Fit, save, report; see the module docstring for the steps."""
    # 1.-3. the table, as the model's input
    table = read_table(args.data)
    features = pick_features(table, args.features, args.target)
    hint = "fill them in, or pass --drop-missing to drop those rows."
    columns = [*features, args.target]
    table, dropped = drop_missing(table, columns, drop=args.drop_missing, hint=hint)
    if dropped:
        note(f"dropped {dropped} row(s) with missing values.")
    y = target_labels(table, args.target)
    encoding = learn_encoding(table, features, args.target)
    X = encode(table, encoding)
    # 4. fit (with --cv: choose C first)
    C, cv_report = args.C, None
    if args.plots and not args.cv:
        raise ValueError("--plots goes with --cv K (the plots show the cross-validation).")
    if args.cv:
        if args.standardize:
            raise ValueError("--cv does not combine with --standardize yet; scale the data.")
        with warnings_as_notes():
            search = choose_C(
                X,
                y,
                folds=args.cv,
                l1_ratio=args.l1_ratio,
                solver=args.solver,
                max_iter=args.max_iter,
                class_weight=args.class_weight,
            )
        C, cv_report = float(search.C_), score_table(search)
        if args.plots:
            written = write_cv_plots(args.plots, X, y, search, encoding.feature_names())
            cv_report += "\nplots  " + ", ".join(str(p) for p in written)
    model = LogisticRegression(
        C=C,
        l1_ratio=args.l1_ratio,
        solver=args.solver,
        standardize=args.standardize,
        class_weight=args.class_weight,
        max_iter=args.max_iter,
    )
    with warnings_as_notes():
        _fit(model, X, y, quiet=args.quiet)
        # 5. save, 6. report
        save(model, args.out, encoding=encoding)
        data = f"{table.name}, target {args.target!r}"
        print(_report_text(model, X, y, data=data, out=args.out))
        if cv_report is not None:
            print(f"\n{cv_report}")
    return 0


def _report_text(model: LogisticRegression, X: Any, y: Any, *, data: str, out: str) -> str:
    classes = model.classes_
    index = np.searchsorted(classes, y)  # class indices: classes_ is sorted
    predicted = np.searchsorted(classes, model.predict(X))
    training = evaluate(index, model.predict_proba(X), model.predict_log_proba(X), predicted)
    facts = _report.fields(
        [
            ("data", f"{data}: {len(y)} rows, {X.shape[1]} features"),
            ("classes", _report.class_counts(classes, index)),
            ("fit", _report.fit_facts(model)),
            ("training", f"log-loss {training.log_loss:.4f}, accuracy {training.accuracy:.4f}"),
            ("model", out),
        ]
    )
    errors = _standard_errors(model, X, y)  # the coefficients, with their uncertainty
    return f"{facts}\n\n{_report.coefficient_table(model) if errors is None else errors}"


def _fit(model: LogisticRegression, X: Any, y: Any, *, quiet: bool) -> None:
    """Fit, with a progress line when the estimator takes a callback (``_progress.attach``)."""
    with Progress(sys.stderr, enabled=not quiet) as progress:
        hooked = attach(model, progress)
        model.fit(X, y)
    if hooked:
        model.set_params(callback=None)  # a hook is no part of the saved model


def _standard_errors(model: LogisticRegression, X: Any, y: Any) -> str | None:
    """The standard-error table (``log_reg.inference.summary.summary``) of an unpenalized fit."""
    if np.isfinite(model.C):
        return None
    from log_reg.inference.summary import summary

    try:
        return str(summary(model, X, y))
    except ValueError as error:  # e.g. a one-vs-rest fit, which has no joint covariance
        note(f"no standard errors: {error}")
        return None
