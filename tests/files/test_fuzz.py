"""A seeded fuzz run: 10,000 files crafted from real saved models, and only ValueErrors.

Each file is one mutation of a document ``save`` wrote, for every kind of model a file can
hold (``model_files.KINDS``): truncations, bit flips, values of another type, deleted,
repeated and extra keys, huge and non-finite numbers, deep nesting, and plausible edits,
some resealed with a valid checksum (so the entry checks are reached) and some not. Every
file must load, or raise a ``ValueError`` of one short line; a file that loads must
predict, with finite probabilities that sum to 1 where its coefficients are not extreme
(a coefficient of 1e308 is a finite number that a file may hold, but its scores overflow).
"""

from __future__ import annotations

import collections
import json
import os
import random
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from model_files import KINDS, deleted, paths, replaced, reseal, saved_document

from log_reg.files.persistence import read_model_file

N_FILES = 10_000
SEED = 16

#: Values of every JSON type, and numbers at the edges of what a double or an int64 holds.
ODD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**31,
    2**63,
    -(2**63) - 1,
    10**30,
    1e308,
    -1e308,
    5e-324,
    0.5,
    -0.0,
    "",
    "x",
    "inf",
    "float64",
    [],
    ["x"],
    [1, 2],
    [[1]],
    {},
    {"a": 1},
    {"float": "nan"},
    {"float": "inf"},
    {"dict": []},
    {"dict": [[0, -1]]},
    {"dtype": "float64", "shape": [1], "values": [1.0]},
]
#: Number tokens no file of ours holds: too large, too long, or not standard JSON.
ODD_NUMBERS = ["1e999", "-1e999", "1e-999", "9" * 5000, "9" * 40, "NaN", "Infinity", "-Infinity"]
_NUMBER = re.compile(rb"(?<![\w.\"])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_KEY = re.compile(rb'"[^"\\]+": ')


class Base(NamedTuple):
    """A saved model's document and text, data to predict, and the paths into the document."""

    document: dict
    text: bytes
    X: np.ndarray
    paths: list  # every entry and item but the document itself and its checksum
    objects: list  # the paths of objects


def _nested(rng, depth):
    value = rng.choice([1, "x", None])
    for _ in range(depth):
        value = [value] if rng.random() < 0.5 else {"k": value}
    return value


def _plausible(rng, value):
    """A value near ``value``: a number scaled or negated, a list shortened, a flag flipped."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return rng.choice([-value, value * 2, value + 1, 0, value / 3, int(value)])
    if isinstance(value, str):
        return rng.choice([value + "x", value[:-1], value.upper()])
    if isinstance(value, list):
        return rng.choice([value[:-1], [*value, *value[-1:]], value[::-1]])
    if isinstance(value, dict):
        return {k: v for k, v in list(value.items())[:-1]}
    return rng.choice([0, "", False, []])  # for null


def _dump(document, seal):
    return json.dumps(reseal(document) if seal else document).encode()


def _mutate(rng, base):
    """One crafted file (bytes) and the name of its mutation."""
    document, text = base.document, base.text
    seal = rng.random() < 0.75
    kind = rng.choice(
        [
            "truncate",
            "flip bits",
            "odd value",
            "delete",
            "repeat key",
            "extra key",
            "odd number",
            "huge number",
            "deep",
            "plausible",
            "unsealed edit",
            "junk around",
        ]
    )
    if kind == "truncate":
        return kind, text[: rng.randrange(len(text))]
    if kind == "flip bits":
        data = bytearray(text)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return kind, bytes(data)
    if kind == "odd value":
        value = rng.choice(ODD_VALUES)
        return kind, _dump(replaced(document, rng.choice(base.paths), value), seal)
    if kind == "delete":
        return kind, _dump(deleted(document, rng.choice(base.paths)), seal)
    if kind == "repeat key":
        match = rng.choice(list(_KEY.finditer(text)))
        return kind, text[: match.start()] + match.group() + b"0, " + text[match.start() :]
    if kind == "extra key":
        path, key = rng.choice(base.objects), rng.choice(["extra", "format", "values", "dict", ""])
        edited = json.loads(text)
        _at(edited, path)[key] = rng.choice(ODD_VALUES)
        return kind, _dump(edited, seal)
    if kind == "odd number":
        match = rng.choice(list(_NUMBER.finditer(text)))
        token = rng.choice(ODD_NUMBERS).encode()
        return kind, text[: match.start()] + token + text[match.end() :]
    if kind == "huge number":
        value = rng.choice([10**300, -(10**300), 2**64, 1e308, 1.7976931348623157e308, 10**100])
        return kind, _dump(replaced(document, rng.choice(base.paths), value), seal)
    if kind == "deep":
        depth = rng.choice([5, 31, 33, 200, 5000])
        edited = replaced(document, rng.choice(base.paths), "@deep@")
        deep = json.dumps(_nested(rng, min(depth, 200))).encode()
        if depth > 200:  # beyond what json.dumps itself can write
            deep = b"[" * depth + b"]" * depth
        sealed = reseal(edited) if seal else edited
        return kind, json.dumps(sealed).encode().replace(b'"@deep@"', deep)
    if kind == "plausible":
        path = rng.choice(base.paths)
        return kind, _dump(replaced(document, path, _plausible(rng, _at(document, path))), True)
    if kind == "unsealed edit":
        path = rng.choice(base.paths)
        edited = replaced(document, path, _plausible(rng, _at(document, path)))
        if reseal(edited)["checksum"] == document["checksum"]:  # the same content after all
            return "unsealed, unchanged", _dump(edited, False)
        return kind, _dump(edited, False)
    junk = rng.choice([b"\xef\xbb\xbf", b" " * 70, b"\x00", b"}", b",{}", b"garbage", b"\n\n"])
    return kind, junk + text if rng.random() < 0.5 else text + junk


def _at(document, path):
    for key in path:
        document = document[key]
    return document


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    """A ``Base`` for every kind of model: what the mutations start from."""
    folder = tmp_path_factory.mktemp("bases")
    found = []
    for kind, *_ in KINDS:
        document, _, X = saved_document(folder, kind)
        inside = [p for p in paths(document) if p and p != ("checksum",)]
        objects = [p for p in paths(document) if isinstance(_at(document, p), dict)]
        text = (folder / "saved.json").read_bytes()
        found.append(Base(document, text, np.asarray(X, dtype=np.float64), inside, objects))
    return found


@pytest.fixture
def scratch(tmp_path):
    """A folder in memory where there is one (tmpfs): the run writes 10,000 files."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        return tmp_path
    folder = Path(tempfile.mkdtemp(dir=shm))
    yield folder
    shutil.rmtree(folder)


def test_ten_thousand_crafted_files_raise_only_value_errors(scratch, bases):
    rng = random.Random(SEED)
    path = scratch / "crafted.json"
    outcomes = collections.Counter()
    for _ in range(N_FILES):
        base = rng.choice(bases)
        kind, data = _mutate(rng, base)
        X = base.X
        path.write_bytes(data)
        try:
            model = read_model_file(path).model
        except ValueError as error:
            message = str(error)
            assert "\n" not in message and len(message) < 500 + len(str(path)), (kind, message)
            outcomes[kind, "refused"] += 1
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # feature names of a data frame, and the like
            P = model.predict_proba(X)
        assert P.shape == (len(X), len(model.classes_)), kind
        moderate = (
            max(float(np.abs(model.coef_).max()), float(np.abs(model.intercept_).max())) < 1e100
        )
        assert not moderate or (np.isfinite(P).all() and np.allclose(P.sum(axis=1), 1)), kind
        outcomes[kind, "loaded"] += 1
    assert sum(outcomes.values()) == N_FILES
    assert outcomes["plausible", "loaded"] > 0  # edits that keep a valid model do load
    assert outcomes["unsealed edit", "loaded"] == 0  # the checksum catches every other edit
