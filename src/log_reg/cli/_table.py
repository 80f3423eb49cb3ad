"""From a table to the model's inputs: columns, missing values, text levels and labels.

Rules (the same at fit, predict and evaluate):

- a numeric or boolean column is a feature as it is; pandas' nullable ``Int64``,
  ``Float64`` and ``boolean`` columns too, their ``NA`` a missing value like any other;
- a text column is categorical: its levels, sorted, become 0/1 features after the first
  level, the reference (``log_reg.files.persistence.Encoding``); the levels are stored in the
  model file, and a level the model has not seen is an error at predict time (treating it
  as the reference level would be a silent guess);
- at fit, a text column is refused (with a way out: ``--drop``, ``--features``) when its
  values are mostly dates or times (``DATE_LIKE``: as levels, every new date would be
  unknown at predict time), when it has more than ``MAX_LEVELS`` levels, or when every
  row holds a different value (an identifier: one feature per row);
- a text column whose values are at least half numbers is a numeric column with typos:
  an error naming the first row that is not a number;
- a missing value is an error unless the command drops such rows (``--drop-missing``);
  an infinite value (in a CSV file: ``inf``, or a number beyond 1.8e308) is an error.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from log_reg.cli._io import Table, require
from log_reg.files.persistence import Encoding, ModelFile

__all__ = [
    "DATE_LIKE",
    "MAX_LEVELS",
    "class_weights",
    "drop_missing",
    "encode",
    "encoding_of",
    "learn_encoding",
    "match_labels",
    "pick_features",
    "require_columns",
    "scale_note",
    "target_labels",
]

#: The most levels a text column may have: each level but the first is a feature.
MAX_LEVELS = 100

_DAY = r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})"
_TIME = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([ap]m|z|[+-]\d{2}:?\d{2})?"
#: A date, a date and time, or a time, written in digits: 2024-01-31, 2024/1/31,
#: 31.01.2024, 01/31/2024, 2024-01-31T12:30:00Z, 2024-01-31 12:30, 12:30:15.
DATE_LIKE = re.compile(rf"\s*({_DAY}([ t]{_TIME})?|{_TIME})\s*", re.IGNORECASE)

#: Beyond these magnitudes (in either direction) a value's square leaves float64's range.
_TOO_LARGE, _TOO_SMALL = 1e150, 1e-150


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


def _leave_out(column: str) -> str:
    """The way out for a feature column the command refuses."""
    return f"leave it out with --drop {shlex.quote(column)} (or choose the columns with --features)"


def _names_option(text: str, option: str) -> list[str]:
    """Comma-separated column names, each once."""
    names = [c.strip() for c in text.split(",")]
    if "" in names or len(set(names)) != len(names):
        raise ValueError(f"{option} must list distinct column names; got {text!r}.")
    return names


def pick_features(
    table: Table, features: str | None, target: str, drop: str | None = None
) -> list[str]:
    """The feature columns: ``features`` (comma-separated), or every column but the target;
    then without those in ``drop`` (comma-separated)."""
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
    if drop is not None:
        dropped = _names_option(drop, "--drop")
        require_columns(table, dropped, role="column")
        chosen = [c for c in chosen if c not in dropped]
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


def _refuse_text(table: Table, column: str, values: Any) -> None:
    """A ``ValueError`` if the text ``values`` (no missing ones) are dates or identifiers,
    or have more levels than ``MAX_LEVELS``: see the module docstring."""
    n_levels = values.nunique()
    dates = values.str.fullmatch(DATE_LIKE)
    where = f"column {column!r} of {table.name}"
    if 2 * int(dates.sum()) > len(values):
        raise ValueError(
            f"{where} holds dates or times (such as {values[dates].iloc[0]!r}), which the "
            "command does not encode (as text levels, each new date would be unknown); "
            f"{_leave_out(column)}, or make numbers of it yourself (days since a start, "
            "year, month, weekday)."
        )
    if n_levels == len(values):
        raise ValueError(
            f"{where} is text with a different value in every row ({n_levels} rows), like "
            f"an identifier, which as levels would fit each row by itself; {_leave_out(column)}; "
            f"predict --id {shlex.quote(column)} carries such a column into the predictions."
        )
    if n_levels > MAX_LEVELS:
        raise ValueError(
            f"{where} is text with {n_levels} different values, more than the {MAX_LEVELS} "
            f"levels the command one-hot encodes (a feature each); {_leave_out(column)}."
        )


def learn_encoding(table: Table, columns: Sequence[str], target: str) -> Encoding:
    """Which columns are numeric and which are text, with the levels of each text column."""
    pd = require("pandas", "reading tables")
    categories = {}
    for column in columns:
        series = table.frame[column]
        if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(
            series
        ):
            raise ValueError(
                f"column {column!r} of {table.name} holds dates or times ({series.dtype}), "
                f"which the command does not encode; {_leave_out(column)}, or make numbers of "
                "it yourself (days since a start, year, month, weekday)."
            )
        _, text = _numbers(table, column)
        if 2 * int(text.sum()) > len(text):  # mostly text: a categorical column
            values = series.dropna().astype(str)
            _refuse_text(table, column, values)
            categories[column] = tuple(sorted(set(values)))
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
            _finite(table, column, values)
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


def _finite(table: Table, column: str, values: NDArray[np.float64]) -> None:
    """Every value finite, or a ``ValueError`` naming the column and the first row."""
    bad = ~np.isfinite(values)
    if bad.any():
        first = int(np.argmax(bad))
        raise ValueError(
            f"column {column!r} of {table.name} holds {_show(table.frame[column].iloc[first])} "
            f"in row {table.row(table.frame.index[first])} ({int(bad.sum())} row(s) not finite); "
            "features must be finite numbers (a number beyond 1.8e308 reads as infinite)."
        )


def scale_note(X: Any) -> str | None:
    """Why the arithmetic of a fit on ``X`` (the ``encode``d frame) may overflow, if a column
    holds values whose squares leave float64's range; else None."""
    if X.shape[0] == 0 or X.shape[1] == 0:
        return None
    largest = np.abs(X.to_numpy()).max(axis=0)  # (n_features,)
    huge = largest > _TOO_LARGE
    tiny = (largest > 0) & (largest < _TOO_SMALL)
    if huge.any():
        j = int(np.argmax(largest))
        return (
            f"column {X.columns[j]!r} holds values as large as {largest[j]:.3g} "
            f"({int(huge.sum())} column(s) beyond {_TOO_LARGE:.0e}): divide such columns by a "
            "power of ten before fitting."
        )
    if tiny.any():
        j = int(np.argmin(np.where(tiny, largest, np.inf)))
        return (
            f"column {X.columns[j]!r} holds values no larger than {largest[j]:.3g} "
            f"({int(tiny.sum())} column(s) below {_TOO_SMALL:.0e}): multiply such columns by a "
            "power of ten before fitting."
        )
    return None


