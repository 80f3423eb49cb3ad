"""Model files: a fitted ``LogisticRegression`` as a versioned JSON document, and back.

A model file is plain JSON, never a pickle: loading one parses text and executes nothing.
Format version 2 holds, in this order, each entry of the type and range given::

    format, format_version   "log_reg model", 2
    library_version          the log_reg that wrote it: a string of at most 100 characters
    estimator                "LogisticRegression"
    params                   get_params(), callables (hooks) left out: each value one that
                             ``log_reg.files.params.RULES`` allows (a name missing from an
                             older file keeps its default)
    classes                  {"type": "int" | "str" | "bool" | "float", "dtype", "values"}:
                             at least 2 labels of that type, sorted and distinct; a text
                             dtype "<U<width>" holds at most 2**26 characters in all
                             (``model_json.MAX_LABEL_CHARACTERS``)
    n_features               d, an integer >= 1
    feature_names            d distinct strings, or null
    encoding                 how the log-reg command built the features from a table, or
                             null: {"columns": distinct strings, "categories": {column:
                             distinct levels}, "target": a string or null}, which must
                             expand to feature_names exactly (``Encoding``)
    coef, intercept          arrays {"dtype", "shape", "values"}, both float64 or both
                             float32, of shapes (r, d) and (r,): r = 1 for two classes,
                             else n_classes
    n_iter                   an int32 or int64 array of 1 or r (one-vs-rest) counts >= 0
    converged                true or false
    solver                   the solver of ours that ran (a name in ``log_reg.solvers.SOLVERS``)
    loss_history             one float array per fit, as many as n_iter, of values >= 0
    summary                  the nonrobust ``Summary`` of an unpenalized fit, or null
                             (``log_reg.files.saved_summary`` says when and what)
    formula                  optional, only for a model fitted by ``log_reg.logit``: its
                             formula and what it learned (levels, transforms' states), so
                             the loaded model predicts from data frames
                             (``log_reg.files.formula_entry``)
    checksum                 "sha256:<hex>"

Version 1, written before model files kept a summary, is the same without ``summary``;
it is read as well.

How each value is written (floats bit for bit, float32 kept, ``C=inf``) is in
``log_reg.files.model_json``. Every number must be finite unless said otherwise.

``load`` rejects anything it would not have written, with a ``ValueError`` that names what
is wrong, in time proportional to the file's size: a path that is not a regular file (a
folder, a named pipe, a device), a file over ``max_bytes`` (``MAX_BYTES``, 128 MiB, by
default), another kind of file (a pickle, an image, a CSV), a truncated file, repeated
keys, deep nesting (``log_reg.files.json_document``), an unknown format version, missing
or extra entries, wrong types, values out of range, shapes that disagree (classes and
coefficient rows, features and columns). The checksum, SHA-256 of the document without it
as compact JSON with sorted keys, catches edits and damage: a guard against accidents,
not a seal against malice, which is why every entry is checked as well.

Writes are atomic: the document goes to a temporary file in the target's folder, which
then replaces the target in one step, so a failure never leaves a half-written file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from log_reg.core.loss import loss_for
from log_reg.files.atomic import write_atomically
from log_reg.files.formula_entry import decode_formula, encode_formula
from log_reg.files.json_document import check_path, read_document
from log_reg.files.model_json import (
    check_entries,
    decode_array,
    decode_classes,
    describe,
    encode_array,
    encode_classes,
    encode_value,
    expect,
    expect_names,
)
from log_reg.files.params import decode_params
from log_reg.files.saved_summary import decode_summary, summary_entry
from log_reg.inference.summary import Summary
from log_reg.models.estimator import LogisticRegression
from log_reg.solvers import SOLVERS

__all__ = [
    "FORMAT_VERSION",
    "MAX_BYTES",
    "Encoding",
    "ModelFile",
    "load",
    "read_model_file",
    "save",
]

FORMAT = "log_reg model"
FORMAT_VERSION = 2
#: The largest file ``load`` reads by default: about five million coefficients.
MAX_BYTES = 128 * 2**20

#: The entries of a document of each format version, in the order they are written.
_ENTRIES_V1 = (
    "format",
    "format_version",
    "library_version",
    "estimator",
    "params",
    "classes",
    "n_features",
    "feature_names",
    "encoding",
    "coef",
    "intercept",
    "n_iter",
    "converged",
    "solver",
    "loss_history",
    "checksum",
)
_ENTRIES = {1: _ENTRIES_V1, 2: (*_ENTRIES_V1[:-1], "summary", "checksum")}


@dataclass(frozen=True)
class Encoding:
    """How a table's columns became the model's features (written by the log-reg command).

    Numeric columns are features as they are. A text column with levels ``l_0 < l_1 < ...``
    (sorted) becomes one 0/1 feature ``"column=l_j"`` per level but the first, which is the
    reference level (treatment coding, so that an unpenalized fit stays identifiable).

    Examples
    --------
    >>> Encoding(("age", "color"), {"color": ("blue", "red")}, target="y").feature_names()
    ['age', 'color=red']
    """

    columns: tuple[str, ...]
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    target: str | None = None

    def feature_names(self) -> list[str]:
        """The model's feature names, in order, as the columns expand."""
        names: list[str] = []
        for column in self.columns:
            levels = self.categories.get(column)
            names += [column] if levels is None else [f"{column}={v}" for v in levels[1:]]
        return names


