"""From a table to the model's inputs: columns, missing values, text levels and labels.

Rules (the same at fit, predict and evaluate):

- a numeric or boolean column is a feature as it is;
- a text column is categorical: its levels, sorted, become 0/1 features after the first
  level, the reference (``log_reg.files.persistence.Encoding``); the levels are stored in the
  model file, and a level the model has not seen is an error at predict time (treating it
  as the reference level would be a silent guess);
- a text column whose values are at least half numbers is a numeric column with typos:
  an error naming the first row that is not a number;
- a missing value is an error unless the command drops such rows (``--drop-missing``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from log_reg.cli._io import Table, require
from log_reg.files.persistence import Encoding, ModelFile

__all__ = [
    "drop_missing",
    "encode",
    "encoding_of",
    "learn_encoding",
    "match_labels",
    "pick_features",
    "require_columns",
    "target_labels",
]


def _names(columns: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")


def _show(value: Any) -> str:
    """``repr`` of a cell, as Python writes it (``2.5``, not ``np.float64(2.5)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def require_columns(table: Table, columns: Sequence[str], *, role: str = "column") -> None:
    """Every one of ``columns`` is in the table, or a ``ValueError`` naming those missing."""
    missing = [c for c in columns if c not in table.frame.columns]
    if missing:
        raise ValueError(
            f"{table.name} has no {role} {_names(missing)}; its columns are "
            f"{_names(list(table.frame.columns))}."
        )


def pick_features(table: Table, features: str | None, target: str) -> list[str]:
    """The feature columns: ``features`` (comma-separated), or every column but the target."""
    require_columns(table, [target], role="target column")
    if features is None:
        chosen = [c for c in table.frame.columns if c != target]
    else:
        chosen = [c.strip() for c in features.split(",")]
        if "" in chosen or len(set(chosen)) != len(chosen) or target in chosen:
            raise ValueError(
                f"--features must list distinct column names, without the target {target!r}; "
                f"got {features!r}."
            )
        require_columns(table, chosen, role="feature column")
    if not chosen:
        raise ValueError(f"{table.name} has no column besides the target {target!r}.")
    return chosen


def drop_missing(
    table: Table, columns: Sequence[str], *, drop: bool, hint: str
) -> tuple[Table, int]:
    """The table without rows missing a value in ``columns``, and how many went.

    Without ``drop``, a missing value is a ``ValueError`` saying where (``hint`` says how
    to proceed).
    """
    require_columns(table, columns)
    missing = table.frame[list(columns)].isna()
    rows = missing.any(axis=1)
    if not rows.any():
        return table, 0
    if not drop:
        counts = missing.sum()
        where = ", ".join(f"{int(n)} in {c!r}" for c, n in counts.items() if n)
        raise ValueError(
            f"{table.name} has missing values ({where}; the first in row "
            f"{table.row(rows.idxmax())}); {hint}"
        )
    kept = table.frame[~rows]
    if len(kept) == 0:
        raise ValueError(f"every row of {table.name} misses a value in {_names(list(columns))}.")
    return Table(kept, table.name), int(rows.sum())


def _numbers(table: Table, column: str) -> tuple[NDArray[np.float64], Any]:
    """The column as float64 (NaN where it holds text), and the mask of its text rows."""
    pd = require("pandas", "reading tables")
    series = table.frame[column]
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64), series.isna() & False
    if not (pd.api.types.is_string_dtype(series) or isinstance(series.dtype, pd.CategoricalDtype)):
        raise ValueError(
            f"column {column!r} of {table.name} holds {series.dtype} values; a feature must "
            "hold numbers or text."
        )
    parsed = pd.to_numeric(series.astype(object), errors="coerce")
    return parsed.to_numpy(dtype=np.float64), parsed.isna() & series.notna()


def _typos(table: Table, column: str, text: Any) -> ValueError:
    first = text.idxmax()
    return ValueError(
        f"column {column!r} of {table.name} holds numbers, but row {table.row(first)} holds "
        f"{_show(table.frame[column][first])} ({int(text.sum())} row(s) are not numbers)."
    )


