"""Formulas: ``logit("y ~ x1 + C(x2) + x1:x3", data)`` fits from a data frame of raw columns.

A formula (R's and statsmodels' notation, parsed and evaluated by formulaic) names the
class labels on its left and builds the model matrix on its right: a column per numeric
term, 0/1 columns for the levels of a categorical term but the first (treatment coding),
products for interactions, and the columns of stateful transforms (``center``, ``scale``,
``poly``, ``bs``, ...). How the model matrix maps onto the estimator:

- **features**: the model matrix's columns, named and ordered as formulaic writes them
  (``x1``, ``C(x2)[T.b]``, ``x1:x3``), are the features: ``feature_names_in_``, the
  columns of ``coef_``, the rows of ``summary()``;
- **intercept**: formulaic's ``Intercept`` column is not a feature. A formula with an
  intercept (the default) is fit with ``fit_intercept=True``, and the column's coefficient
  is ``intercept_`` (unpenalized, as always); ``- 1`` or ``+ 0`` fits with
  ``fit_intercept=False``, and a categorical term then gets a column for every level;
- **new data**: the fitted estimator keeps a ``ModelFormula`` as ``formula_``: the formula
  and what it learned from the data (each categorical term's levels, each stateful
  transform's state). Every method that takes ``X`` (``predict*``, ``score``,
  ``summary``, ``marginal_effects``, ``predict_interval``) builds the model matrix of a
  new data frame from it, exactly as in the fit; a level the fit did not see is an error,
  never a silent reference level. Model files keep it (``log_reg.files.formula_entry``);
- **missing values**: at fit, rows missing a value the formula reads are dropped
  (``missing="drop"``, as statsmodels and R do) or refused (``missing="raise"``); at
  prediction they are refused, so that every row gets its prediction.

A formula sees the data's columns, formulaic's transforms and NumPy as ``np``, nothing of
the caller's namespace: so it evaluates the same after ``log_reg.load``. Formulaic is an
optional dependency (``pip install 'log_reg[formula]'``), imported when a formula is used.
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.core.checks import check_choice
from log_reg.models.estimator import LogisticRegression
from log_reg.models.firth import FirthLogisticRegression

__all__ = ["ModelFormula", "logit"]

#: How formulaic names the intercept term and its column.
_INTERCEPT = "1"
#: A categorical term that is a column as it is, or ``C(column, ...)``: the column.
_CATEGORICAL_COLUMN = re.compile(r"(?:C\(\s*)?`?([A-Za-z_][A-Za-z0-9_.]*)`?\s*(?:[,)].*)?")


def logit(
    formula: str,
    data: Any,
    *,
    firth: bool = False,
    missing: str = "drop",
    sample_weight: ArrayLike | None = None,
    **params: Any,
) -> Any:
    """Fit a logistic regression given by a formula on a data frame; returns the estimator.

    The left side gives the class labels (a column of numbers, booleans or text, or an
    expression such as ``I(score > 50)``), the right side the features (see the module
    docstring for how its terms become ``coef_`` and ``intercept_``). The fit maximizes
    the likelihood, as statsmodels' ``smf.logit`` and R's ``glm`` do, unless ``C`` is given.

    Parameters
    ----------
    formula : str
        ``"outcome ~ terms"`` in formulaic's grammar.
    data : pandas.DataFrame or mapping of columns
        Raw columns: every variable the formula names.
    firth : bool, default False
        Fit Firth's bias-reduced model (``FirthLogisticRegression``) instead.
    missing : {"drop", "raise"}, default "drop"
        Rows missing a value the formula reads: dropped, or a ``ValueError``.
    sample_weight : array-like of shape (len(data),), optional
        One weight per row of ``data`` (those of dropped rows go with them).
    **params
        Parameters of the estimator, except that ``C`` defaults to ``np.inf`` (no penalty)
        for ``LogisticRegression``; ``fit_intercept``, if given, must agree with the formula.

    Returns
    -------
    LogisticRegression or FirthLogisticRegression
        Fitted, with ``formula_`` (a ``ModelFormula``): its methods take data frames.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"y": [0, 1, 0, 0, 1, 1, 0, 1], "dose": [1, 2, 3, 4, 5, 6, 2, 4],
    ...                      "group": ["a", "b", "a", "b", "a", "b", "a", "b"]})
    >>> model = logit("y ~ dose + C(group)", data)
    >>> model.feature_names_in_.tolist(), model.fit_intercept
    (['dose', 'C(group)[T.b]'], True)
    >>> model.predict(pd.DataFrame({"dose": [1, 6], "group": ["b", "a"]}))
    array([0, 1])
    """
    formulaic = _formulaic()
    missing = check_choice(missing, "missing", ("drop", "raise"))
    frame = _as_frame(data).reset_index(drop=True)  # the index counts rows: for the weights
    parsed = _parse(formula)
    _require_columns(frame, parsed.required_variables, formula)
    if missing == "raise":
        _refuse_missing(frame, parsed.required_variables, "fit with missing='drop' to drop them")
    matrices = formulaic.model_matrix(parsed, frame, na_action=missing, context={})
    rows = matrices.rhs.index.to_numpy()  # (n_kept,) positions in data
    if len(rows) == 0:
        raise ValueError(f"every row of data misses a value that {formula!r} reads.")
    design = ModelFormula.learned(formula, matrices.rhs.model_spec)
    X = design.features_of(matrices.rhs)
    y = _labels(matrices.lhs, formula)
    model = _estimator(firth, design.intercept, params)
    model.fit(X, y, sample_weight=_kept_weights(sample_weight, rows, len(frame)))
    model.formula_ = design
    return model


@dataclass(frozen=True, eq=False)
class ModelFormula:
    """A formula and what it learned from the training data: it builds model matrices.

    Plain data only (the model file's ``formula`` entry holds the same): formulaic's
    model spec is rebuilt from it, so a fresh and a loaded model build the same matrices.

    Attributes
    ----------
    formula : str
        As given to ``logit``: ``"y ~ x1 + C(x2) + x1:x3"``.
    features : tuple of str
        The model matrix's columns but the intercept: the estimator's features.
    intercept : bool
        Whether the right side has an intercept (then ``fit_intercept=True``).
    kinds : mapping of str to str
        Each factor's kind, as formulaic found it in the fit: ``"numerical"``,
        ``"categorical"`` or ``"constant"``.
    levels : mapping of str to tuple
        Each categorical factor's levels, in formulaic's order (the first is the reference).
    transforms : mapping of str to object
        Each stateful transform's state (``center(x)``: its mean; ``bs(x, df=4)``: its
        knots): numbers, strings, lists, dicts and NumPy arrays.
    """

    formula: str
    features: tuple[str, ...]
    intercept: bool
    kinds: Mapping[str, str] = field(default_factory=dict)
    levels: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    transforms: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def learned(cls, formula: str, spec: Any) -> ModelFormula:
        """The ``ModelFormula`` of formulaic's right-side ``ModelSpec`` after a fit."""
        names = [c for s in spec.structure if str(s.term) != _INTERCEPT for c in s.columns]
        states = spec.encoder_state.items()
        return cls(
            formula=formula,
            features=tuple(names),
            intercept=any(str(s.term) == _INTERCEPT for s in spec.structure),
            kinds={factor: kind.value for factor, (kind, _) in states},
            levels={f: tuple(_plain(s["categories"])) for f, (_, s) in states if "categories" in s},
            transforms=_plain(spec.transform_state),
        )

    @property
    def outcome(self) -> str:
        """The left side, as formulaic writes it: ``"y"`` for ``"y ~ x1 + x2"``."""
        return str(self._parsed.lhs)

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns the right side reads (what a prediction needs), sorted."""
        return tuple(sorted(map(str, self._parsed.rhs.required_variables)))

    @property
    def variables(self) -> tuple[str, ...]:
        """The data columns the whole formula reads, both sides, sorted."""
        return tuple(sorted(map(str, self._parsed.required_variables)))

    def model_matrix(self, data: Any) -> Any:
        """The features of ``data``'s rows: a float ``DataFrame`` of shape (n, len(features)).

        Raises a ``TypeError`` for data that is not a data frame, and a ``ValueError`` for
        a missing column, a missing value, or a level of a categorical term that the fit
        did not see.
        """
        frame = _as_frame(data)
        _require_columns(frame, self._parsed.rhs.required_variables, self.formula)
        _refuse_missing(frame, self._parsed.rhs.required_variables, "drop or fill in those rows")
        from formulaic.errors import DataMismatchWarning

        try:  # formulaic warns of an unseen level, then encodes it as the reference level
            with warnings.catch_warnings():
                warnings.simplefilter("error", DataMismatchWarning)
                matrix = self._spec.get_model_matrix(frame)
        except DataMismatchWarning as warning:
            raise ValueError(self._unseen_message(frame, str(warning))) from None
        return self.features_of(matrix)

    def labels(self, data: Any) -> NDArray[Any]:
        """The class labels of ``data``'s rows, from the left side (missing: ``ValueError``)."""
        frame = _as_frame(data)
        lhs = self._parsed.lhs
        _require_columns(frame, lhs.required_variables, self.formula)
        _refuse_missing(frame, lhs.required_variables, "drop or fill in those rows")
        matrix = _formulaic().model_matrix(lhs, frame, na_action="raise", context={})
        return _labels(matrix, self.formula)

    def features_of(self, matrix: Any) -> Any:
        """formulaic's model matrix as the estimator's input: the intercept column left out."""
        pd = _pandas()
        names, start = [str(c) for c in matrix.columns], int(self.intercept)
        if names != ["Intercept"] * start + list(self.features):
            raise ValueError(
                f"the formula {self.formula!r} built the columns {names}, but the model's "
                f"features are {list(self.features)} (intercept: {self.intercept}): this "
                "formulaic builds other columns than the one the model was fitted with."
            )
        values = np.asarray(matrix, dtype=np.float64)[:, start:]  # (n, d)
        return pd.DataFrame(values, columns=list(self.features), index=matrix.index)

    @cached_property
    def _parsed(self) -> Any:
        return _parse(self.formula)

    @cached_property
    def _spec(self) -> Any:
        """formulaic's right-side ``ModelSpec``, rebuilt from the learned state."""
        formulaic = _formulaic()
        states = {factor: {"categories": list(values)} for factor, values in self.levels.items()}
        encoder_state = {f: (kind, states.get(f, {})) for f, kind in self.kinds.items()}
        return formulaic.ModelSpec(
            formula=self._parsed.rhs,
            materializer="pandas",
            ensure_full_rank=True,
            na_action="raise",
            output="pandas",
            transform_state=copy.deepcopy(dict(self.transforms)),
            encoder_state=encoder_state,
        )

    def _unseen_message(self, frame: Any, detail: str) -> str:
        """Which categorical term got which unknown levels, where that can be told."""
        found = []
        for factor, levels in self.levels.items():
            match = _CATEGORICAL_COLUMN.fullmatch(factor)
            if match is None or match[1] not in frame.columns:
                continue
            known = set(levels)
            unseen = sorted({v for v in frame[match[1]].tolist() if v not in known}, key=str)
            if unseen:
                found.append(
                    f"{factor} has {unseen!r} in column {match[1]!r}, and the fit saw "
                    f"{list(levels)!r}"
                )
        what = "; ".join(found) or detail
        return (
            f"data has levels the fit did not see: {what}. A model predicts only levels it "
            "was fitted on; drop those rows, or refit with them."
        )