@dataclass(frozen=True, eq=False)
class ModelFile:
    """What a model file holds: the model, the command's encoding, who wrote it, and the
    nonrobust summary saved with an unpenalized fit (``None`` when there is none)."""

    model: LogisticRegression
    encoding: Encoding | None
    format_version: int
    library_version: str
    summary: Summary | None = None


# -- writing -------------------------------------------------------------------------
def save(
    model: LogisticRegression, path: str | os.PathLike[str], *, encoding: Encoding | None = None
) -> None:
    """Write a fitted ``model`` to ``path`` as a JSON model file, atomically.

    An unpenalized model that still holds its training data (fit in this session) also
    keeps its nonrobust summary, so that standard errors need no data later
    (``log_reg.files.saved_summary``).

    Parameters
    ----------
    model : LogisticRegression
        Fitted.
    path : str or path-like
        Replaced if it exists, in one step: never left half-written.
    encoding : Encoding, optional
        How the features were built from a table (the log-reg command passes it).

    Raises
    ------
    ValueError
        If ``model`` is not a fitted ``LogisticRegression``, or holds what a model file
        cannot (a parameter other than a number, string, bool, None or dict of them;
        non-finite coefficients). Nothing is written then.

    Examples
    --------
    >>> import os, tempfile
    >>> from log_reg import LogisticRegression, load_toy
    >>> X, y = load_toy()
    >>> model = LogisticRegression(C=0.5).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> save(model, path)
    >>> again = load(path)
    >>> bool((again.coef_ == model.coef_).all()), again.get_params() == model.get_params()
    (True, True)
    """
    document = _document(model, encoding)
    document["summary"] = summary_entry(model)
    formula = getattr(model, "formula_", None)
    if formula is not None:
        document["formula"] = encode_formula(formula)
    document["checksum"] = _checksum(document)
    write_atomically(path, (json.dumps(document, indent=2, allow_nan=False) + "\n").encode())


def _document(model: Any, encoding: Encoding | None) -> dict[str, Any]:
    if not isinstance(model, LogisticRegression) or not hasattr(model, "coef_"):
        raise ValueError(f"save needs a fitted LogisticRegression; got {type(model).__name__}.")
    from log_reg.version import __version__

    names = getattr(model, "feature_names_in_", None)
    history = model.loss_history_
    histories = history if isinstance(history, list) else [history]  # one per fit
    params = {k: v for k, v in model.get_params().items() if not callable(v)}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "estimator": "LogisticRegression",
        "params": {name: encode_value(v, f"parameter {name}") for name, v in params.items()},
        "classes": encode_classes(np.asarray(model.classes_)),
        "n_features": int(model.n_features_in_),
        "feature_names": None if names is None else [str(n) for n in names],
        "encoding": None if encoding is None else _encode_encoding(encoding),
        "coef": encode_array(model.coef_, "coef_"),
        "intercept": encode_array(model.intercept_, "intercept_"),
        "n_iter": encode_array(model.n_iter_, "n_iter_"),
        "converged": bool(model.converged_),
        "solver": str(model.solver_),
        "loss_history": [encode_array(h, "loss_history_") for h in histories],
    }


def _encode_encoding(encoding: Encoding) -> dict[str, Any]:
    return {
        "columns": list(encoding.columns),
        "categories": {column: list(levels) for column, levels in encoding.categories.items()},
        "target": encoding.target,
    }


