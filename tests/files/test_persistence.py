"""Model files: exact round trips, and a clear ValueError for anything that is not one."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import make_problem
from model_files import reseal

from log_reg import LogisticRegression
from log_reg.files.atomic import write_atomically
from log_reg.files.persistence import Encoding, load, read_model_file, save


def assert_same_model(a, b, X):
    for name in ("coef_", "intercept_", "n_iter_", "classes_"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.shape == y.shape, name
        assert x.tobytes() == y.tobytes() if x.dtype != object else x.tolist() == y.tolist(), name
    assert a.get_params() == b.get_params()
    assert (a.converged_, a.solver_, a.n_features_in_) == (
        b.converged_,
        b.solver_,
        b.n_features_in_,
    )
    histories = (a.loss_history_, b.loss_history_)
    if isinstance(histories[0], list):
        assert all(np.array_equal(h, g) for h, g in zip(*histories))
    else:
        assert histories[0].tobytes() == histories[1].tobytes()
    assert np.array_equal(a.predict(X), b.predict(X))
    assert a.predict_proba(X).tobytes() == b.predict_proba(X).tobytes()


def _labels(y, kind):
    return {
        "int": y,
        "str": np.array(["cat", "dog", "emu"])[y],
        "object": np.array(["cat", "dog", "emu"], dtype=object)[y],
        "bool": y.astype(bool),
        "int8": y.astype(np.int8),
        "float": y * 2.0 - 1.0,
    }[kind]


@pytest.mark.filterwarnings("ignore::log_reg.ConvergenceWarning")
@pytest.mark.parametrize(
    ("n_classes", "labels", "params", "dtype"),
    [
        (2, "int", {}, np.float64),
        (2, "bool", {"C": np.inf, "standardize": True}, np.float64),
        (2, "float", {"class_weight": {-1.0: 2.0, 1.0: 1.0}, "l1_ratio": 0.5}, np.float32),
        (3, "str", {"class_weight": "balanced", "tol": 1e-10, "max_iter": 7}, np.float64),
        (3, "object", {"multi_class": "ovr", "solver": "lbfgs"}, np.float32),
        (3, "int", {"solver": "sgd", "random_state": 3}, np.float64),
        (2, "int8", {}, np.float64),  # a one-byte dtype is written "|i1"
    ],
)
def test_round_trip_is_exact(tmp_path, n_classes, labels, params, dtype):
    X, y = make_problem(n=80, d=3, n_classes=n_classes, seed=n_classes)
    X = X.astype(dtype)
    model = LogisticRegression(**params).fit(X, _labels(y, labels))
    save(model, tmp_path / "m.json")
    again = load(tmp_path / "m.json")
    assert_same_model(model, again, X)
    assert again.coef_.dtype == dtype


def test_feature_names_and_encoding_round_trip(tmp_path):
    X, y = make_problem(n=50, d=3)
    frame = pd.DataFrame(X, columns=["age", "color=green", "color=red"])
    model = LogisticRegression().fit(frame, y)
    encoding = Encoding(("age", "color"), {"color": ("blue", "green", "red")}, "sick")
    save(model, tmp_path / "m.json", encoding=encoding)
    read = read_model_file(tmp_path / "m.json")
    assert read.encoding == encoding and read.format_version == 2
    assert read.model.feature_names_in_.tolist() == ["age", "color=green", "color=red"]
    assert_same_model(model, read.model, frame)


def test_the_file_is_readable_json_with_exact_floats(tmp_path):
    X, y = make_problem(n=40, d=2)
    model = LogisticRegression(C=np.inf).fit(X, y)
    save(model, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["params"]["C"] == {"float": "inf"}
    assert document["classes"] == {
        "type": "int",
        "dtype": model.classes_.dtype.str,
        "values": [0, 1],
    }
    assert document["coef"]["values"] == model.coef_.ravel().tolist()  # repr round-trips
    assert reseal(document)["checksum"] == document["checksum"]


def test_a_callable_parameter_is_not_saved(tmp_path):
    class WithHook(LogisticRegression):  # as the estimator with a progress hook would be
        def __init__(self, C=1.0, callback=None):
            super().__init__(C=C)
            self.callback = callback

    X, y = make_problem(n=40, d=2)
    model = WithHook(C=0.5, callback=print).fit(X, y)
    save(model, tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["params"] == {"C": 0.5}
    again = load(tmp_path / "m.json")
    assert again.C == 0.5 and again.coef_.tobytes() == model.coef_.tobytes()


# -- what cannot be saved ----------------------------------------------------------------
def test_save_refuses_what_a_file_cannot_hold_and_writes_nothing(tmp_path):
    X, y = make_problem(n=40, d=2)
    with pytest.raises(ValueError, match="fitted LogisticRegression"):
        save(LogisticRegression(), tmp_path / "m.json")
    model = LogisticRegression().fit(X, y)
    model.random_state = np.random.RandomState(0)
    with pytest.raises(ValueError, match="parameter random_state=RandomState"):
        save(model, tmp_path / "m.json")
    model.random_state = None
    model.coef_ = model.coef_ * np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        save(model, tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "m.json"
    target.write_text("old")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space left") as error:
        write_atomically(target, b"new")
    assert error.value.filename == str(target)  # the file asked for, not the temporary one
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["m.json"]


def test_write_to_a_missing_folder_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        write_atomically(tmp_path / "no" / "m.json", b"x")
    assert error.value.filename == str(tmp_path / "no" / "m.json")


# -- what cannot be loaded ---------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    X, y = make_problem(n=40, d=2, n_classes=3)
    save(LogisticRegression().fit(X, y), tmp_path / "m.json")
    return tmp_path / "m.json"


def _write(path, content):
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_other_files_are_named_for_what_they_are(saved, tmp_path):
    X, y = make_problem(n=40, d=2)
    cases = {
        "pickle": (pickle.dumps(LogisticRegression().fit(X, y)), "Python pickle"),
        "png": (b"\x89PNG\r\n\x1a\n" + bytes(20), "PNG image"),
        "csv": ("a,b\n1,2\n", r"not a JSON object: it starts with b.a,b\\n1,2\\n., not ."),
        "json array": ("[1, 2]", "not a JSON object"),
        "bad json": ('{"a": 1,, }', "not JSON .Expecting property name"),
        "empty": ("", "is empty"),
        "binary": (b"\xff\xfe\x00\x01", "it starts with b.\\\\xff"),
        "binary json": (b'{"a": "\xff"}', "binary data"),
        "other json": ('{"weights": [1, 2]}', "not a log_reg model"),
        "truncated": (saved.read_bytes()[:200], "truncated"),
        "nan": (saved.read_text().replace('"converged": true', '"converged": NaN'), "NaN"),
        "deep": ('{"a": ' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    }
    for name, (content, message) in cases.items():
        path = _write(tmp_path / f"{name}.file", content)
        with pytest.raises(ValueError, match=message) as error:
            load(path)
        assert str(path) in str(error.value) and "\n" not in str(error.value), name


def test_an_edited_file_fails_its_checksum(saved):
    text = saved.read_text()
    document = json.loads(text)
    value = document["coef"]["values"][0]
    saved.write_text(text.replace(repr(value), repr(value + 1e-9), 1))
    with pytest.raises(ValueError, match="checksum does not match"):
        load(saved)


def test_a_number_beyond_double_range_is_refused(saved):
    document = json.loads(saved.read_text())
    saved.write_text(saved.read_text().replace(repr(document["coef"]["values"][0]), "1e999", 1))
    with pytest.raises(ValueError, match="checksum does not match"):
        load(saved)


def test_a_newer_format_version_is_refused_before_anything_else(saved):
    document = json.loads(saved.read_text())
    saved.write_text(json.dumps({**document, "format_version": 3, "library_version": "9.0"}))
    with pytest.raises(ValueError, match="format version 3 .*log_reg 9.0.*reads versions 1 and 2"):
        load(saved)


def _edit(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(reseal(document)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["coef"].update(shape=[2, 2], values=d["coef"]["values"][:4]),
            r"coef must have shape \(3, 2\)",
        ),
        (lambda d: d["coef"]["values"].pop(), "must hold 6 finite numbers"),
        (lambda d: d["coef"]["values"].__setitem__(0, "1.0"), "each value of coef must be"),
        (lambda d: d["coef"].update(dtype="float16"), "coef must have dtype float32 or float64"),
        (lambda d: d["coef"].update(dtype="float32"), "cannot represent exactly"),
        (lambda d: d["intercept"].update(dtype="float32"), "intercept must have dtype float64"),
        (lambda d: d["classes"]["values"].pop(), r"coef must have shape \(1, 2\)"),
        (lambda d: d["classes"].update(values=[2, 1, 0]), "sorted, distinct"),
        (lambda d: d["classes"].update(values=[0, 1, "2"]), "each class label must be int"),
        (lambda d: d["classes"].update(type="complex"), "classes type must be one of"),
        (lambda d: d["classes"].update(dtype="|O"), r"dtype \"\|O\" does not fit type 'int'"),
        (lambda d: d["classes"].update(dtype="|i1", values=[0, 1, 300]), "do not fit dtype"),
        (lambda d: d.update(n_features=True), "n_features must be int"),
        (lambda d: d.update(feature_names=["a"]), "feature_names must list 2 distinct names"),
        (
            lambda d: d.update(n_iter={"dtype": "int32", "shape": [2], "values": [1, 2]}),
            "1 or 3 fit",
        ),
        (lambda d: d.update(loss_history=[]), "n_iter and loss_history"),
        (lambda d: d.update(solver="os.system"), "solver must be one of"),
        (lambda d: d.update(converged="yes"), "converged must be bool"),
        (lambda d: d.update(estimator="Pipeline"), "not a 'LogisticRegression'"),
        (lambda d: d.pop("coef"), r'lacks entries \["coef"\]'),
        (lambda d: d.update(extra=1), r'unknown entries \["extra"\]'),
        (lambda d: d["params"].update(evil="__import__('os')"), r'unknown names \["evil"\]'),
        (lambda d: d["params"].update(C={"float": "1e3"}), "parameter C has a value"),
        (
            lambda d: d["params"].update(class_weight={"dict": [[{"dict": []}, 1]]}),
            "parameter class_weight",
        ),
        (
            lambda d: d.update(encoding={"columns": ["x"], "categories": {}, "target": None}),
            "encoding does not expand",
        ),
        (lambda d: d.update(encoding={"columns": "x"}), "encoding lacks entries"),
    ],
)
def test_a_tampered_file_is_refused_with_the_reason(saved, change, message):
    _edit(saved, change)
    with pytest.raises(ValueError, match=message):
        load(saved)


def test_repeated_keys_are_refused(saved):
    text = saved.read_text()
    saved.write_text(text.replace('"converged":', '"solver": "cd", "converged":', 1))
    with pytest.raises(ValueError, match=r'repeats the key\(s\) \["solver"\]'):
        load(saved)


def test_params_missing_from_an_older_file_keep_their_defaults(saved):
    _edit(saved, lambda d: d["params"].pop("warm_start"))
    assert load(saved).warm_start is False
