"""Model files: a fitted ``LogisticRegression`` as a versioned JSON document, and back.

A model file is plain JSON, never a pickle: loading one parses text and executes nothing.
Format version 1 holds, in this order::

    format, format_version   "log_reg model", 1
    library_version          the log_reg that wrote it (log_reg.__version__)
    estimator                "LogisticRegression"
    params                   get_params(), as JSON values (see "Values" below)
    classes                  {"type": "int" | "str" | "bool" | "float", "dtype", "values"}
    n_features, feature_names
    encoding                 how the log-reg command built the features from a table, or null
    coef, intercept          arrays (see "Values")
    n_iter, converged, solver, loss_history
    checksum                 "sha256:<hex>" of the rest (see below)

Values. Arrays are ``{"dtype", "shape", "values"}`` with the values flattened in C order.
Floats are written with Python's ``repr``, the shortest text that reads back to the same
double, so every coefficient returns bit for bit; float32 arrays are widened exactly to
float64 for writing and narrowed back on reading. JSON has no infinity, so a parameter
such as ``C=inf`` is written ``{"float": "inf"}``, and a dict parameter (``class_weight``)
as ``{"dict": [[key, value], ...]}`` so that its keys keep their types. Callable
parameters (hooks such as a progress callback) are behaviour, not model: they are not saved.

Checks. ``load`` rejects anything it would not have written: another file type (a pickle,
an image, a CSV), a truncated file, an unknown format version, missing or extra entries,
wrong types, shapes that disagree (classes vs coefficient rows, features vs columns),
non-finite numbers. The checksum (SHA-256 of the document without it, as compact JSON
with sorted keys) catches edits and damage; it is a guard against accidents, not a seal.

Writes are atomic: the document goes to a temporary file in the target's folder, which
then replaces the target in one step, so a failure never leaves a half-written file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .estimator import LogisticRegression
from .solvers import SOLVERS

__all__ = ["FORMAT_VERSION", "Encoding", "ModelFile", "load", "read_model_file", "save"]

FORMAT = "log_reg model"
FORMAT_VERSION = 1

#: The first bytes of files people mistake for model files, and what they are.
_SIGNATURES = {
    b"\x80": "a Python pickle (log_reg never loads pickles: loading one can run any code)",
    b"\x89PNG": "a PNG image",
    b"PAR1": "a Parquet file",
    b"PK\x03\x04": "a zip archive",
    b"%PDF": "a PDF document",
}

#: The type names of class labels, by NumPy dtype kind.
_LABEL_TYPES = {"b": "bool", "i": "int", "u": "int", "f": "float", "U": "str", "O": "str"}
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "bool": (bool,),
    "int": (int,),
    "float": (float,),
    "str": (str,),
}
_FLOAT_DTYPES = ("float32", "float64")


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
        Replaced if it exists (in one step: never left half-written).
    encoding : Encoding, optional
        How the features were built from a table (the log-reg command passes it).

    Raises
    ------
    ValueError
        If ``model`` is not a fitted ``LogisticRegression``, or holds something a model
        file cannot represent (a parameter that is not a number, string, bool, None or
        dict of them; non-finite coefficients). Nothing is written then.

    Examples
    --------
    >>> import os, tempfile
    >>> from log_reg import LogisticRegression, load_toy
    >>> X, y = load_toy()
    >>> model = LogisticRegression().fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> save(model, path)
    >>> again = load(path)
    >>> bool((again.coef_ == model.coef_).all()), again.get_params() == model.get_params()
    (True, True)
    """
    document = _document(model, encoding)
    document["checksum"] = _checksum(document)
    write_atomically(path, (json.dumps(document, indent=2, allow_nan=False) + "\n").encode())


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then move it onto ``path``.

    ``os.replace`` is atomic on POSIX and Windows: readers see the old file or the new
    one, never a mix, and on any failure the temporary file is removed.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _document(model: Any, encoding: Encoding | None) -> dict[str, Any]:
    if not isinstance(model, LogisticRegression) or not hasattr(model, "coef_"):
        raise ValueError(f"save needs a fitted LogisticRegression; got {type(model).__name__}.")
    from . import __version__

    names = getattr(model, "feature_names_in_", None)
    history = model.loss_history_
    histories = history if isinstance(history, list) else [history]  # one per fit (OvR)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "estimator": "LogisticRegression",
        "params": {
            name: _encode_value(value, f"parameter {name}")
            for name, value in model.get_params().items()
            if not callable(value)
        },
        "classes": _encode_classes(np.asarray(model.classes_)),
        "n_features": int(model.n_features_in_),
        "feature_names": None if names is None else [str(n) for n in names],
        "encoding": None if encoding is None else _encode_encoding(encoding),
        "coef": _encode_array(model.coef_, "coef_"),
        "intercept": _encode_array(model.intercept_, "intercept_"),
        "n_iter": _encode_array(model.n_iter_, "n_iter_"),
        "converged": bool(model.converged_),
        "solver": str(model.solver_),
        "loss_history": [_encode_array(h, "loss_history_") for h in histories],
    }


def _encode_value(value: Any, what: str) -> Any:
    """A parameter value as JSON: scalars as they are, non-finite floats and dicts tagged."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, dict):
        return {"dict": [[_encode_value(k, what), _encode_value(v, what)] for k, v in value.items()]}
    raise ValueError(
        f"{what}={value!r} cannot be written to a model file: only numbers, strings, "
        "booleans, None and dicts of them can."
    )


def _encode_classes(classes: np.ndarray[Any, Any]) -> dict[str, Any]:
    values = classes.tolist()
    kind = _LABEL_TYPES.get(classes.dtype.kind)
    if kind is None or not all(isinstance(v, _PY_TYPES[kind]) for v in values):
        raise ValueError(
            f"classes_ of dtype {classes.dtype} cannot be written to a model file: labels must "
            "be integers, strings, booleans or floats."
        )
    return {"type": kind, "dtype": classes.dtype.str, "values": values}


def _encode_array(array: Any, what: str) -> dict[str, Any]:
    a = np.asarray(array)
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{what} holds NaN or infinite values: the model cannot be saved.")
    return {"dtype": a.dtype.name, "shape": list(a.shape), "values": a.ravel().tolist()}


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
