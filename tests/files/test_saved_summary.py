"""The summary a model file keeps: standard errors of an unpenalized fit, without its data."""

from __future__ import annotations

import json
import math
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_problem
from model_files import fitted, saved_document, write

from log_reg import LogisticRegression
from log_reg.cli import main
from log_reg.files.persistence import load, read_model_file, save
from log_reg.files.saved_summary import MAX_PARAMS, encode_summary

V1_FILE = Path(__file__).parent / "data" / "model_v1.json"  # written by log_reg before this

FIELDS = ("coef", "std_err", "z", "p_value", "ci_low", "ci_high", "cov")
SCALARS = (
    "names",
    "classes",
    "reference_class",
    "log_likelihood",
    "null_log_likelihood",
    "pseudo_r2",
    "llr_p_value",
    "aic",
    "bic",
    "n_obs",
    "df_model",
    "df_resid",
    "cov_type",
    "alpha",
    "converged",
    "separation",
)


def assert_same_summary(a, b):
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape and x.tobytes() == y.tobytes(), name  # bit for bit
    for name in SCALARS:
        x, y = getattr(a, name), getattr(b, name)
        assert x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y)), name
    assert str(a) == str(b)


@pytest.mark.parametrize("kind", ["binary unpenalized", "three classes unpenalized"])
def test_an_unpenalized_fit_keeps_its_summary_bit_for_bit(tmp_path, kind):
    model, _ = fitted(kind)
    save(model, tmp_path / "m.json")
    saved = read_model_file(tmp_path / "m.json").summary
    assert saved is not None
    assert_same_summary(model.summary(), saved)


