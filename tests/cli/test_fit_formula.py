"""``log-reg fit --formula``: the formula names the target and builds the features; predict,
evaluate and summary read the model file's formula, as ``log_reg.logit`` fits it."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from log_reg import load, logit
from log_reg.cli import main

FORMULA = "y ~ x1 + C(x2) + x1:x3"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formula")
    rng = np.random.default_rng(0)
    n = 200
    data = pd.DataFrame(
        {"x1": rng.normal(size=n), "x2": rng.choice(["a", "b", "c"], n), "x3": rng.normal(size=n)}
    )
    eta = 0.5 * data.x1 + 0.8 * (data.x2 == "c") + 0.7 * data.x1 * data.x3
    data["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    data.to_csv(folder / "train.csv", index=False)
    data.drop(columns="y").head(6).to_csv(folder / "new.csv", index=False)
    data.head(6).assign(x2="z").to_csv(folder / "unseen.csv", index=False)
    data.drop(columns="x3").to_csv(folder / "narrow.csv", index=False)
    holes = data.copy()
    holes.loc[[3, 8], "x1"] = np.nan
    holes.to_csv(folder / "holes.csv", index=False)
    return folder


def run(capsys, *args):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def model_file(folder):
    path = folder / "model.json"
    args = ["fit", folder / "train.csv", "--formula", FORMULA, "--C", "inf", "--out", path]
    assert main([*map(str, args), "--quiet"]) == 0
    return path


def test_fit_saves_the_formula_model_that_logit_fits(folder, model_file):
    data = pd.read_csv(folder / "train.csv")
    expected = logit(FORMULA, data)
    saved = load(model_file)
    assert saved.feature_names_in_.tolist() == ["x1", "C(x2)[T.b]", "C(x2)[T.c]", "x1:x3"]
    assert np.allclose(saved.coef_, expected.coef_, rtol=1e-12, atol=1e-12)
    assert json.loads(model_file.read_text())["formula"]["formula"] == FORMULA


def test_the_report_names_the_formula_and_prints_standard_errors(capsys, folder, tmp_path):
    args = ["fit", folder / "train.csv", "--formula", FORMULA, "--C", "inf", "--quiet"]
    status, out, _ = run(capsys, *args, "--out", tmp_path / "m.json")
    assert status == 0
    assert f"formula {FORMULA!r}: 200 rows, 4 features" in out
    assert "C(x2)[T.c]" in out and "std err" in out


def test_predict_evaluate_and_summary_read_the_formula(capsys, folder, model_file):
    status, out, _ = run(capsys, "predict", model_file, folder / "new.csv", "--proba")
    assert status == 0
    printed = pd.read_csv(io.StringIO(out))
    expected = load(model_file).predict_proba(pd.read_csv(folder / "new.csv"))
    assert np.array_equal(printed.to_numpy(), expected)
    status, out, _ = run(capsys, "evaluate", model_file, folder / "train.csv")
    assert status == 0 and "target 'y'" in out and "accuracy" in out
    status, out, _ = run(capsys, "summary", model_file)
    assert status == 0 and f"formula     {FORMULA}" in out


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ("unseen.csv", r"C\(x2\) has \['z'\] in column 'x2', and the fit saw \['a', 'b', 'c'\]"),
        ("narrow.csv", "has no column 'x3'"),
    ],
)
def test_predict_refuses_unseen_levels_and_missing_columns(
    capsys, folder, model_file, table, match
):
    status, _, err = run(capsys, "predict", model_file, folder / table)
    assert status == 2
    assert len(err.splitlines()) == 1
    assert re.search(match, err), err


def test_missing_values_are_an_error_unless_dropped(capsys, folder, tmp_path):
    args = ["fit", folder / "holes.csv", "--formula", FORMULA, "--quiet", "--out"]
    status, _, err = run(capsys, *args, tmp_path / "a.json")
    assert status == 2 and "2 in 'x1'; the first in row 4" in err and "--drop-missing" in err
    assert not (tmp_path / "a.json").exists()
    status, out, err = run(capsys, *args, tmp_path / "b.json", "--drop-missing")
    assert status == 0 and "dropped 2 row(s)" in err and "198 rows" in out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--formula", FORMULA, "--target", "y"], "one of them"),
        ([], "one of them"),
        (["--formula", FORMULA, "--features", "x1"], "--features goes with --target COL"),
        (["--formula", FORMULA, "--cv", "3"], "--cv goes with --target COL"),
        (["--formula", FORMULA, "--class-weight", "0=1,1=2"], "takes 'balanced'"),
        (["--formula", "y ~ x1 +"], "does not parse"),
        (["--formula", "y ~ nope"], "has no column 'nope'"),
    ],
)
def test_option_mistakes_are_one_line_errors(capsys, folder, tmp_path, options, message):
    status, _, err = run(capsys, "fit", folder / "train.csv", *options, "--out", tmp_path / "m")
    assert status == 2 and message in err and len(err.splitlines()) == 1, err
