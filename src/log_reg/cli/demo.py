"""``log-reg demo``: the teaching script's run on its built-in toy data (NumPy alone)."""

from __future__ import annotations

import argparse

import numpy as np

from log_reg import load_toy, log_reg, sigmoid

HELP = "train on the built-in 10-point toy dataset and print weights, bias and classes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    parser.add_argument("--epochs", type=int, default=1000, help="gradient steps (default 1000)")


def run(args: argparse.Namespace) -> int:
    """Fit with ``log_reg`` and print three lines, in the script's format.

    Examples
    --------
    # The script's defaults, lr=0.01 and epochs=1000:
    >>> _ = run(argparse.Namespace(lr=0.01, epochs=1000))  # doctest: +ELLIPSIS
    Weights: [...]
    Bias: ...
    Classes: [0 0 0 0 0 1 1 1 1 1]
    """
    X, y = load_toy()
    w, b = log_reg(X, y, lr=args.lr, epochs=args.epochs)
    classes = (sigmoid(X @ w + b) > 0.5).astype(int)
    print(f"Weights: {np.array2string(w, precision=3)}")
    print(f"Bias: {b:.3f}")
    print(f"Classes: {classes}")
    return 0
