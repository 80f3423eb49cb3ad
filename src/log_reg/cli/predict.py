"""``log-reg predict``: labels, or one probability column per class, for each row of a table.

The output is CSV with one line per input row, in order: a ``prediction`` column, or with
``--proba`` a ``proba_<class>`` column per class (written with ``repr``: the exact doubles);
``--id COL`` puts that column of the table first, as it is, so rows can be matched.
Columns the model does not use are ignored (a model fit with ``--formula`` reads the
columns of its formula's right side). A missing value in a column the model uses
is an error, unless ``--drop-missing`` skips those rows (a note says how many; with
``--id`` the output still says which row is which).
"""

from __future__ import annotations

import argparse

from log_reg.cli._io import note, read_table, require, write_csv
from log_reg.cli._outputs import refuse_overwriting, write_then_print
from log_reg.cli._table import drop_missing, encode, encoding_of, require_columns
from log_reg.files.persistence import read_model_file

HELP = "predict labels or class probabilities for the rows of a table, as CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="model file written by log-reg fit")
    parser.add_argument("data", help="CSV or Parquet file (by its ending); - reads CSV from stdin")
    parser.add_argument("--out", metavar="FILE", help="CSV file to write (default: stdout)")
    parser.add_argument("--proba", action="store_true", help="one probability column per class")
    parser.add_argument("--id", metavar="COL", help="copy this column of the table to the output")
    parser.add_argument(
        "--drop-missing", action="store_true", help="skip rows with missing values (not an error)"
    )


def run(args: argparse.Namespace) -> int:
    """Read the model, then the table; write the predictions."""
    inputs = [("model file", args.model), ("data file", args.data)]
    refuse_overwriting([("--out", args.out)], inputs)
    model_file = read_model_file(args.model)
    model, encoding = model_file.model, encoding_of(model_file)
    formula = getattr(model, "formula_", None)  # the model builds its own features
    if formula is not None:
        require("formulaic", "a model fit with --formula")
    table = read_table(args.data)
    if args.id is not None:
        require_columns(table, [args.id], role="--id column")
    hint = "predictions need every value; remove or fill in those rows, or pass --drop-missing."
    columns = encoding.columns if formula is None else formula.columns
    table, dropped = drop_missing(table, columns, drop=args.drop_missing, hint=hint)
    if dropped:
        which = "" if args.id else " (pass --id COL to tell the rows apart)"
        note(f"skipped {dropped} row(s) with missing values{which}.")
    X = encode(table, encoding) if formula is None else table.frame
    if args.proba:
        header = [f"proba_{c}" for c in model.classes_]
        rows = model.predict_proba(X).tolist()
    else:
        header, rows = ["prediction"], [[label] for label in model.predict(X).tolist()]
    if args.id is not None:
        column = table.frame[args.id]
        ids = column.astype(object).where(column.notna(), "").tolist()  # missing: empty
        header, rows = [args.id, *header], [[i, *row] for i, row in zip(ids, rows, strict=True)]
    if args.out is None or args.out == "-":
        write_csv(header, rows, None)
    else:
        write_then_print(lambda: write_csv(header, rows, args.out), args.out, None)
    return 0
