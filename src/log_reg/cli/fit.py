"""``log-reg fit``: fit a model on a table, save it as a model file, report on the fit.

Steps: 0. refuse an output that is an input; 1. read the table; 2. pick the feature
columns and handle missing values; 3. encode text columns (``_table``); 4. fit (with
``--cv``: choose ``C`` first), with a progress bar for long fits; 5. build the report;
6. save the model file (atomically) and print the report (``_outputs.write_then_print``).
With ``--formula``, ``log_reg.logit`` does 2.-4.: the formula names the target and builds
the features; its missing values are found after the fit, once the formula has named its
columns.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from log_reg import LogisticRegression, logit
from log_reg.cli import _report
from log_reg.cli._cv import PLOTS, SCORINGS, parse_Cs, score_table, search, write_cv_plots
from log_reg.cli._io import Table, note, read_table, require, warnings_as_notes
from log_reg.cli._metrics import evaluate
from log_reg.cli._outputs import refuse_overwriting, write_then_print
from log_reg.cli._progress import Progress, attach
from log_reg.cli._table import (
    class_weights,
    drop_missing,
    encode,
    learn_encoding,
    pick_features,
    scale_note,
    target_labels,
)
from log_reg.files.persistence import Encoding, save

HELP = "fit a model on a CSV or Parquet table and save it as a JSON model file"

DEFAULT_OUT = "model.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("data", help="CSV or Parquet file (by its ending); - reads CSV from stdin")
    add("--target", metavar="COL", help="the column of class labels (or give --formula)")
    add(
        "--formula",
        metavar='"Y ~ TERMS"',
        help="instead of --target, --features and --drop: a formula (formulaic's), the "
        "target on the left of ~, the features on the right (C(col): categorical; a:b: "
        "interaction; - 1: no intercept)",
    )
    add(
        "--features",
        metavar="A,B,...",
        help="feature columns, comma-separated (default: every column but the target); "
        "text columns are one-hot encoded, their first level (sorted) the reference",
    )
    add("--drop", metavar="A,B,...", help="columns to leave out of the features")
    add("--C", type=float, default=1.0, help="inverse penalty strength; inf: none (default 1)")
    add("--l1-ratio", type=float, default=0.0, help="elastic-net mix: 0 is L2, 1 is L1")
    add("--solver", default="auto", help="auto (default), lbfgs, newton, cd, gd, sgd, ...")
    add("--standardize", action="store_true", help="fit on standardized features")
    add(
        "--class-weight",
        metavar="WEIGHTS",
        help="'balanced' (inverse class frequency), CLASS=WEIGHT pairs (0=1,1=3) or a JSON "
        'object ({"0": 1, "1": 3}); classes left out weigh 1',
    )
    add("--max-iter", type=int, default=100, help="iterations at most (default 100)")
    add("--tol", type=float, default=1e-4, help="stop at this largest gradient (default 1e-4)")
    add("--seed", type=int, metavar="N", help="random seed (solvers sgd, newton-subsampled)")
    add("--out", default=DEFAULT_OUT, metavar="MODEL", help=f"model file (default {DEFAULT_OUT})")
    add("--drop-missing", action="store_true", help="drop rows with missing values")
    add("--quiet", action="store_true", help="no progress bar on stderr")
    add("--cv", type=int, metavar="K", help="choose C by K-fold cross-validation (K >= 2)")
    add(
        "--Cs",
        metavar="N|A,B,...",
        help="with --cv: how many values of C, log-spaced from 1e-4 to 1e4 (default 10), "
        "or the values, comma-separated",
    )
    add(
        "--scoring",
        choices=list(SCORINGS),
        help="with --cv: the score to maximize (default neg_log_loss)",
    )
    add("--plots", metavar="DIR", help="with --cv: PNGs of the path and the CV score")


def _check_options(args: argparse.Namespace) -> None:
    """Option mistakes and clashing files, before any work."""
    if (args.target is None) == (args.formula is None):
        raise ValueError("name the target with --target COL or --formula 'y ~ ...', one of them.")
    if args.formula is not None:
        given = [name for name in ("features", "drop", "cv") if getattr(args, name) is not None]
        if given:
            raise ValueError(f"--{given[0]} goes with --target COL, not with --formula.")
    if args.cv is None:
        given = [name for name in ("plots", "Cs", "scoring") if getattr(args, name) is not None]
        if given:
            raise ValueError(f"--{given[0]} goes with --cv K (it sets up the cross-validation).")
    elif args.cv < 2:
        raise ValueError(f"--cv must be an integer >= 2 (folds); got {args.cv}.")
    parse_Cs(args.Cs or "10")  # a bad grid is an error before any work
    plots = [("--plots", Path(args.plots, name)) for name in PLOTS] if args.plots else []
    refuse_overwriting([("--out", args.out), *plots], [("data file", args.data)])


def run(args: argparse.Namespace) -> int:
    """Fit, save, report; see the module docstring for the steps."""
    _check_options(args)
    require("rich", "printing the report")
    # 1.-3. the table, as the model's input
    table = read_table(args.data)
    if args.formula is not None:
        return _run_formula(args, table)
    features = pick_features(table, args.features, args.target, args.drop)
    hint = "fill them in, or pass --drop-missing to drop those rows."
    columns = [*features, args.target]
    table, dropped = drop_missing(table, columns, drop=args.drop_missing, hint=hint)
    if dropped:
        note(f"dropped {dropped} row(s) with missing values.")
    y = target_labels(table, args.target)
    encoding = learn_encoding(table, features, args.target)
    X = encode(table, encoding)
    options = {
        "l1_ratio": args.l1_ratio,
        "solver": args.solver,
        "max_iter": args.max_iter,
        "tol": args.tol,
        "class_weight": class_weights(args.class_weight, y),
        "random_state": args.seed,
    }
    # 4. fit (with --cv: choose C first)
    C, cv_report = (args.C, None) if args.cv is None else _choose_C(args, X, y, options, encoding)
    model = LogisticRegression(C=C, standardize=args.standardize, **options)
    with warnings_as_notes(lambda: scale_note(X)):
        _failing_clearly(lambda: _fit(model, X, y, quiet=args.quiet), X)
        # 5. the report, before the file: once the file is written, only printing remains
        data = f"{table.name}, target {args.target!r}"
        report = _report_text(model, X, y, data=data, out=args.out)
    if cv_report is not None:
        report += f"\n\n{cv_report}"
    # 6. save, report
    write_then_print(lambda: save(model, args.out, encoding=encoding), args.out, report)
    return 0


def _run_formula(args: argparse.Namespace, table: Table) -> int:
    """``--formula``: fit by ``log_reg.logit``, then report and save as for columns."""
    require("formulaic", "--formula")
    if args.class_weight not in (None, "balanced"):
        raise ValueError(
            "with --formula, --class-weight takes 'balanced'; per-class weights go with "
            "--target COL."
        )
    options = {
        "C": args.C,
        "l1_ratio": args.l1_ratio,
        "solver": args.solver,
        "standardize": args.standardize,
        "max_iter": args.max_iter,
        "tol": args.tol,
        "class_weight": args.class_weight,
        "random_state": args.seed,
    }
    # 2.-4. the formula's model matrix, fit (rows missing a value dropped, checked below)
    progress = Progress(sys.stderr, total=args.max_iter, enabled=not args.quiet)
    with warnings_as_notes(), progress:
        model = _failing_clearly(
            lambda: logit(args.formula, table.frame, callback=progress, **options), None
        )
    model.set_params(callback=None)  # a hook is no part of the saved model
    hint = "fill them in, or pass --drop-missing to drop those rows."
    used, dropped = drop_missing(table, model.formula_.variables, drop=args.drop_missing, hint=hint)
    if dropped:
        note(f"dropped {dropped} row(s) with missing values.")
    # 5. the report, on the rows of the fit
    y, X = model.formula_.labels(used.frame), model.formula_.model_matrix(used.frame)
    with warnings_as_notes(lambda: scale_note(X)):
        data = f"{table.name}, formula {args.formula!r}"
        report = _report_text(model, used.frame, y, data=data, out=args.out, features=X)
    # 6. save, report
    write_then_print(lambda: save(model, args.out), args.out, report)
    return 0


def _choose_C(
    args: argparse.Namespace, X: Any, y: Any, options: dict[str, Any], encoding: Encoding
) -> tuple[float, str]:
    """``--cv``: the chosen ``C`` and the search's report (with ``--plots``, drawn)."""
    with warnings_as_notes(lambda: scale_note(X)):
        found = _failing_clearly(
            lambda: search(
                X,
                y,
                folds=args.cv,
                standardize=args.standardize,
                fit_options=options,
                Cs=parse_Cs(args.Cs or "10"),
                scoring=args.scoring or "neg_log_loss",
            ),
            X,
        )
    report = score_table(found)
    if args.plots:
        names = encoding.feature_names()
        written = write_cv_plots(args.plots, y, found, names, np.unique(y))
        report += "\n" + _report.fields([("plots", ", ".join(map(str, written)))])
    return float(found.result.C_), report


