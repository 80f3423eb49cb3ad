"""Model files of formula fits: they round-trip and predict on new data frames; the
``formula`` entry is optional (files without it load as before) and checked like the rest."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from model_files import replaced, write

from log_reg import load, logit, save
from log_reg.files.formula_entry import decode_formula, encode_formula
from log_reg.files.persistence import read_model_file
from log_reg.models.formula import ModelFormula

#: Every kind of state a file must keep: levels of text and of integers, a centring mean,
#: poly's dicts with integer keys, a spline's knots, an interaction.
FORMULA = "y ~ x1 + C(x2) + C(g) + x1:x3 + center(x3) + poly(x4, 2) + bs(x5, df=4)"


def frame(n, seed):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.choice(["a", "b", "c"], n),
            "x3": rng.normal(size=n) + 3,
            "g": rng.integers(1, 4, n),
            "x4": rng.normal(size=n),
            "x5": rng.uniform(size=n),
        }
    )
    eta = 0.5 * data.x1 - 0.4 * (data.x2 == "b") + 0.3 * (data.g == 3) + 0.2 * data.x1 * data.x3
    data["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return data


@pytest.fixture(scope="module")
def fitted():
    data = frame(300, 0)
    return logit(FORMULA, data, tol=1e-10), data


@pytest.fixture
def document(tmp_path, fitted):
    save(fitted[0], tmp_path / "model.json")
    return json.loads((tmp_path / "model.json").read_text())


def test_a_saved_formula_model_predicts_on_a_fresh_frame_as_the_fitted_one(tmp_path, fitted):
    model, _ = fitted
    save(model, tmp_path / "model.json")
    again = load(tmp_path / "model.json")
    fresh = frame(40, 5).drop(columns="y")
    fresh = fresh[fresh.x2 != "a"]  # fewer levels than the fit: the encoding is the fit's
    assert np.array_equal(again.predict_proba(fresh), model.predict_proba(fresh))
    assert np.array_equal(again.formula_.model_matrix(fresh), model.formula_.model_matrix(fresh))
    assert again.formula_.formula == FORMULA
    assert again.feature_names_in_.tolist() == model.feature_names_in_.tolist()
    assert read_model_file(tmp_path / "model.json").summary is not None  # C=inf: kept
    with pytest.raises(ValueError, match=r"C\(x2\) has \['z'\]"):
        again.predict(fresh.assign(x2="z"))


def test_the_entry_holds_the_formula_levels_and_states(document, fitted):
    entry = document["formula"]
    assert entry["formula"] == FORMULA
    assert entry["levels"] == {"C(x2)": ["a", "b", "c"], "C(g)": [1, 2, 3]}
    assert entry["kinds"]["x1"] == "numerical" and entry["kinds"]["C(g)"] == "categorical"
    poly = entry["transforms"]["poly(x4, 2)"]["dict"]
    assert [key for key, _ in poly] == ["alpha", "norms2"]
    assert all(isinstance(k, int) for k, _ in poly[0][1]["dict"])  # integer keys kept
    decoded = decode_formula(entry, fitted[0].feature_names_in_, True)
    assert decoded.transforms == fitted[0].formula_.transforms
    assert dict(decoded.levels) == dict(fitted[0].formula_.levels)


def test_a_model_without_a_formula_writes_no_entry_and_old_readers_still_read_it(tmp_path):
    data = frame(50, 1)
    from log_reg import LogisticRegression

    save(LogisticRegression().fit(data[["x1", "x3"]], data.y), tmp_path / "plain.json")
    assert "formula" not in json.loads((tmp_path / "plain.json").read_text())
    assert not hasattr(load(tmp_path / "plain.json"), "formula_")


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        (("formula", "formula"), "y + x1", "formula must be 'outcome ~ terms'"),
        (("formula", "formula"), 3, "formula must be str"),
        (("formula", "kinds", "x1"), "numeric", 'the kind of "x1" must be one of'),
        (("formula", "levels", "x1"), [1.0, 2.0], "not a categorical factor"),
        (("formula", "levels", "C(x2)"), ["a", "b", "b"], "must be distinct"),
        (("formula", "levels", "C(x2)"), ["a", 1, "c"], "levels of one type"),
        (("formula", "levels", "C(g)"), [1, True, 3], "levels of one type"),
        (("formula", "levels", "C(g)"), [], "levels of one type"),
        (("formula", "transforms", "center(x3)"), {"center": 1.0}, "cannot hold"),
        (("formula", "transforms", "center(x3)"), {"dict": [["a", 1], ["a", 2]]}, "repeats"),
        (("formula", "transforms", "center(x3)"), {"dict": [[[1], 1]]}, "key, value"),
        (
            ("formula", "transforms", "center(x3)"),
            {"array": {"dtype": "object", "shape": [1], "values": [1]}},
            "dtype",
        ),
        (("formula", "extra"), 1, "unknown entries"),
        (("feature_names",), None, "must have feature names"),
    ],
)
def test_a_damaged_formula_entry_is_refused_by_name(tmp_path, document, path, value, match):
    changed = replaced(document, path, value)
    if path == ("feature_names",):  # the saved summary names the features too
        changed["summary"] = None
    with pytest.raises(ValueError, match=match):
        load(write(tmp_path / "damaged.json", changed))


def test_a_formula_entry_in_a_version_1_file_is_an_unknown_entry(tmp_path, document):
    old = {k: v for k, v in document.items() if k != "summary"}
    with pytest.raises(ValueError, match="unknown entries"):
        load(write(tmp_path / "old.json", {**old, "format_version": 1}))
    del old["formula"]
    assert load(write(tmp_path / "old.json", {**old, "format_version": 1})).coef_.shape[0] == 1


def test_a_state_a_file_cannot_hold_is_refused_on_saving(tmp_path, fitted):
    model, _ = fitted
    formula = model.formula_
    odd = ModelFormula(
        formula.formula,
        formula.features,
        formula.intercept,
        formula.kinds,
        formula.levels,
        {**formula.transforms, "center(x3)": {"center": object()}},
    )
    with pytest.raises(ValueError, match="holds object, which a model file cannot hold"):
        encode_formula(odd)
    with pytest.raises(ValueError, match="finite"):
        encode_formula(
            ModelFormula("y ~ C(v)", ("C(v)[T.1.0]",), True, {}, {"C(v)": (0.0, np.inf)})
        )
    model.formula_ = odd
    try:
        with pytest.raises(ValueError, match="cannot hold"):
            save(model, tmp_path / "never.json")
    finally:
        model.formula_ = formula
    assert not (tmp_path / "never.json").exists()
