"""Running the real ``log-reg`` command, many at once, on scikit-learn's breast-cancer data."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_iris

COMMAND = [sys.executable, "-m", "log_reg"]


def log_reg(*args, cwd, stdin=None, env=None):
    """``python -m log_reg ARGS`` in ``cwd``: a CompletedProcess with text stdout and stderr."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        input=stdin,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_all(calls, cwd):
    """Run ``{name: args or (args, options)}`` in parallel (each is a separate process)."""

    def one(call):
        args, options = call if isinstance(call, tuple) else (call, {})
        return log_reg(*args, cwd=cwd, **options)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = dict(zip(calls, pool.map(one, calls.values())))
    return results


def write_data(folder: Path) -> dict[str, pd.DataFrame]:
    """The tables the tests use, written as CSV (and the cancer data as Parquet too)."""
    cancer = load_breast_cancer(as_frame=True).frame
    rng = np.random.default_rng(0)
    mixed = cancer[["mean radius", "mean texture"]].copy()
    mixed["site"] = rng.choice(["north", "east", "west"], len(mixed))
    mixed["diagnosis"] = np.where(cancer["target"] == 1, "benign", "malignant")
    mixed.loc[5, "mean texture"] = np.nan  # one row with a missing value
    iris = load_iris(as_frame=True)
    flowers = iris.data.assign(species=iris.target_names[iris.target])
    tables = {"cancer": cancer, "mixed": mixed, "iris": flowers}
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    cancer.to_parquet(folder / "cancer.parquet")
    return tables


def nullable_table(n=60):
    """pandas' nullable columns (Int64, Float64, boolean), one NA in each, and an NA label."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "a": a,
            "count": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "share": pd.array(rng.uniform(size=n), dtype="Float64"),
            "flag": pd.array(rng.integers(0, 2, n).astype(bool), dtype="boolean"),
            "y": pd.array((a + rng.normal(size=n) > 0).astype(int), dtype="Int64"),
        }
    )
    for row, column in enumerate(["count", "share", "flag", "y"], start=3):
        frame.loc[row, column] = pd.NA
    return frame
