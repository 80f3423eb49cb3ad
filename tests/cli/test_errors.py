"""Every user mistake, through the real command: one line on stderr, a non-zero status,
no traceback, and no output file created or changed."""

from __future__ import annotations

import contextlib
import io
import pickle

import numpy as np
import pandas as pd
import pytest
from cli_helpers import nullable_table, run_all, write_data

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
        "--class-weight must be 'balanced', CLASS=WEIGHT pairs separated by commas (0=1,1=3) or a JSON object",
    ),
    "class weight of no class": (
        ["fit", "cancer.csv", "--target", "target", "--class-weight", "0=1,2=3"],
        "--class-weight names the class '2', which the target column does not hold; its classes are '0', '1'.",
    ),
    "negative class weight": (
        ["fit", "cancer.csv", "--target", "target", "--class-weight", '{"0": 1, "1": -3}'],
        "--class-weight for the class '1' must be a number >= 0; got -3.",
    ),
    "class weight twice": (
        ["fit", "cancer.csv", "--target", "target", "--class-weight", "1=2,1=3"],
        "--class-weight names the class '1' twice.",
    ),
    # finding 5: careless tables
    "cv 0": (
        ["fit", "cancer.csv", "--target", "target", "--cv", "0"],
        "--cv must be an integer >= 2 (folds); got 0.",
    ),
    "cv 1": (
        ["fit", "cancer.csv", "--target", "target", "--cv", "1"],
        "--cv must be an integer >= 2 (folds); got 1.",
    ),
    "Cs without cv": (
        ["fit", "cancer.csv", "--target", "target", "--Cs", "5"],
        "--Cs goes with --cv K",
    ),
    "bad Cs": (
        ["fit", "cancer.csv", "--target", "target", "--cv", "3", "--Cs", "1,-2"],
        "--Cs must be a count of values >= 2 or values > 0 separated by commas; got '1,-2'.",
    ),
    "duplicate header": (
        ["fit", "twice.csv", "--target", "y"],
        "data file twice.csv has columns with the same name ('a' in columns 1, 3); give each column a name of its own.",
    ),
    "duplicate header on stdin": (
        ["predict", "model.json", "-"],
        "data file <stdin> has columns with the same name ('mean radius' in columns 1, 2)",
        {"stdin": "mean radius,mean radius\n1,2\n"},
    ),
    "dates as text": (
        ["fit", "dates.csv", "--target", "target"],
        "column 'visit day' of dates.csv holds dates or times (such as '2020-01-01'), which the command does not encode (as text levels, each new date would be unknown); leave it out with --drop 'visit day' (or choose the columns with --features), or make numbers of it yourself",
    ),
    "dates in parquet": (
        ["fit", "dates.parquet", "--target", "target"],
        "), which the command does not encode; leave it out with --drop 'visit day' (or choose the columns with --features), or make numbers",
    ),
    "an identifier": (
        ["fit", "ids.csv", "--target", "target"],
        "column 'patient' of ids.csv is text with a different value in every row (569 rows), like an identifier, which as levels would fit each row by itself; leave it out with --drop patient (or choose the columns with --features); predict --id patient carries",
    ),
    "too many levels": (
        ["fit", "levels.csv", "--target", "target"],
        "column 'code' of levels.csv is text with 190 different values, more than the 100 levels the command one-hot encodes (a feature each); leave it out with --drop code",
    ),
    "nullable NA": (
        ["fit", "nullable.parquet", "--target", "y"],
        "nullable.parquet has missing values (1 in 'count', 1 in 'share', 1 in 'flag', 1 in 'y'; the first in row 4); fill them in, or pass --drop-missing",
    ),
    "nullable NA at predict": (
        ["predict", "nullable.json", "nullable.parquet"],
        "nullable.parquet has missing values (1 in 'count', 1 in 'share', 1 in 'flag'; the first in row 4); predictions need every value; remove or fill in those rows, or pass --drop-missing.",
    ),
    "drop an unknown column": (
        ["fit", "cancer.csv", "--target", "target", "--drop", "nope"],
        "cancer.csv has no column 'nope'",
    ),
    # finding 6 and 7: extreme values
    "infinite value": (
        ["fit", "inf.csv", "--target", "target"],
        "column 'mean area' of inf.csv holds inf in row 3 (1 row(s) not finite); features must be finite numbers (a number beyond 1.8e308 reads as infinite).",
    ),
    "beyond float64": (
        ["predict", "model.json", "e309.csv"],
        "column 'mean texture' of e309.csv holds inf in row 1 (1 row(s) not finite)",
    ),
    # finding 3: an output that is an input
    "fit onto its data": (
        ["fit", "cancer.csv", "--target", "target", "--out", "cancer.csv"],
        "--out cancer.csv is the data file cancer.csv: the command would overwrite its input; choose another --out.",
    ),
    "fit onto its data, hard-linked": (
        ["fit", "cancer.csv", "--target", "target", "--out", "linked.csv"],
        "--out linked.csv is the data file cancer.csv: the command would overwrite its input",
    ),
    "fit onto its data, through a symbolic link": (
        ["fit", "symlink.csv", "--target", "target", "--out", "./cancer.csv"],
        "--out ./cancer.csv is the data file symlink.csv: the command would overwrite its input",
    ),
    "fit plots onto the model": (
        [
            "fit",
            "cancer.csv",
            "--target",
            "target",
            "--cv",
            "2",
            "--plots",
            "figures",
            "--out",
            "figures/path.png",
        ],
        "--out figures/path.png and --plots figures/path.png are the same file; choose another --out.",
    ),
    "predict onto its data": (
        ["predict", "model.json", "cancer.csv", "--out", "cancer.csv"],
        "--out cancer.csv is the data file cancer.csv: the command would overwrite its input; choose another --out.",
    ),
    "predict onto its model": (
        ["predict", "model.json", "cancer.csv", "--out", "model.json"],
        "--out model.json is the model file model.json: the command would overwrite its input; choose another --out.",
    ),
    "evaluate plots onto its model": (
        ["evaluate", "figures/roc.png", "cancer.csv", "--plots", "figures"],
        "--plots figures/roc.png is the model file figures/roc.png: the command would overwrite its input; choose another --plots.",
    ),
    "predict id column missing": (
        ["predict", "model.json", "cancer.csv", "--id", "patient"],
        "cancer.csv has no --id column 'patient'",
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
    "no rich": (
        ["fit", "cancer.csv", "--target", "target"],
        "printing the report needs rich, which is not installed; install it with: pip install 'log_reg[cli]'",
        {"hidden": "rich", "status": 3},
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
        nullable_table().dropna().to_parquet(folder / "complete.parquet")
        complete, out = str(folder / "complete.parquet"), str(folder / "nullable.json")
        assert main(["fit", complete, "--target", "y", "--out", out]) == 0
    (folder / "truncated.json").write_bytes((folder / "model.json").read_bytes()[:500])
    (folder / "figures").mkdir()
    (folder / "figures" / "roc.png").write_bytes((folder / "model.json").read_bytes())
    (folder / "linked.csv").hardlink_to(folder / "cancer.csv")
    (folder / "symlink.csv").symlink_to("cancer.csv")
    (folder / "twice.csv").write_text("a,b,a,y\n1,2,3,0\n4,5,6,1\n")
    days = pd.date_range("2020-01-01", periods=len(cancer))
    dated = cancer[["mean radius", "target"]].assign(**{"visit day": days})
    dated.to_parquet(folder / "dates.parquet")
    dated.assign(**{"visit day": days.strftime("%Y-%m-%d")}).to_csv(
        folder / "dates.csv", index=False
    )
    patients = [f"P{i:04d}" for i in range(len(cancer))]
    cancer[["mean radius", "target"]].assign(patient=patients).to_csv(
        folder / "ids.csv", index=False
    )
    codes = [f"K{i % 190}" for i in range(len(cancer))]
    cancer[["mean radius", "target"]].assign(code=codes).to_csv(folder / "levels.csv", index=False)
    nullable = nullable_table()
    nullable.to_parquet(folder / "nullable.parquet")
    infinite = cancer.copy()
    infinite.loc[2, "mean area"] = np.inf
    infinite.to_csv(folder / "inf.csv", index=False)
    text = (folder / "cancer.csv").read_text().splitlines()
    fields = text[1].split(",")
    fields[1] = "1e309"  # beyond the largest double: read as inf
    (folder / "e309.csv").write_text("\n".join([text[0], ",".join(fields), *text[2:]]) + "\n")
    (folder / "model.pkl").write_bytes(pickle.dumps({"coef": [1.0, 2.0]}))
    (folder / "sentinel.json").write_text(SENTINEL)
    for library in ("pandas", "pyarrow", "matplotlib", "rich"):
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