def class_weights(text: str | None, labels: NDArray[Any]) -> dict[Any, float] | str | None:
    """``--class-weight`` as the estimator's ``class_weight``: None, ``"balanced"``, or a dict.

    ``text`` is ``balanced``, ``CLASS=WEIGHT`` pairs separated by commas (``0=1,1=3``) or a
    JSON object (``{"0": 1, "1": 3}``); classes are named as the table writes them, and a
    class left out weighs 1.

    Examples
    --------
    >>> class_weights("no=1, yes=2.5", np.array(["yes", "no", "yes"], dtype=object))
    {'no': 1.0, 'yes': 2.5}
    """
    if text is None or text == "balanced":
        return text
    usage = (
        "--class-weight must be 'balanced', CLASS=WEIGHT pairs separated by commas (0=1,1=3) "
        f'or a JSON object ({{"0": 1, "1": 3}}); got {text!r}'
    )
    if text.lstrip().startswith("{"):
        try:
            pairs = json.loads(text, object_pairs_hook=list)
        except json.JSONDecodeError as error:
            raise ValueError(f"{usage}: {error.msg}.") from None
    else:
        pairs = [part.split("=", 1) for part in text.split(",")]
        if any(len(pair) != 2 for pair in pairs):
            raise ValueError(f"{usage}.")
    by_name = {str(c): c for c in np.unique(labels).tolist()}
    weights: dict[Any, float] = {}
    for key, value in pairs:
        name = str(key).strip()
        if name not in by_name:
            raise ValueError(
                f"--class-weight names the class {name!r}, which the target column does not "
                f"hold; its classes are {_names(list(by_name))}."
            )
        if by_name[name] in weights:
            raise ValueError(f"--class-weight names the class {name!r} twice.")
        weight = _weight(value)
        if weight is None:
            raise ValueError(
                f"--class-weight for the class {name!r} must be a number >= 0; got {value!r}."
            )
        weights[by_name[name]] = weight
    return weights


def _weight(value: Any) -> float | None:
    """A finite number >= 0 from JSON or text, else None (booleans are no weights)."""
    if isinstance(value, bool):
        return None
    try:
        weight = float(value)
    except (TypeError, ValueError):
        return None
    return weight if np.isfinite(weight) and weight >= 0 else None


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
