"""The ``formula`` entry of a model file: how ``log_reg.logit`` builds the features, as JSON.

A model fitted by ``log_reg.logit`` keeps a ``ModelFormula`` (``log_reg.models.formula``):
the formula and what it learned from the training data. Its model file holds::

    formula      the formula as given: a string with a "~"
    kinds        {factor: "numerical" | "categorical" | "constant"}, as formulaic found them
    levels       {factor: [level, ...]} for the categorical factors (each one of kinds,
                 "categorical"): distinct levels of one type (strings, integers, floats or
                 booleans), the reference first
    transforms   {transform: state}: each stateful transform's state, a JSON value in which
                 every object is tagged: {"dict": [[key, value], ...]} (a dict; its keys,
                 numbers, strings, booleans or null, keep their types) or {"array": {"dtype",
                 "shape", "values"}} (a NumPy array of float64, float32, int64 or int32)

The features are the file's ``feature_names`` and the intercept its ``fit_intercept``
parameter, so neither is written twice. Reading checks every value and needs no formulaic;
that the formula builds exactly those features is checked whenever it builds a model
matrix (``ModelFormula.features_of``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from log_reg.files.model_json import (
    check_entries,
    decode_array,
    describe,
    encode_array,
    expect,
    preview,
)
from log_reg.models.formula import ModelFormula

__all__ = ["decode_formula", "encode_formula"]

_ENTRIES = ("formula", "kinds", "levels", "transforms")
_KINDS = ("numerical", "categorical", "constant")
_LEVEL_TYPES = (str, int, float, bool)
_ARRAY_DTYPES = ("float64", "float32", "int64", "int32")


# -- writing -------------------------------------------------------------------------
def encode_formula(formula: ModelFormula) -> dict[str, Any]:
    """The entry of ``formula``; a ``ValueError`` for a state a model file cannot hold.

    Examples
    --------
    >>> formula = ModelFormula("y ~ C(g)", ("C(g)[T.b]",), True, {"C(g)": "categorical"},
    ...                        {"C(g)": ("a", "b")}, {})
    >>> encode_formula(formula)["levels"]
    {'C(g)': ['a', 'b']}
    """
    for factor, levels in formula.levels.items():
        _check_levels(list(levels), f"the levels of {factor!r}")
    return {
        "formula": formula.formula,
        "kinds": dict(formula.kinds),
        "levels": {factor: list(levels) for factor, levels in formula.levels.items()},
        "transforms": {
            name: _encode_state(state, f"the state of {name!r}")
            for name, state in formula.transforms.items()
        },
    }


def _encode_state(value: Any, what: str) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, list):
        return [_encode_state(v, what) for v in value]
    if isinstance(value, dict) and all(_is_key(k) for k in value):
        return {"dict": [[k, _encode_state(v, what)] for k, v in value.items()]}
    if isinstance(value, np.ndarray) and value.dtype.name in _ARRAY_DTYPES:
        return {"array": encode_array(value, what)}
    raise ValueError(
        f"{what} holds {describe(value) if isinstance(value, float) else type(value).__name__}"
        ", which a model file cannot hold: the model cannot be saved."
    )


def _is_key(key: Any) -> bool:
    return key is None or isinstance(key, (bool, int, str)) or _finite_float(key)


def _finite_float(value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value)


# -- reading -------------------------------------------------------------------------
def decode_formula(obj: Any, feature_names: Any, fit_intercept: bool) -> ModelFormula:
    """The ``ModelFormula`` that ``encode_formula`` wrote, for a model with these features."""
    check_entries(obj, _ENTRIES, "formula")
    text = expect(obj["formula"], (str,), "formula")
    if "~" not in text:
        raise ValueError(f"formula must be 'outcome ~ terms'; got {describe(text)}.")
    if feature_names is None:
        raise ValueError("a model with a formula must have feature names; it has none.")
    kinds = expect(obj["kinds"], (dict,), "formula kinds")
    for factor, kind in kinds.items():
        if kind not in _KINDS:
            raise ValueError(
                f"the kind of {describe(factor)} must be one of {list(_KINDS)}; got "
                f"{describe(kind)}."
            )
    levels = expect(obj["levels"], (dict,), "formula levels")
    for factor, values in levels.items():
        if kinds.get(factor) != "categorical":
            raise ValueError(f"formula levels name {describe(factor)}, not a categorical factor.")
        what = f"the levels of {describe(factor)}"
        _check_levels(expect(values, (list,), what), what)
    transforms = expect(obj["transforms"], (dict,), "formula transforms")
    return ModelFormula(
        formula=text,
        features=tuple(str(name) for name in feature_names),
        intercept=fit_intercept,
        kinds=dict(kinds),
        levels={factor: tuple(values) for factor, values in levels.items()},
        transforms={
            name: _decode_state(state, f"the state of {describe(name)}")
            for name, state in transforms.items()
        },
    )


def _check_levels(values: list[Any], what: str) -> None:
    """At least one level, all of one type (a bool is not an int here), distinct."""
    types = {type(v) for v in values}
    if len(types) != 1 or not types <= set(_LEVEL_TYPES):
        raise ValueError(
            f"{what} must be levels of one type (strings, integers, floats or booleans); "
            f"got {preview(values)}."
        )
    if float in types and not all(map(math.isfinite, values)):
        raise ValueError(f"{what} must be finite numbers; got {preview(values)}.")
    if len(set(values)) != len(values):
        raise ValueError(f"{what} must be distinct; got {preview(values)}.")


def _decode_state(value: Any, what: str) -> Any:
    if value is None or isinstance(value, (bool, int, str)) or _finite_float(value):
        return value
    if isinstance(value, list):
        return [_decode_state(v, what) for v in value]
    if isinstance(value, dict) and value.keys() == {"array"}:
        shape = value["array"].get("shape") if isinstance(value["array"], dict) else None
        rank = len(shape) if isinstance(shape, list) else 1
        return decode_array(value["array"], what, _ARRAY_DTYPES, shape=(-1,) * rank)
    if isinstance(value, dict) and value.keys() == {"dict"}:
        pairs = expect(value["dict"], (list,), what)
        if not all(isinstance(p, list) and len(p) == 2 and _is_key(p[0]) for p in pairs):
            raise ValueError(f"{what} must list [key, value] pairs; got {describe(pairs)}.")
        decoded = {key: _decode_state(v, what) for key, v in pairs}
        if len(decoded) != len(pairs):
            raise ValueError(f"{what} repeats a key: {preview([k for k, _ in pairs])}.")
        return decoded
    raise ValueError(f"{what} has a value a model file cannot hold: {describe(value)}.")