def _checksum(document: Mapping[str, Any]) -> str:
    body = {key: value for key, value in document.items() if key != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


# -- reading -------------------------------------------------------------------------
def load(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> LogisticRegression:
    """The fitted ``LogisticRegression`` saved at ``path``; it predicts exactly as the saved one.

    Parameters
    ----------
    path : str or path-like
        A regular file.
    max_bytes : int, default ``MAX_BYTES`` (128 MiB)
        Larger files are refused after reading ``max_bytes + 1`` bytes at most.

    Raises
    ------
    ValueError
        If the file is not a model file that this log_reg can read (see the module
        docstring for every check). ``OSError`` if it cannot be opened at all;
        ``TypeError`` if ``path`` is not a path.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.json")
    >>> with open(path, "w") as file:
    ...     _ = file.write('{"format": "log_reg model", "format_version": 99}')
    >>> load(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: .../notes.json is not a valid log_reg model file: it has format version 99...
    """
    return read_model_file(path, max_bytes=max_bytes).model


def read_model_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> ModelFile:
    """Everything a model file holds: the model, the command's ``Encoding``, the versions,
    and the saved ``Summary``.

    Raises as ``load`` does.
    """
    name = os.fsdecode(check_path(path))
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be an integer >= 1; got {max_bytes!r}.")
    try:
        return _model_file(read_document(path, max_bytes=max_bytes))
    except ValueError as error:
        raise ValueError(f"{name} is not a valid log_reg model file: {error}") from None


def _model_file(document: dict[str, Any]) -> ModelFile:
    """Check the version, the checksum and every entry; rebuild the fitted estimator."""
    from log_reg.version import __version__

    if document.get("format") != FORMAT:
        raise ValueError(f'it is JSON, but not a log_reg model (no "format": "{FORMAT}" entry).')
    version = document.get("format_version")
    if type(version) is not int or version not in _ENTRIES:
        writer = document.get("library_version")
        raise ValueError(
            f"it has format version {describe(version)} (written by log_reg "
            f"{writer[:40] if isinstance(writer, str) else '?'}), and log_reg {__version__} "
            f"reads versions {' and '.join(map(str, _ENTRIES))}."
        )
    try:
        intact = document.get("checksum") == _checksum(document)
    except ValueError:  # a number too large for a double: inf, which JSON cannot hold
        intact = False
    if not intact:
        raise ValueError("its checksum does not match its content: it was changed or damaged.")
    optional = ("formula",) if version >= 2 and "formula" in document else ()
    check_entries(document, (*_ENTRIES[version], *optional), "the document")
    library_version = expect(document["library_version"], (str,), "library_version")
    if len(library_version) > 100:
        raise ValueError(
            f"library_version must be at most 100 characters; got {len(library_version)}."
        )
    if document["estimator"] != "LogisticRegression":
        raise ValueError(
            f"it holds a {describe(document['estimator'])}, not a 'LogisticRegression'."
        )
    model = LogisticRegression()
    model.set_params(**decode_params(document["params"]))
    _restore_fitted(model, document)
    if optional:
        names = getattr(model, "feature_names_in_", None)
        model.formula_ = decode_formula(document["formula"], names, model.fit_intercept)
    encoding = _decode_encoding(document["encoding"], getattr(model, "feature_names_in_", None))
    summary = decode_summary(document.get("summary"), model)
    return ModelFile(model, encoding, version, library_version, summary)


def _restore_fitted(model: LogisticRegression, document: dict[str, Any]) -> None:
    """Set the fitted attributes, checking that their shapes agree with each other."""
    classes = decode_classes(document["classes"])
    d = expect(document["n_features"], (int,), "n_features")
    if d < 1:
        raise ValueError(f"n_features must be >= 1; got {d}.")
    names = document["feature_names"]
    if names is not None:
        expect_names(names, "feature_names", length=d)
    rows = loss_for(len(classes)).n_raw(len(classes))  # coefficient rows
    coef = decode_array(document["coef"], "coef", ("float32", "float64"), shape=(rows, d))
    intercept = decode_array(document["intercept"], "intercept", (coef.dtype.name,), shape=(rows,))
    n_iter = decode_array(document["n_iter"], "n_iter", ("int32", "int64"), shape=(-1,), low=0)
    histories = expect(document["loss_history"], (list,), "loss_history")
    if len(n_iter) not in (1, rows) or len(histories) != len(n_iter):
        raise ValueError(
            f"n_iter and loss_history must both list 1 or {rows} fit(s); "
            f"got {len(n_iter)} and {len(histories)}."
        )
    history = [
        decode_array(h, "loss_history", ("float32", "float64"), shape=(-1,), low=0)
        for h in histories
    ]
    solver = expect(document["solver"], (str,), "solver")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {sorted(SOLVERS)}; got {describe(solver)}.")
    model.classes_, model.coef_, model.intercept_, model.n_iter_ = classes, coef, intercept, n_iter
    model.n_features_in_ = d
    model.converged_ = expect(document["converged"], (bool,), "converged")
    model.loss_history_ = history[0] if len(history) == 1 else history
    model.solver_ = solver
    if names is not None:
        model.feature_names_in_ = np.asarray(names, dtype=object)


def _decode_encoding(obj: Any, feature_names: Any) -> Encoding | None:
    """The command's ``Encoding``, which must expand to exactly the model's feature names."""
    if obj is None:
        return None
    check_entries(obj, ("columns", "categories", "target"), "encoding")
    columns = expect_names(obj["columns"], "encoding columns")
    categories = {
        column: tuple(expect_names(levels, f"the levels of {describe(column)}"))
        for column, levels in expect(obj["categories"], (dict,), "encoding categories").items()
    }
    target = obj["target"] if obj["target"] is None else expect(obj["target"], (str,), "target")
    encoding = Encoding(tuple(columns), categories, target)
    if (
        not set(categories) <= set(columns)
        or not all(categories.values())
        or target in columns
        or feature_names is None
        or encoding.feature_names() != list(feature_names)
    ):
        raise ValueError("its encoding does not expand to the model's feature names.")
    return encoding
