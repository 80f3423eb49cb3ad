"""Extreme values through the real command (issue 16, finding 6): whatever the fit makes of
them, the command tells the truth in few lines: NumPy's floating-point warnings as one
note naming the column, no raw linear-algebra messages, and no hint that then fails."""

from __future__ import annotations

import pytest
from cli_helpers import run_all, write_data


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extremes")
    cancer = write_data(folder)["cancer"]
    huge = cancer.copy()
    huge.iloc[:, :30] *= 1e300  # every feature x 1e300
    huge.to_csv(folder / "huge.csv", index=False)
    e308 = cancer.copy()
    e308.loc[0, "mean radius"] = 1e308
    e308.to_csv(folder / "e308.csv", index=False)
    calls = {
        name: ["fit", f"{data}.csv", "--target", "target", *options]
        for name, data, options in [
            ("huge", "huge", []),
            ("huge unpenalized", "huge", ["--C", "inf"]),
            ("e308", "e308", []),
            ("e308 unpenalized", "e308", ["--C", "inf"]),
        ]
    }
    calls = {name: [*args, "--out", f"{name}.json"] for name, args in calls.items()}
    first = run_all(calls, folder)
    hinted = {  # what a hint says to try is tried too
        f"{name}, as hinted": [*calls[name], "--standardize", "--out", f"{name} hinted.json"]
        for name, run in first.items()
        if "--standardize)" in run.stdout
    }
    return {**first, **run_all(hinted, folder)}


def test_no_flood_of_numpy_warnings_and_the_column_is_named(runs):
    for name, run in runs.items():
        lines = run.stderr.splitlines()
        assert "Traceback" not in run.stderr, (name, run.stderr)
        assert len(lines) == len(set(lines)), (name, run.stderr)
        numpy = [line for line in lines if "encountered in" in line]
        assert len(numpy) <= 1, (name, run.stderr)
        if numpy:
            column = "'mean radius'" if name.startswith("e308") else "holds values as large as"
            assert column in numpy[0] and "divide such columns by a power of ten" in numpy[0]


def test_the_command_ends_cleanly_and_its_messages_are_true(runs):
    for name, run in runs.items():
        assert run.returncode in (0, 2), (name, run.stderr)
        if run.returncode == 2:  # a failure is one line, in words
            assert run.stderr.splitlines()[-1].startswith("log-reg: error: "), run.stderr
        for line in run.stderr.splitlines():  # a linear-algebra failure comes with its cause
            if "did not converge" in line and "Eigenvalues" in line:
                assert "divide such columns by a power of ten" in line, (name, line)
        assert "index (0, 0)" not in run.stderr


def test_a_hinted_standardize_does_not_fail(runs):
    for name, run in runs.items():
        if name.endswith(", as hinted"):
            assert run.returncode == 0, (name, run.stderr)
            assert "holds NaN" not in run.stderr, (name, run.stderr)
