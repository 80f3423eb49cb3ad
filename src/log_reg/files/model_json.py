"""The values inside a model file: each written exactly as JSON, and read back with checks.

``persistence`` arranges these into a document; this module knows only single values:

- arrays: ``{"dtype", "shape", "values"}``, values flattened in C order. Floats are written
  with Python's ``repr``, the shortest text that reads back to the same double, so they
  return bit for bit; float32 values are exact in float64, and narrowed back on reading.
- class labels: ``{"type": "int" | "str" | "bool" | "float", "dtype", "values"}``.
- parameters: JSON scalars as they are; JSON has no infinity, so ``C=inf`` is
  ``{"float": "inf"}``, and a dict (``class_weight``) is ``{"dict": [[key, value], ...]}``
  so that its keys keep their types.

Every reader raises a ``ValueError`` naming the entry, what it must be and what it holds.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

__all__ = [
    "check_entries",
    "decode_array",
    "decode_classes",
    "decode_value",
    "encode_array",
    "encode_classes",
    "encode_value",
    "expect",
    "expect_names",
]

#: Label type names by NumPy dtype kind, the Python types of their values, their dtypes.
_LABEL_TYPES = {"b": "bool", "i": "int", "u": "int", "f": "float", "U": "str", "O": "str"}
_PY_TYPES: dict[str, tuple[type, ...]] = {t.__name__: (t,) for t in (bool, int, float, str)}
_LABEL_DTYPES = {
    "bool": ("|b1",),
    "int": tuple(f"{e}{k}{n}" for e in "<>" for k in "iu" for n in "1248"),
    "float": ("<f4", "<f8", ">f4", ">f8"),
}


# -- writing -------------------------------------------------------------------------
def encode_value(value: Any, what: str) -> Any:
    """A parameter value as JSON.

    Examples
    --------
    >>> encode_value(float("inf"), "C"), encode_value({0: 1.0, "b": 2}, "class_weight")
    ({'float': 'inf'}, {'dict': [[0, 1.0], ['b', 2]]})
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, dict):
        return {"dict": [[encode_value(k, what), encode_value(v, what)] for k, v in value.items()]}
    raise ValueError(
        f"{what}={value!r} cannot be written to a model file: only numbers, strings, "
        "booleans, None and dicts of them can."
    )


def encode_classes(classes: np.ndarray[Any, Any]) -> dict[str, Any]:
    """Class labels with their type and exact dtype."""
    values = classes.tolist()
    kind = _LABEL_TYPES.get(classes.dtype.kind)
    if kind is None or not all(isinstance(v, _PY_TYPES[kind]) for v in values):
        raise ValueError(
            f"classes_ of dtype {classes.dtype} cannot be written to a model file: labels "
            "must be integers, strings, booleans or floats."
        )
    return {"type": kind, "dtype": classes.dtype.str, "values": values}


def encode_array(array: Any, what: str) -> dict[str, Any]:
    """A finite array as ``{"dtype", "shape", "values"}``.

    Examples
    --------
    >>> encode_array(np.array([[0.1, 2.0]], dtype=np.float32), "coef_")
    {'dtype': 'float32', 'shape': [1, 2], 'values': [0.10000000149011612, 2.0]}
    """
    a = np.asarray(array)
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{what} holds NaN or infinite values: the model cannot be saved.")
    return {"dtype": a.dtype.name, "shape": list(a.shape), "values": a.ravel().tolist()}


# -- reading -------------------------------------------------------------------------
def _describe(value: Any) -> str:
    text = repr(value) if isinstance(value, float) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def expect(value: Any, types: tuple[type, ...], what: str) -> Any:
    """``value`` if it has one of ``types`` (a bool is not an int here), else a ``ValueError``.

    Examples
    --------
    >>> expect(True, (int,), "n_features")
    Traceback (most recent call last):
    ...
    ValueError: n_features must be int; got true.
    """
    if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
        names: dict[type, str] = {dict: "an object", list: "a list"}
        wanted = " or ".join(names.get(t, t.__name__) for t in types)
        raise ValueError(f"{what} must be {wanted}; got {_describe(value)}.")
    return value


def expect_names(value: Any, what: str, *, length: int | None = None) -> list[str]:
    """A list of distinct strings (of ``length`` of them, when given)."""
    for item in expect(value, (list,), what):
        expect(item, (str,), f"each of {what}")
    if len(set(value)) != len(value) or (length is not None and len(value) != length):
        size = "" if length is None else f" {length}"
        raise ValueError(f"{what} must list{size} distinct names; got {len(value)} names.")
    return list(value)