def test_a_summary_with_separation_and_undefined_statistics_round_trips(tmp_path):
    X = np.array([[-3.0], [-2.0], [-1.0], [1.0], [2.0], [3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separated on purpose
        model = LogisticRegression(C=np.inf, fit_intercept=False).fit(X, [0, 0, 0, 1, 1, 1])
        expected = model.summary()
    assert expected.separation is not None and math.isnan(expected.llr_p_value)  # df_model 0
    save(model, tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["summary"]["llr_p_value"] is None
    assert_same_summary(expected, read_model_file(tmp_path / "m.json").summary)


@pytest.mark.parametrize("kind", ["binary penalized, named", "one-vs-rest", "weighted"])
def test_fits_without_valid_standard_errors_keep_none(tmp_path, kind):
    model, _ = fitted(kind)
    save(model, tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["summary"] is None
    assert read_model_file(tmp_path / "m.json").summary is None


def test_a_loaded_model_saved_again_keeps_no_summary_it_cannot_compute(tmp_path):
    model, _ = fitted("binary unpenalized")
    save(model, tmp_path / "m.json")
    save(load(tmp_path / "m.json"), tmp_path / "again.json")
    assert read_model_file(tmp_path / "again.json").summary is None


def test_more_coefficients_than_max_params_keep_none(tmp_path):
    rng = np.random.default_rng(3)  # labels at random: no separation in 100 dimensions
    X, y = rng.normal(size=(1500, MAX_PARAMS)), rng.integers(0, 2, 1500)  # + the intercept
    model = LogisticRegression(C=np.inf).fit(X, y)
    save(model, tmp_path / "m.json")
    assert read_model_file(tmp_path / "m.json").summary is None
    small = LogisticRegression(C=np.inf).fit(X[:, : MAX_PARAMS - 1], y)
    save(small, tmp_path / "small.json")
    assert read_model_file(tmp_path / "small.json").summary is not None


def test_a_version_1_file_loads_with_no_summary(tmp_path):
    model_file = read_model_file(V1_FILE)
    assert model_file.format_version == 1 and model_file.summary is None
    assert model_file.model.feature_names_in_.tolist() == ["dose", "age"]
    X = pd.DataFrame({"dose": [0.0, 1.0], "age": [0.0, -1.0]})
    assert model_file.model.predict_proba(X).shape == (2, 2)


def test_a_version_1_file_may_not_hold_a_summary(tmp_path):
    document = json.loads(V1_FILE.read_text())
    document["summary"] = None
    with pytest.raises(ValueError, match=r'unknown entries \["summary"\]'):
        load(write(tmp_path / "m.json", document))


def test_the_loaded_model_says_where_its_saved_summary_is(tmp_path):
    model, _ = fitted("binary unpenalized")
    save(model, tmp_path / "m.json")
    with pytest.raises(ValueError, match=r"Pass X and y: .*read_model_file\(path\)\.summary"):
        load(tmp_path / "m.json").summary("HC1")


def test_summary_command_prints_the_saved_standard_errors(tmp_path, capsys):
    """``log-reg summary`` of a saved unpenalized model showed no standard errors."""
    model, _ = fitted("three classes unpenalized")
    save(model, tmp_path / "m.json")
    assert main(["summary", str(tmp_path / "m.json")]) == 0
    out = capsys.readouterr().out
    assert "coefficients (one column per class):" in out
    assert str(model.summary()) in out
    assert "std err" in out and "no standard errors" not in out


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"C": 0.5}, r"the fit is penalized \(C=0.5\); fit with --C inf"),
        ({"C": np.inf, "multi_class": "ovr"}, "a one-vs-rest fit has no joint likelihood"),
    ],
)
def test_summary_command_says_why_there_are_no_standard_errors(tmp_path, capsys, params, why):
    X, y = make_problem(n=60, d=2, n_classes=3)
    save(LogisticRegression(**params).fit(X, y), tmp_path / "m.json")
    assert main(["summary", str(tmp_path / "m.json")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("no standard errors: ")
    assert re.search(why, lines[-1])


def test_summary_command_of_an_old_file_says_how_to_get_them(tmp_path, capsys):
    shutil.copy(V1_FILE, tmp_path / "old.json")
    assert main(["summary", str(tmp_path / "old.json")]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("no standard errors: this file was written before model files kept")
    assert "summary(X=X, y=y)" in last


# -- what a crafted summary cannot hold ----------------------------------------------------------
@pytest.fixture
def document(tmp_path):
    return saved_document(tmp_path, "binary unpenalized")[0]


def _set(path, value):
    def change(summary):
        parent = summary
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (_set(("cov_type",), "HC1"), 'cov_type must be "nonrobust"'),
        (_set(("alpha",), 0), "summary alpha must be a number > 0 and <= 1"),
        (_set(("alpha",), "5%"), "summary alpha must be a number"),
        (_set(("std_err", "values", 0), -1.0), r"summary std_err must hold numbers in \[0, inf\]"),
        (_set(("p_value", "values", 1), 1.5), r"summary p_value must hold numbers in \[0, 1\]"),
        (_set(("coef", "shape"), [5]), r"summary coef must have shape \(4,\)"),
        (_set(("cov", "shape"), [4, 3]), r"summary cov must have shape \(4, 4\)"),
        (_set(("coef", "dtype"), "float32"), "summary coef must have dtype float64"),
        (_set(("ci_low", "values", 0), 1e300), "ci_low must be <= ci_high"),
        (_set(("log_likelihood",), 1.0), "summary log_likelihood must be a number <= 0"),
        (_set(("log_likelihood",), None), "summary log_likelihood must be a number"),
        (_set(("llr_p_value",), -0.5), "summary llr_p_value must be a number >= 0 and <= 1"),
        (_set(("n_obs",), 0), "summary n_obs must be > 0"),
        (_set(("n_obs",), "60"), "summary n_obs must be a number >= 0"),
        (_set(("df_model",), 2), "summary df_model must be 3"),
        (_set(("df_model",), 3.0), "summary df_model must be int"),
        (
            _set(("separation",), {"kind": "complete", "features": [7]}),
            r"distinct indices in \[0, 3\)",
        ),
        (_set(("separation",), {"kind": "partial", "features": []}), "separation kind must be"),
        (_set(("separation",), {"kind": "complete", "features": [True]}), "distinct indices"),
        (_set(("separation",), []), "summary separation must be an object"),
        (lambda s: s.pop("aic"), r'summary lacks entries \["aic"\]'),
    ],
)
def test_a_crafted_summary_is_refused_with_the_reason(tmp_path, document, change, match):
    change(document["summary"])
    with pytest.raises(ValueError, match=match):
        load(write(tmp_path / "m.json", document))


def test_a_summary_that_does_not_fit_the_model_is_refused(tmp_path, document):
    document["params"]["fit_intercept"] = False  # the summary still has the intercept's row
    with pytest.raises(ValueError, match=r"summary coef must have shape \(3,\)"):
        load(write(tmp_path / "m.json", document))


def test_encode_summary_is_what_save_wrote(tmp_path, document):
    saved = read_model_file(write(tmp_path / "m.json", document)).summary
    assert encode_summary(saved) == document["summary"]


def test_summary_command_of_a_file_saved_without_data_says_how_to_get_them(tmp_path, capsys):
    model, _ = fitted("binary unpenalized")
    save(model, tmp_path / "m.json")
    save(load(tmp_path / "m.json"), tmp_path / "again.json")  # the loaded model has no data
    assert main(["summary", str(tmp_path / "again.json")]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith(f"no standard errors: they were not saved (more than {MAX_PARAMS}")
    assert "summary(X=X, y=y)" in last
