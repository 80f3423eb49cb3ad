"""Every user mistake, through the real command: one line on stderr, a non-zero status,
no traceback, and no output file created or changed."""

from __future__ import annotations

import contextlib
import io
import pickle

import numpy as np
import pytest
from cli_helpers import run_all, write_data

from log_reg.cli import main

SENTINEL = "a model file that no failed command may touch\n"

#: name -> (arguments, the phrase stderr must contain, and options: stdin, hidden, status).
CASES = {
    # the data file
    "missing file": (
        ["fit", "nothere.csv", "--target", "target"],
        "data file nothere.csv does not exist.",
    ),
    "empty file": (["fit", "empty.csv", "--target", "target"], "data file empty.csv is empty."),
    "header only": (
        ["fit", "header.csv", "--target", "target"],
        "data file header.csv has no rows.",
    ),
    "unknown format": (
        ["fit", "cancer.txt", "--target", "target"],
        "cannot tell the format of 'cancer.txt'",
    ),
    "ragged csv": (
        ["fit", "ragged.csv", "--target", "b"],
        "cannot read ragged.csv as CSV: Error tokenizing data",
    ),
    "not parquet": (
        ["fit", "fake.parquet", "--target", "target"],
        "cannot read fake.parquet as PARQUET",
    ),
    "empty stdin": (
        ["fit", "-", "--target", "target"],
        "data file <stdin> is empty.",
        {"stdin": ""},
    ),
    # columns and values
    "missing target": (
        ["fit", "cancer.csv", "--target", "nope"],
        "cancer.csv has no target column 'nope'; its columns are 'mean radius'",
    ),
    "missing feature": (
        ["fit", "cancer.csv", "--target", "target", "--features", "mean radius,nope"],
        "cancer.csv has no feature column 'nope'",
    ),
    "bad feature list": (
        ["fit", "cancer.csv", "--target", "target", "--features", "mean radius,,target"],
        "--features must list distinct column names",
    ),
    "text in numbers": (
        ["fit", "typo.csv", "--target", "target"],
        "column 'mean area' of typo.csv holds numbers, but row 11 holds 'abc' (1 row(s) are not numbers).",
    ),
    "missing values": (
        ["fit", "mixed.csv", "--target", "diagnosis"],
        "mixed.csv has missing values (1 in 'mean texture'; the first in row 6); fill them in, or pass --drop-missing",
    ),
    "single class": (
        ["fit", "oneclass.csv", "--target", "target"],
        "target column 'target' of oneclass.csv has a single class, 1; a classifier needs at least two.",
    ),
    "continuous target": (
        ["fit", "cancer.csv", "--target", "mean radius"],
        "target column 'mean radius' of cancer.csv holds 17.99 in row 1: class labels must be whole numbers",
    ),
    # option values
    "negative C": (
        ["fit", "cancer.csv", "--target", "target", "--C", "-1"],
        "C must be a number > 0; got -1.0.",
    ),
    "C not a number": (
        ["fit", "cancer.csv", "--target", "target", "--C", "lots"],
        "argument --C: invalid float value: 'lots'",
    ),
    "l1 ratio": (
        ["fit", "cancer.csv", "--target", "target", "--l1-ratio", "2"],
        "l1_ratio must be a number >= 0 and <= 1; got 2.0.",
    ),
    "solver": (
        ["fit", "cancer.csv", "--target", "target", "--solver", "magic"],
        "solver must be one of 'auto'",
    ),
    "solver and penalty": (
        ["fit", "cancer.csv", "--target", "target", "--solver", "lbfgs", "--l1-ratio", "1"],
        "'lbfgs' cannot handle an L1 penalty",
    ),
    "class weight": (
        ["fit", "cancer.csv", "--target", "target", "--class-weight", "even"],
        "argument --class-weight: invalid choice: 'even'",
    ),
    "out folder missing": (
        ["fit", "cancer.csv", "--target", "target", "--out", "nowhere/model.json"],
        "nowhere/model.json: No such file or directory",
    ),
    # predict and evaluate against a model
    "columns not the model's": (
        ["predict", "model.json", "iris.csv", "--out", "p.csv"],
        "iris.csv has no column 'mean radius'",
    ),
    "unseen level": (
        ["predict", "mixed.json", "south.csv", "--out", "p.csv"],
        "column 'site' of south.csv has the level 'south' in row 3, which the model did not see in training; it knows 'east', 'north', 'west'.",
    ),
    "missing at predict": (
        ["predict", "mixed.json", "mixed.csv"],
        "mixed.csv has missing values (1 in 'mean texture'; the first in row 6); predictions need every value",
    ),
    "text at predict": (
        ["predict", "model.json", "typo.csv"],
        "column 'mean area' of typo.csv holds numbers, but row 11 holds 'abc'",
    ),
    "unknown label": (
        ["evaluate", "model.json", "relabeled.csv"],
        "target column 'target' of relabeled.csv holds 2 in row 1, which is not a class of the model; its classes are 0, 1.",
    ),
    "predictions to a missing folder": (
        ["predict", "model.json", "cancer.csv", "--out", "nowhere/p.csv"],
        "nowhere/p.csv: No such file or directory",
    ),
    # model files
    "model missing": (
        ["predict", "nothere.json", "cancer.csv"],
        "nothere.json: No such file or directory",
    ),
    "model is a csv": (
        ["summary", "cancer.csv"],
        "cancer.csv is not a valid log_reg model file: it is not a JSON object: it starts with b'mean radius,mean tex'",
    ),
    "model is a pickle": (
        ["predict", "model.pkl", "cancer.csv"],
        "model.pkl is not a valid log_reg model file: it is a Python pickle",
    ),
    "model truncated": (
        ["evaluate", "truncated.json", "cancer.csv"],
        "truncated.json is not a valid log_reg model file: it ends in the middle",
    ),
    # optional libraries
    "no pandas": (
        ["fit", "cancer.csv", "--target", "target"],
        "reading tables needs pandas, which is not installed; install it with: pip install 'log_reg[cli]'",
        {"hidden": "pandas", "status": 3},
    ),
    "no pyarrow": (
        ["predict", "model.json", "cancer.parquet"],
        "reading Parquet files needs pyarrow, which is not installed; install it with: pip install 'log_reg[cli]'",
        {"hidden": "pyarrow", "status": 3},
    ),
    "no matplotlib": (
        ["evaluate", "model.json", "cancer.csv", "--plots", "plots"],
        "--plots needs matplotlib, which is not installed; install it with: pip install 'log_reg[cli]'",
        {"hidden": "matplotlib", "status": 3},
    ),
}