def _estimator(firth: bool, intercept: bool, params: dict[str, Any]) -> Any:
    """The unfitted estimator, its intercept set by the formula."""
    given = params.get("fit_intercept", intercept)
    if given != intercept:
        raise ValueError(
            f"fit_intercept={given!r} disagrees with the formula, which has "
            f"{'an' if intercept else 'no'} intercept: write '+ 1' or '- 1' in the formula "
            "instead."
        )
    params = {**params, "fit_intercept": intercept}
    if firth:
        return FirthLogisticRegression(**params)
    return LogisticRegression(**{"C": np.inf, **params})


def _kept_weights(sample_weight: ArrayLike | None, rows: NDArray[Any], n: int) -> Any:
    """The weights of the rows kept, from one weight per row of the data (``n`` rows)."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight)
    if weights.shape != (n,):
        raise ValueError(
            f"sample_weight must hold one weight per row of data ({n}); got shape {weights.shape}."
        )
    return weights[rows]


def _labels(lhs: Any, formula: str) -> NDArray[Any]:
    """Class labels from formulaic's left-side matrix: its one column, or the level of a
    text column's 0/1 columns (formulaic encodes a text outcome with a column per level)."""
    columns = [str(c) for c in lhs.columns]
    if len(columns) == 1:
        return lhs.iloc[:, 0].to_numpy()
    states = list(lhs.model_spec.encoder_state.values())
    if len(lhs.model_spec.structure) == 1 and len(states) == 1:
        levels = states[0][1].get("categories")
        if levels is not None and len(levels) == len(columns):
            return np.asarray(levels)[np.argmax(np.asarray(lhs), axis=1)]  # (n,)
    raise ValueError(
        f"the left side of {formula!r} must be one column of class labels; it makes the "
        f"columns {columns}."
    )