def check_entries(value: Any, entries: tuple[str, ...], what: str) -> None:
    """``value`` is an object with exactly the keys ``entries``."""
    keys = set(expect(value, (dict,), what))
    missing, extra = [e for e in entries if e not in keys], sorted(keys - set(entries))
    if missing or extra:
        raise ValueError(f"{what} lacks entries {missing} or has unknown entries {extra}.")


def decode_array(
    obj: Any, what: str, dtypes: tuple[str, ...], *, shape: tuple[int, ...] | None = None
) -> np.ndarray[Any, Any]:
    """The array ``encode_array`` wrote; ``shape`` may hold -1 for any length on that axis."""
    check_entries(obj, ("dtype", "shape", "values"), what)
    dtype, stored, values = obj["dtype"], obj["shape"], obj["values"]
    if dtype not in dtypes:
        raise ValueError(f"{what} must have dtype {' or '.join(dtypes)}; got {_describe(dtype)}.")
    for n in expect(stored, (list,), f"{what} shape"):
        expect(n, (int,), f"each entry of {what} shape")
    fits = shape is None or (
        len(stored) == len(shape)
        and all(w in (-1, n) and n >= 0 for w, n in zip(shape, stored, strict=True))
    )
    if not fits:
        raise ValueError(f"{what} must have shape {shape} (-1: any); got {tuple(stored)}.")
    numbers = (int,) if dtype.startswith("int") else (int, float)
    for v in expect(values, (list,), f"{what} values"):
        expect(v, numbers, f"each value of {what}")
    if len(values) != math.prod(stored) or not all(math.isfinite(v) for v in values):
        raise ValueError(f"{what} must hold {math.prod(stored)} finite numbers.")
    try:
        array = np.array(values, dtype=dtype).reshape(stored)
    except OverflowError:
        raise ValueError(f"{what} holds a number out of range for {dtype}.") from None
    if array.ravel().tolist() != values:  # a float32 array's values are exact float64s
        raise ValueError(f"{what} holds numbers that a {dtype} cannot represent exactly.")
    return array


def decode_classes(obj: Any) -> np.ndarray[Any, Any]:
    """The labels ``encode_classes`` wrote: sorted and distinct, as ``np.unique`` gives them."""
    check_entries(obj, ("type", "dtype", "values"), "classes")
    kind, dtype = obj["type"], obj["dtype"]
    if kind not in _PY_TYPES:
        raise ValueError(f"classes type must be one of {sorted(_PY_TYPES)}; got {_describe(kind)}.")
    text = kind == "str" and isinstance(dtype, str) and (dtype == "|O" or dtype[:2] in ("<U", ">U"))
    if not (text or dtype in _LABEL_DTYPES.get(kind, ())):
        raise ValueError(f"classes dtype {_describe(dtype)} does not fit type {kind!r}.")
    values = expect(obj["values"], (list,), "classes values")
    for v in values:
        expect(v, _PY_TYPES[kind], "each class label")
    try:
        classes = np.array(values, dtype=np.dtype(dtype))
    except (OverflowError, TypeError, ValueError):
        raise ValueError(f"classes values do not fit dtype {dtype!r}.") from None
    if classes.tolist() != values or (kind == "float" and not np.isfinite(classes).all()):
        raise ValueError(f"classes values do not fit dtype {dtype!r}.")
    if len(values) < 2 or not np.array_equal(np.unique(classes), classes):
        raise ValueError(f"classes must be at least 2 sorted, distinct labels; got {values!r}.")
    return classes


def decode_value(value: Any, what: str) -> Any:
    """The parameter value ``encode_value`` wrote."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, dict) and value.keys() == {"float"}:
        if value["float"] in ("inf", "-inf", "nan"):
            return float(value["float"])
    if isinstance(value, dict) and value.keys() == {"dict"} and isinstance(value["dict"], list):
        pairs = [p for p in value["dict"] if isinstance(p, list) and len(p) == 2]
        keys = [decode_value(k, what) for k, _ in pairs]
        if len(pairs) == len(value["dict"]) and not any(isinstance(k, dict) for k in keys):
            return {k: decode_value(v, what) for k, (_, v) in zip(keys, pairs, strict=True)}
    raise ValueError(f"{what} has a value a model file cannot hold: {_describe(value)}.")
