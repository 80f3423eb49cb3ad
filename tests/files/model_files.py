"""Test helpers: real saved models, and documents crafted from them with valid checksums.

The checksum, as ``log_reg.files.persistence`` documents it, is SHA-256 of the document
without its ``checksum`` entry, written as compact JSON with sorted keys
(``separators=(",", ":")``); ``reseal`` re-implements it here, independently, so a test
can change any entry and still get past the checksum to the check of that entry.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings

import numpy as np
from conftest import make_problem

from log_reg import LogisticRegression
from log_reg.files.persistence import save


def reseal(document):
    """``document`` with the checksum of its content (the module docstring's definition)."""
    body = {k: v for k, v in document.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return {**document, "checksum": "sha256:" + hashlib.sha256(text.encode()).hexdigest()}


def write(path, document, *, seal=True):
    """Write ``document`` (resealed unless ``seal=False``) to ``path``; return ``path``."""
    path.write_text(json.dumps(reseal(document) if seal else document))
    return path


#: Models of each kind a file can hold: (name, labels, parameters, feature names, dtype).
KINDS = [
    ("binary unpenalized", "int", {"C": np.inf, "tol": 1e-10}, False, np.float64),
    ("binary penalized, named", "str", {"C": 0.5}, True, np.float64),
    ("three classes unpenalized", "str", {"C": np.inf, "tol": 1e-10}, True, np.float64),
    (
        "weighted",
        "float",
        {"class_weight": {-1.0: 2.0, 1.0: 1.0}, "l1_ratio": 0.5},
        False,
        np.float32,
    ),
    ("one-vs-rest", "object", {"multi_class": "ovr", "solver": "lbfgs"}, False, np.float32),
    ("bool sgd", "bool", {"solver": "sgd", "random_state": 3, "max_iter": 5}, True, np.float64),
]


def _labels(y, kind):
    return {
        "int": y,
        "str": np.array(["cat", "dog", "emu"])[y],
        "object": np.array(["cat", "dog", "emu"], dtype=object)[y],
        "bool": y.astype(bool),
        "float": y * 2.0 - 1.0,
    }[kind]


def fitted(kind):
    """``(model, X)`` of one of ``KINDS`` (by name), fit on a small seeded problem."""
    name, labels, params, named, dtype = next(k for k in KINDS if k[0] == kind)
    n_classes = 3 if name.startswith("three") or name == "one-vs-rest" else 2
    X, y = make_problem(n=60, d=3, n_classes=n_classes, seed=len(name))
    X = X.astype(dtype)
    if named:
        import pandas as pd

        X = pd.DataFrame(X, columns=["age", "dose", "weight"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # some kinds stop early on purpose
        return LogisticRegression(**params).fit(X, _labels(y, labels)), X


def saved_document(tmp_path, kind):
    """The JSON document ``save`` writes for one of ``KINDS``, and the model and data."""
    model, X = fitted(kind)
    path = tmp_path / "saved.json"
    save(model, path)
    return json.loads(path.read_text()), model, X


def same_json(a, b):
    """Equal as JSON values: numbers by value (an int may stand for a float, never a bool),
    everything else by type and value."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (
            isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def paths(value, prefix=()):
    """Every path (a tuple of keys and indices) into a JSON value, containers included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def replaced(document, path, value):
    """A copy of ``document`` with the value at ``path`` replaced (``path`` not empty)."""
    copy = json.loads(json.dumps(document))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return copy


def deleted(document, path):
    """A copy of ``document`` without the entry or item at ``path``."""
    copy = json.loads(json.dumps(document))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return copy