def _parse(formula: str) -> Any:
    """formulaic's ``Formula`` of ``"outcome ~ terms"``, or a ``ValueError`` saying why not."""
    formulaic = _formulaic()
    if not isinstance(formula, str):
        raise TypeError(f"formula must be a string 'y ~ x1 + x2'; got {type(formula).__name__}.")
    try:
        parsed = formulaic.Formula(formula)
    except formulaic.errors.FormulaicError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ValueError(f"formula {formula!r} does not parse: {first}") from None
    if getattr(parsed, "lhs", None) is None or not isinstance(parsed.rhs, formulaic.SimpleFormula):
        raise ValueError(
            f"formula must be 'outcome ~ terms', the class labels on the left of '~'; got "
            f"{formula!r}."
        )
    return parsed


def _require_columns(frame: Any, variables: Any, formula: str) -> None:
    missing = sorted(str(v) for v in variables if v not in frame.columns)
    if missing:
        raise ValueError(
            f"data has no column {', '.join(map(repr, missing))}, which {formula!r} reads; "
            f"its columns are {[str(c) for c in frame.columns]} (a formula sees the data's "
            "columns, formulaic's transforms and NumPy as np)."
        )


def _refuse_missing(frame: Any, variables: Any, hint: str) -> None:
    counts = frame[sorted(map(str, variables))].isna().sum()
    where = ", ".join(f"{int(n)} in {column!r}" for column, n in counts.items() if n)
    if where:
        raise ValueError(f"data has missing values ({where}); {hint}.")


def _as_frame(data: Any) -> Any:
    pd = _pandas()
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return pd.DataFrame(data)
    raise TypeError(
        "a formula model reads a pandas DataFrame (or a dict of columns) of the formula's "
        f"variables; got {type(data).__name__}."
    )


def _plain(value: Any) -> Any:
    """formulaic's state with NumPy scalars as Python ones and tuples as lists."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value


def _formulaic() -> Any:
    try:
        import formulaic
        import formulaic.errors
    except ImportError:
        raise ImportError(
            "formulas need formulaic: pip install 'log_reg[formula]' (or formulaic)."
        ) from None
    return formulaic


def _pandas() -> Any:
    import pandas

    return pandas
