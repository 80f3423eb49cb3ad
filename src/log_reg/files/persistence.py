"""Model files: a fitted ``LogisticRegression`` as a versioned JSON document, and back.

A model file is plain JSON, never a pickle: loading one parses text and executes nothing.
Format version 1 holds, in this order::

    format, format_version   "log_reg model", 1
    library_version          the log_reg that wrote it (log_reg.__version__)
    estimator                "LogisticRegression"
    params                   get_params(), callables (hooks) left out
    classes                  {"type": "int" | "str" | "bool" | "float", "dtype", "values"}
    n_features, feature_names
    encoding                 how the log-reg command built the features from a table, or null
    coef, intercept, n_iter  arrays {"dtype", "shape", "values"}
    converged, solver, loss_history (one array per fit: several for one-vs-rest)
    checksum                 "sha256:<hex>"

How each value is written (floats bit for bit, float32 kept, ``C=inf``) is in
``log_reg.files.model_json``. ``load`` rejects anything it would not have written: another
kind of file (a pickle, an image, a CSV), a truncated file, an unknown format version,
missing or extra entries, wrong types, shapes that disagree (classes and coefficient rows,
features and columns), non-finite numbers. The checksum, SHA-256 of the document without
it as compact JSON with sorted keys, catches edits and damage: a guard against accidents,
not a seal against malice.

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

from log_reg.files.atomic import write_atomically
from log_reg.files.model_json import (
    check_entries,
    decode_array,
    decode_classes,
    decode_value,
    encode_array,
    encode_classes,
    encode_value,
    expect,
    expect_names,
)
from log_reg.models.estimator import LogisticRegression
from log_reg.solvers import SOLVERS

__all__ = [
    "FORMAT_VERSION",
    "Encoding",
    "ModelFile",
    "load",
    "read_model_file",
    "save",
    "write_atomically",
]

FORMAT = "log_reg model"
FORMAT_VERSION = 1

#: The entries of a format-version-1 document, in the order they are written.
_ENTRIES = (
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

#: The first bytes of files people mistake for model files, and what they are.
_SIGNATURES = {
    b"\x80": "a Python pickle (log_reg never loads pickles: loading one can run any code)",
    b"\x89PNG": "a PNG image",
    b"PAR1": "a Parquet file",
    b"PK\x03\x04": "a zip archive",
}


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
    """What a model file holds: the model, the command's encoding, and who wrote it."""

    model: LogisticRegression
    encoding: Encoding | None
    format_version: int
    library_version: str


# -- writing -------------------------------------------------------------------------
def save(
    model: LogisticRegression, path: str | os.PathLike[str], *, encoding: Encoding | None = None
) -> None:
    """Write a fitted ``model`` to ``path`` as a JSON model file, atomically.

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
def load(path: str | os.PathLike[str]) -> LogisticRegression:
    """The fitted ``LogisticRegression`` saved at ``path``; it predicts exactly as the saved one.

    Raises
    ------
    ValueError
        If the file is not a model file that this log_reg can read (see the module
        docstring for every check). ``OSError`` if it cannot be read at all.

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
    return read_model_file(path).model


def read_model_file(path: str | os.PathLike[str]) -> ModelFile:
    """Everything a model file holds: the model, the command's ``Encoding``, the versions.

    Raises ``ValueError`` as ``load`` does.
    """
    try:
        return _model_file(_parse(_read(path)))
    except ValueError as error:
        raise ValueError(f"{os.fspath(path)} is not a valid log_reg model file: {error}") from None


def _read(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes, once its start shows a JSON object (not, say, a large CSV file)."""
    with open(path, "rb") as file:
        head = file.read(64)
        if head.lstrip()[:1] == b"{":
            return head + file.read()
    if not head.strip():
        raise ValueError("it is empty.")
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise ValueError(f"it is {what}.")
    raise ValueError(f"it is not a JSON object: it starts with {head[:20]!r}, not '{{'.")


def _parse(data: bytes) -> dict[str, Any]:
    """The JSON document in ``data``, or a ``ValueError`` that says what is wrong with it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("it holds binary data, not JSON text.") from None
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated"):
            raise ValueError("it ends in the middle of its JSON document (truncated?).") from None
        raise ValueError(
            f"it is not JSON ({error.msg} at line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise ValueError("its JSON is nested too deeply.") from None
    if document.get("format") != FORMAT:
        raise ValueError(f'it is JSON, but not a log_reg model (no "format": "{FORMAT}" entry).')
    return document


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"its JSON repeats the key(s) {repeated}.")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"it holds {name}, which is not standard JSON.")


