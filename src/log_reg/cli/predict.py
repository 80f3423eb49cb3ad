"""``log-reg predict``: labels, or one probability column per class, for each row of a table.

The output is CSV with one line per input row, in order: a ``prediction`` column, or with
``--proba`` a ``proba_<class>`` column per class (written with ``repr``: the exact doubles).
Columns the model does not use are ignored; missing values are an error (dropping rows
would misalign the output with the input).
"""

from __future__ import annotations

import argparse

from log_reg.cli._io import read_table, write_csv
from log_reg.cli._table import drop_missing, encode, encoding_of
from log_reg.files.persistence import read_model_file

HELP = "predict labels or class probabilities for the rows of a table, as CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="model file written by log-reg fit")
    parser.add_argument("data", help="CSV or Parquet file (by its ending); - reads CSV from stdin")
    parser.add_argument("--out", metavar="FILE", help="CSV file to write (default: stdout)")
    parser.add_argument("--proba", action="store_true", help="one probability column per class")


def run(args: argparse.Namespace) -> int:
    """Read the model, then the table; write the predictions."""
    model_file = read_model_file(args.model)
    model, encoding = model_file.model, encoding_of(model_file)
    table = read_table(args.data)
    hint = "predictions need every value; remove or fill in those rows."
    drop_missing(table, encoding.columns, drop=False, hint=hint)
    X = encode(table, encoding)
    if args.proba:
        header = [f"proba_{c}" for c in model.classes_]
        write_csv(header, model.predict_proba(X).tolist(), args.out)
    else:
        write_csv(["prediction"], [[label] for label in model.predict(X).tolist()], args.out)
    return 0
