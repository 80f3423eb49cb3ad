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
Messages stay short whatever the file holds: a long list shows its first values and its
length (``describe``, ``preview``), never its whole content.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "MAX_LABEL_CHARACTERS",
    "check_entries",
    "decode_array",
    "decode_classes",
    "decode_value",
    "describe",
    "encode_array",
    "encode_classes",
    "encode_value",
    "expect",
    "expect_names",
    "expect_number",
    "number_range",
    "preview",
]

#: Label type names by NumPy dtype kind, the Python types of their values, their dtypes.
_LABEL_TYPES = {"b": "bool", "i": "int", "u": "int", "f": "float", "U": "str", "O": "str"}
_PY_TYPES: dict[str, type] = {t.__name__: t for t in (bool, int, float, str)}
_LABEL_DTYPES = {
    "bool": ("|b1",),
    "int": ("|i1", "|u1", *(f"{e}{k}{n}" for e in "<>" for k in "iu" for n in "248")),
    "float": ("<f4", "<f8", ">f4", ">f8"),
    "str": ("|O",),
}
#: Text labels in a fixed-width NumPy array: ``<U`` or ``>U`` and the width in characters.
_TEXT_DTYPE = re.compile(r"[<>]U([1-9][0-9]{0,9})")
#: The most characters a fixed-width label array may take (width x labels): 256 MiB.
MAX_LABEL_CHARACTERS = 2**26


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
    text = repr(value)
    raise ValueError(
        f"{what}={text if len(text) <= 60 else text[:57] + '...'} cannot be written to a "
        "model file: only numbers, strings, booleans, None and dicts of them can."
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


# -- describing, for messages --------------------------------------------------------
def _scalar(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return "[...]" if isinstance(value, list) else "{...}"
    if isinstance(value, str):
        value = value[:41]  # enough to show that it is cut
    text = repr(value) if isinstance(value, float) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def describe(value: Any) -> str:
    """A JSON value for a message, in a few dozen characters whatever its size.

    Examples
    --------
    >>> describe(list(range(10**6))), describe({"a": 1}), describe("x" * 100)[-8:]
    ('[0, 1, 2, ... (1000000 values)]', 'an object with keys ["a"]', 'xxxxx...')
    """
    if isinstance(value, list):
        return preview(value)
    if isinstance(value, dict):
        return f"an object with keys {preview(value)}"
    return _scalar(value)


def preview(values: Iterable[Any], limit: int = 3) -> str:
    """The first ``limit`` of ``values`` as a list, and how many there are when there are more.

    Examples
    --------
    >>> preview(["b", "a"]), preview(range(5))
    ('["b", "a"]', '[0, 1, 2, ... (5 values)]')
    """
    values = list(values) if not isinstance(values, (list, tuple)) else values
    shown = ", ".join(_scalar(v) for v in itertools.islice(values, limit))
    more = f", ... ({len(values)} values)" if len(values) > limit else ""
    return f"[{shown}{more}]"


# -- reading -------------------------------------------------------------------------
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
        raise ValueError(f"{what} must be {wanted}; got {describe(value)}.")
    return value


def expect_number(
    value: Any,
    what: str,
    *,
    low: float = -math.inf,
    low_inclusive: bool = True,
    high: float = math.inf,
    allow_inf: bool = False,
) -> float:
    """A JSON number in the stated range (a bool is not a number here); NaN is never one.

    Examples
    --------
    >>> expect_number(-1, "alpha", low=0, low_inclusive=False, high=1)
    Traceback (most recent call last):
    ...
    ValueError: alpha must be a number > 0 and <= 1; got -1.
    """
    if not isinstance(value, bool) and isinstance(value, (int, float)):
        try:
            v = float(value)
        except OverflowError:  # an integer beyond the doubles: out of any range here
            v = math.nan
        too_low = v < low or (v == low and not low_inclusive)
        if not (math.isnan(v) or (math.isinf(v) and not allow_inf) or too_low or v > high):
            return value
    wanted = f"a number {number_range(low, low_inclusive, high)}".strip()
    raise ValueError(f"{what} must be {wanted}; got {describe(value)}.")


def number_range(low: float, low_inclusive: bool, high: float) -> str:
    """The range in words, for messages: ``number_range(0, False, 1) == "> 0 and <= 1"``."""
    bounds = []
    if low > -math.inf:
        bounds.append(f"{'>=' if low_inclusive else '>'} {low:g}")
    if high < math.inf:
        bounds.append(f"<= {high:g}")
    return " and ".join(bounds)


def _check_types(values: list[Any], types: tuple[type, ...], what: str) -> None:
    """Every one of ``values`` is exactly one of ``types`` (by ``type``, so no bool for int)."""
    if not set(map(type, values)) <= set(types):
        expect(next(v for v in values if type(v) not in types), types, what)


def expect_names(value: Any, what: str, *, length: int | None = None) -> list[str]:
    """A list of distinct strings (of ``length`` of them, when given)."""
    _check_types(expect(value, (list,), what), (str,), f"each of {what}")
    if len(set(value)) != len(value) or (length is not None and len(value) != length):
        size = "" if length is None else f" {length}"
        raise ValueError(f"{what} must list{size} distinct names; got {len(value)} names.")
    return list(value)


def check_entries(value: Any, entries: tuple[str, ...], what: str) -> None:
    """``value`` is an object with exactly the keys ``entries``."""
    keys = set(expect(value, (dict,), what))
    missing, extra = [e for e in entries if e not in keys], sorted(keys - set(entries))
    if missing or extra:
        raise ValueError(
            f"{what} lacks entries {preview(missing, 20)} or has unknown entries {preview(extra)}."
        )


def decode_array(
    obj: Any,
    what: str,
    dtypes: tuple[str, ...],
    *,
    shape: tuple[int, ...],
    low: float = -math.inf,
    high: float = math.inf,
) -> np.ndarray[Any, Any]:
    """The array ``encode_array`` wrote; ``shape`` may hold -1 for any length on that axis.

    Values must be finite and in ``[low, high]``. Checks run over whole lists at once, so
    a large array costs about what parsing it did.
    """
    check_entries(obj, ("dtype", "shape", "values"), what)
    dtype, stored, values = obj["dtype"], obj["shape"], obj["values"]
    if not isinstance(dtype, str) or dtype not in dtypes:
        raise ValueError(f"{what} must have dtype {' or '.join(dtypes)}; got {describe(dtype)}.")
    _check_types(expect(stored, (list,), f"{what} shape"), (int,), f"each entry of {what} shape")
    fits = len(stored) == len(shape) and all(
        w in (-1, n) and n >= 0 for w, n in zip(shape, stored, strict=True)
    )
    if not fits:
        raise ValueError(f"{what} must have shape {shape} (-1: any); got {describe(stored)}.")
    integer = dtype.startswith("int")
    _check_types(
        expect(values, (list,), f"{what} values"),
        (int,) if integer else (int, float),
        f"each value of {what}",
    )
    if len(values) != math.prod(stored):
        raise ValueError(f"{what} must hold {math.prod(stored)} finite numbers.")
    try:  # floats through float64, where every JSON number that is finite is exact
        array = np.array(values, dtype=dtype if integer else np.float64)
    except OverflowError:
        raise ValueError(f"{what} holds a number out of range for {dtype}.") from None
    if not integer:
        if not np.isfinite(array).all():
            raise ValueError(f"{what} must hold {len(values)} finite numbers.")
        with np.errstate(over="ignore"):
            narrow = array.astype(dtype)
        if not np.array_equal(narrow, array):  # float32 values are exact float64s
            raise ValueError(f"{what} holds numbers that a {dtype} cannot represent exactly.")
        array = narrow
    if len(array) and (array.min() < low or array.max() > high):
        raise ValueError(f"{what} must hold numbers in [{low:g}, {high:g}].")
    return array.reshape(stored)


def decode_classes(obj: Any) -> np.ndarray[Any, Any]:
    """The labels ``encode_classes`` wrote: sorted and distinct, as ``np.unique`` gives them."""
    check_entries(obj, ("type", "dtype", "values"), "classes")
    kind, dtype = obj["type"], obj["dtype"]
    if not isinstance(kind, str) or kind not in _PY_TYPES:
        raise ValueError(f"classes type must be one of {sorted(_PY_TYPES)}; got {describe(kind)}.")
    values = expect(obj["values"], (list,), "classes values")
    _check_types(values, (_PY_TYPES[kind],), "each class label")
    width = _TEXT_DTYPE.fullmatch(dtype) if kind == "str" and isinstance(dtype, str) else None
    if width is None and not (isinstance(dtype, str) and dtype in _LABEL_DTYPES[kind]):
        raise ValueError(f"classes dtype {describe(dtype)} does not fit type {kind!r}.")
    if width is not None and int(width[1]) * len(values) > MAX_LABEL_CHARACTERS:
        raise ValueError(
            f"classes dtype {dtype!r} for {len(values)} labels takes more than "
            f"{MAX_LABEL_CHARACTERS} characters."
        )
    try:
        classes = np.array(values, dtype=np.dtype(dtype))
    except (OverflowError, TypeError, ValueError):
        raise ValueError(f"classes values do not fit dtype {dtype!r}.") from None
    if classes.tolist() != values or (kind == "float" and not np.isfinite(classes).all()):
        raise ValueError(f"classes values do not fit dtype {dtype!r}.")
    if len(values) < 2 or not np.array_equal(np.unique(classes), classes):
        raise ValueError(
            f"classes must be at least 2 sorted, distinct labels; got {preview(values)}."
        )
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
            decoded = {k: decode_value(v, what) for k, (_, v) in zip(keys, pairs, strict=True)}
            if len(decoded) == len(pairs):
                return decoded
            raise ValueError(f"{what} repeats a key: {preview(keys)}.")
    raise ValueError(f"{what} has a value a model file cannot hold: {describe(value)}.")