def _model_file(document: dict[str, Any]) -> ModelFile:
    """Check the version, the checksum and every entry; rebuild the fitted estimator."""
    from log_reg.version import __version__

    version = document.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise ValueError(
            f"it has format version {version!r} (written by log_reg "
            f"{document.get('library_version', '?')}), and log_reg {__version__} reads "
            f"version {FORMAT_VERSION} only."
        )
    try:
        intact = document.get("checksum") == _checksum(document)
    except ValueError:  # a number too large for a double: inf, which JSON cannot hold
        intact = False
    if not intact:
        raise ValueError("its checksum does not match its content: it was changed or damaged.")
    check_entries(document, _ENTRIES, "the document")
    expect(document["library_version"], (str,), "library_version")
    if document["estimator"] != "LogisticRegression":
        raise ValueError(f"it holds a {document['estimator']!r}, not a 'LogisticRegression'.")
    model = LogisticRegression()
    model.set_params(**_decode_params(document["params"]))
    _restore_fitted(model, document)
    encoding = _decode_encoding(document["encoding"], getattr(model, "feature_names_in_", None))
    return ModelFile(model, encoding, version, document["library_version"])


def _restore_fitted(model: LogisticRegression, document: dict[str, Any]) -> None:
    """Set the fitted attributes, checking that their shapes agree with each other."""
    classes = decode_classes(document["classes"])
    d = expect(document["n_features"], (int,), "n_features")
    if d < 1:
        raise ValueError(f"n_features must be >= 1; got {d}.")
    names = document["feature_names"]
    if names is not None:
        expect_names(names, "feature_names", length=d)
    rows = 1 if len(classes) == 2 else len(classes)  # coefficient rows
    coef = decode_array(document["coef"], "coef", ("float32", "float64"), shape=(rows, d))
    intercept = decode_array(document["intercept"], "intercept", (coef.dtype.name,), shape=(rows,))
    n_iter = decode_array(document["n_iter"], "n_iter", ("int32", "int64"), shape=(-1,))
    histories = expect(document["loss_history"], (list,), "loss_history")
    if len(n_iter) not in (1, rows) or len(histories) != len(n_iter) or (n_iter < 0).any():
        raise ValueError(
            f"n_iter and loss_history must both list 1 or {rows} fit(s), with n_iter >= 0; "
            f"got {len(n_iter)} and {len(histories)}."
        )
    history = [
        decode_array(h, "loss_history", ("float32", "float64"), shape=(-1,)) for h in histories
    ]
    solver = expect(document["solver"], (str,), "solver")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {sorted(SOLVERS)}; got {solver!r}.")
    model.classes_, model.coef_, model.intercept_, model.n_iter_ = classes, coef, intercept, n_iter
    model.n_features_in_ = d
    model.converged_ = expect(document["converged"], (bool,), "converged")
    model.loss_history_ = history[0] if len(history) == 1 else history
    model.solver_ = solver
    if names is not None:
        model.feature_names_in_ = np.asarray(names, dtype=object)


def _decode_params(obj: Any) -> dict[str, Any]:
    """``get_params()`` as saved; names missing (from an older log_reg) keep their defaults.

    Only the types are checked here: as for any estimator, ``fit`` validates the values.
    """
    known = LogisticRegression().get_params()
    unknown = sorted(set(expect(obj, (dict,), "params")) - set(known))
    if unknown:
        raise ValueError(f"params has unknown names {unknown}; known: {sorted(known)}.")
    return {name: decode_value(value, f"parameter {name}") for name, value in obj.items()}


def _decode_encoding(obj: Any, feature_names: Any) -> Encoding | None:
    """The command's ``Encoding``, which must expand to exactly the model's feature names."""
    if obj is None:
        return None
    check_entries(obj, ("columns", "categories", "target"), "encoding")
    columns = expect_names(obj["columns"], "encoding columns")
    categories = {
        column: tuple(expect_names(levels, f"the levels of {column!r}"))
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