def learn_encoding(table: Table, columns: Sequence[str], target: str) -> Encoding:
    """Which columns are numeric and which are text, with the levels of each text column."""
    categories = {}
    for column in columns:
        _, text = _numbers(table, column)
        if 2 * int(text.sum()) > len(text):  # mostly text: a categorical column
            categories[column] = tuple(sorted(set(table.frame[column].astype(str))))
        elif text.any():  # mostly numbers: the text is a mistake
            raise _typos(table, column, text)
    encoding = Encoding(tuple(columns), categories, target)
    names = encoding.feature_names()
    if not names:
        raise ValueError(f"the features of {table.name} are text columns with one level each.")
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"two features of {table.name} would both be named {_names(twice)}.")
    return encoding


def encode(table: Table, encoding: Encoding) -> Any:
    """The model's input: a float64 data frame whose columns are the model's features."""
    pd = require("pandas", "reading tables")
    require_columns(table, encoding.columns, role="feature column")
    features: dict[str, NDArray[np.float64]] = {}
    for column in encoding.columns:
        levels = encoding.categories.get(column)
        if levels is None:
            values, text = _numbers(table, column)
            if text.any():
                raise _typos(table, column, text)
            features[column] = values
            continue
        labels = table.frame[column].astype(str)
        unseen = ~labels.isin(levels)
        if unseen.any():
            first = unseen.idxmax()
            raise ValueError(
                f"column {column!r} of {table.name} has the level {_show(labels[first])} in row "
                f"{table.row(first)}, which the model did not see in training; it knows "
                f"{_names(list(levels))}."
            )
        for level in levels[1:]:  # the first level is the reference: all zeros
            features[f"{column}={level}"] = (labels == level).to_numpy(dtype=np.float64)
    X = np.column_stack(list(features.values()))  # (n_samples, n_features), row-major
    return pd.DataFrame(X, columns=list(features), index=table.frame.index, copy=False)


def target_labels(table: Table, target: str) -> NDArray[Any]:
    """The target column as class labels (at least two classes) for fitting."""
    pd = require("pandas", "reading tables")
    series = table.frame[target]
    if pd.api.types.is_float_dtype(series):
        fractional = series != series.round()
        if fractional.any():
            first = fractional.idxmax()
            raise ValueError(
                f"target column {target!r} of {table.name} holds {_show(series[first])} in row "
                f"{table.row(first)}: class labels must be whole numbers, text or booleans."
            )
    if pd.api.types.is_float_dtype(series):  # whole numbers, floats only for missing values
        series = series.astype(np.int64)
    labels = series.to_numpy()
    classes = np.unique(labels)
    if len(classes) < 2:
        raise ValueError(
            f"target column {target!r} of {table.name} has a single class, {_show(classes[0])}; "
            "a classifier needs at least two."
        )
    return labels


def match_labels(table: Table, target: str, classes: NDArray[Any]) -> NDArray[np.intp]:
    """The index in ``classes`` of each row's label; a label the model lacks is an error."""
    series = table.frame[target]
    if classes.dtype.kind in "UO":  # text labels: compare as text
        series = series.astype(str)
    index = series.map({c: i for i, c in enumerate(classes.tolist())})
    unknown = index.isna()
    if unknown.any():
        first = unknown.idxmax()
        raise ValueError(
            f"target column {target!r} of {table.name} holds {_show(series[first])} in row "
            f"{table.row(first)}, which is not a class of the model; its classes are "
            f"{_names(classes.tolist())}."
        )
    return index.to_numpy(dtype=np.intp)


def encoding_of(model_file: ModelFile) -> Encoding:
    """How to build the model's input from a table: the file's encoding, or its feature names."""
    if model_file.encoding is not None:
        return model_file.encoding
    names = getattr(model_file.model, "feature_names_in_", None)
    if names is None:
        raise ValueError(
            "the model has no feature names, so the command cannot pick its columns; fit it "
            "with log-reg fit, or on a data frame, to use it here."
        )
    return Encoding(tuple(str(n) for n in names))