def make_files(folder):
    """The bad inputs, two good model files, and a folder of libraries that fail to import."""
    tables = write_data(folder)
    cancer, mixed = tables["cancer"], tables["mixed"]
    (folder / "empty.csv").write_text("")
    (folder / "header.csv").write_text("target,x\n")
    (folder / "cancer.txt").write_text("target,x\n1,2\n")
    (folder / "ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    (folder / "fake.parquet").write_text((folder / "cancer.csv").read_text())
    typo = cancer.astype({"mean area": object})
    typo.loc[10, "mean area"] = "abc"
    typo.to_csv(folder / "typo.csv", index=False)
    cancer.assign(target=1).to_csv(folder / "oneclass.csv", index=False)
    cancer.assign(target=np.arange(len(cancer)) % 3 + 2).to_csv(
        folder / "relabeled.csv", index=False
    )
    mixed.dropna().assign(site=lambda f: f["site"].where(f.index != 2, "south")).to_csv(
        folder / "south.csv", index=False
    )
    with contextlib.redirect_stdout(io.StringIO()):  # two good model files, made in-process
        assert (
            main(
                [
                    "fit",
                    str(folder / "cancer.csv"),
                    "--target",
                    "target",
                    "--standardize",
                    "--out",
                    str(folder / "model.json"),
                ]
            )
            == 0
        )
        assert (
            main(
                [
                    "fit",
                    str(folder / "mixed.csv"),
                    "--target",
                    "diagnosis",
                    "--drop-missing",
                    "--out",
                    str(folder / "mixed.json"),
                ]
            )
            == 0
        )
    (folder / "truncated.json").write_bytes((folder / "model.json").read_bytes()[:500])
    (folder / "model.pkl").write_bytes(pickle.dumps({"coef": [1.0, 2.0]}))
    (folder / "sentinel.json").write_text(SENTINEL)
    for library in ("pandas", "pyarrow", "matplotlib"):
        fake = folder / "hidden" / library / library
        fake.mkdir(parents=True)
        (fake / "__init__.py").write_text(f"raise ImportError('{library} is hidden by the test')\n")


def snapshot(folder):
    return {
        p.relative_to(folder): (p.stat().st_mtime_ns, p.read_bytes())
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    folder = tmp_path_factory.mktemp("errors")
    make_files(folder)
    before = snapshot(folder)
    calls = {}
    for name, (args, _, *options) in CASES.items():
        options = options[0] if options else {}
        if args[0] == "fit":
            args = [*args, "--out", "sentinel.json"] if "--out" not in args else args
        env = (
            {"PYTHONPATH": str(folder / "hidden" / options["hidden"])}
            if "hidden" in options
            else None
        )
        calls[name] = (args, {"stdin": options.get("stdin"), "env": env})
    runs = run_all(calls, folder)
    return runs, before, snapshot(folder)


@pytest.mark.parametrize("name", CASES)
def test_a_mistake_is_one_line_on_stderr(outcome, name):
    runs, _, _ = outcome
    run = runs[name]
    _, phrase, *options = CASES[name]
    assert run.returncode == (options[0].get("status", 2) if options else 2), run.stderr
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.startswith(("log-reg: error: ", "log-reg fit: error: ")), run.stderr
    assert phrase in run.stderr, run.stderr


def test_no_file_was_created_or_changed(outcome):
    _, before, after = outcome
    assert after == before