def _failing_clearly(fit: Any, X: Any) -> Any:
    """``fit()``, with a failure of its linear algebra explained (as a one-line error); ``X``
    the encoded features, if known before the fit."""
    try:
        return fit()
    except np.linalg.LinAlgError as error:
        scale = None if X is None else scale_note(X)
        reason = scale or "the features may be nearly collinear: try --standardize."
        raise ValueError(f"the fit failed in its linear algebra ({error}); {reason}") from None


def _report_text(
    model: LogisticRegression, X: Any, y: Any, *, data: str, out: str, features: Any = None
) -> str:
    """The report on the fit; ``X`` what the model predicts from, ``features`` the encoded
    features when they differ (a formula's model matrix)."""
    classes = model.classes_
    index = np.searchsorted(classes, y)  # class indices: classes_ is sorted
    predicted = np.searchsorted(classes, model.predict(X))
    training = evaluate(index, model.predict_proba(X), model.predict_log_proba(X), predicted)
    facts = _report.fields(
        [
            ("data", f"{data}: {len(y)} rows, {model.n_features_in_} features"),
            ("classes", _report.class_counts(classes, index)),
            ("fit", _report.fit_facts(model)),
            ("training", f"log-loss {training.log_loss:.4f}, accuracy {training.accuracy:.4f}"),
            ("model", out),
        ]
    )
    errors = _standard_errors(model, X, y, X if features is None else features)
    return f"{facts}\n\n{_report.coefficient_table(model) if errors is None else errors}"


def _fit(model: LogisticRegression, X: Any, y: Any, *, quiet: bool) -> None:
    """Fit, with a progress bar when the estimator takes a callback (``_progress.attach``)."""
    with Progress(sys.stderr, total=model.max_iter, enabled=not quiet) as progress:
        hooked = attach(model, progress)
        model.fit(X, y)
    if hooked:
        model.set_params(callback=None)  # a hook is no part of the saved model


def _standard_errors(model: LogisticRegression, X: Any, y: Any, features: Any) -> str | None:
    """The standard-error table (``model.summary``) of an unpenalized fit that converged;
    ``features`` as ``X`` encoded, for the notes."""
    if np.isfinite(model.C):
        return None
    if not model.converged_:
        note("no standard errors: the fit did not converge, so they would not be valid.")
        return None
    try:
        return str(model.summary(X=X, y=y))
    except np.linalg.LinAlgError as error:
        reason = scale_note(features) or "the features may be collinear."
        note(f"no standard errors: the covariance could not be computed ({error}); {reason}")
        return None
    except ValueError as error:  # e.g. a one-vs-rest fit, which has no joint covariance
        note(f"no standard errors: {error}")
        return None
