"""``log-reg summary``: what a model file holds, without any data.

A file saved from an unpenalized fit keeps its standard errors (``log_reg.files.saved_summary``):
they follow the coefficients, as ``fit --C inf`` printed them. Otherwise the report says why
there are none and how to get them.
"""

from __future__ import annotations

import argparse
import math

from log_reg.cli._report import file_report
from log_reg.files.persistence import ModelFile, read_model_file
from log_reg.files.saved_summary import MAX_PARAMS

HELP = (
    "show what a model file holds: versions, parameters, classes, features, coefficients, "
    "and the standard errors saved with an unpenalized fit"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="model file written by log-reg fit or log_reg.save")


def run(args: argparse.Namespace) -> int:
    """Print the file's facts, its coefficients, and their standard errors when saved."""
    model_file = read_model_file(args.model)
    print(file_report(model_file, args.model))
    if model_file.summary is None:
        print(f"\nno standard errors: {_why_none(model_file, args.model)}")
    else:
        print(f"\n{model_file.summary}")
    return 0


def _why_none(model_file: ModelFile, path: str) -> str:
    """Why the file has no standard errors, and what gives them."""
    model = model_file.model
    if model.penalty not in (None, "none") and not math.isinf(model.C):
        return f"the fit is penalized (C={model.C:g}); fit with --C inf for them."
    if len(model.classes_) > 2 and model.multi_class == "ovr":
        return "a one-vs-rest fit has no joint likelihood; fit a multinomial model for them."
    why = (
        "this file was written before model files kept them"
        if model_file.format_version == 1
        else f"they were not saved (more than {MAX_PARAMS} coefficients, a singular fit, or "
        "a model no longer holding its training data when saved)"
    )
    return f"{why}; with the training data, in Python: log_reg.load({path!r}).summary(X=X, y=y)."
