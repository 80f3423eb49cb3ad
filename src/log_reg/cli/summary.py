"""``log-reg summary``: what a model file holds, without any data."""

from __future__ import annotations

import argparse

from log_reg.cli._report import file_report
from log_reg.files.persistence import read_model_file

HELP = "show what a model file holds: versions, parameters, classes, features, coefficients"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="model file written by log-reg fit or log_reg.save")


def run(args: argparse.Namespace) -> int:
    """Print the file's facts and coefficient table."""
    print(file_report(read_model_file(args.model), args.model))
    return 0
