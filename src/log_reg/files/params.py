"""A model file's ``params``: each parameter decoded, then checked against its rule.

``RULES`` has one rule per parameter of ``LogisticRegression`` (a test keeps the two in
step), with the values its docstring allows. The loader checks every saved parameter
before it builds the estimator, so a file that ``fit`` would refuse (``C="x"``,
``fit_intercept="maybe"``, ``tol=-1``, a negative class weight, a NaN) is refused when it
is read, with the parameter named.

Arrays (``penalty_factor``, per-feature bounds) cannot be written to a model file, so a
saved file holds only their scalar or ``None`` forms.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from log_reg.files.model_json import (
    decode_value,
    describe,
    expect,
    expect_number,
    number_range,
    preview,
)
from log_reg.solvers import SKLEARN_SOLVERS, SOLVERS

__all__ = ["RULES", "Rule", "decode_params"]


@dataclass(frozen=True)
class Rule:
    """A parameter's allowed values: one of ``choices``, or a number of kind ``number``.

    ``number`` is "int" (an integer) or "real" (an integer or a float), in ``[low, high]``
    (``low`` excluded when not ``low_inclusive``; infinities only with ``allow_inf``). With
    ``per_class``, a dict from class labels to such numbers is allowed too (class weights).
    Choices match by type and value: ``1`` is not ``True``.
    """

    choices: tuple[Any, ...] = ()
    number: str | None = None
    low: float = -math.inf
    low_inclusive: bool = True
    high: float = math.inf
    allow_inf: bool = False
    per_class: bool = False

    def check(self, value: Any, what: str) -> Any:
        """``value`` if this rule allows it, else a ``ValueError`` that says what would do."""
        if any(type(value) is type(c) and value == c for c in self.choices):
            return value
        if self.per_class and isinstance(value, dict):
            for label, weight in value.items():
                if type(label) not in (bool, int, float, str):
                    raise ValueError(f"{what} keys must be class labels; got {describe(label)}.")
                self._number(weight, f"{what}[{describe(label)}]")
            return value
        return self._number(value, what)

    def _number(self, value: Any, what: str) -> Any:
        kinds = (int,) if self.number == "int" else (int, float)
        if self.number is not None and type(value) in kinds:
            try:
                return expect_number(
                    value,
                    what,
                    low=self.low,
                    low_inclusive=self.low_inclusive,
                    high=self.high,
                    allow_inf=self.allow_inf,
                )
            except ValueError:
                pass
        raise ValueError(f"{what} must be {self._wanted()}; got {describe(value)}.")

    def _wanted(self) -> str:
        wanted = [json.dumps(c) for c in self.choices]
        if self.number is not None:
            kind = "an integer" if self.number == "int" else "a number"
            bounds = number_range(self.low, self.low_inclusive, self.high)
            infinite = " (or infinite)" if self.allow_inf else ""
            wanted.append(f"{kind} {bounds}".strip() + infinite)
        if self.per_class:
            wanted.append("a dict of such numbers by class label")
        return " or ".join(wanted)


_BOOL = Rule(choices=(False, True))

#: The rule of each parameter of ``LogisticRegression``, as its docstring states them.
RULES: dict[str, Rule] = {
    "penalty": Rule(choices=("deprecated", "l2", "l1", "elasticnet", "none", None)),
    "C": Rule(number="real", low=0, low_inclusive=False, allow_inf=True),
    "l1_ratio": Rule(choices=(None,), number="real", low=0, high=1),
    "dual": _BOOL,
    "tol": Rule(number="real", low=0),
    "fit_intercept": _BOOL,
    "intercept_scaling": Rule(number="real", low=0, low_inclusive=False),
    "class_weight": Rule(choices=(None, "balanced"), number="real", low=0, per_class=True),
    "random_state": Rule(choices=(None,), number="int", low=0),
    "solver": Rule(choices=tuple(dict.fromkeys(["auto", *SOLVERS, *SKLEARN_SOLVERS]))),
    "max_iter": Rule(number="int", low=0),
    "verbose": Rule(choices=(False, True), number="int", low=0),
    "warm_start": _BOOL,
    "n_jobs": Rule(choices=(None,), number="int"),
    "multi_class": Rule(choices=("multinomial", "ovr")),
    "standardize": _BOOL,
    "penalty_factor": Rule(choices=(None,)),
    "lower_bounds": Rule(choices=(None,), number="real", allow_inf=True),
    "upper_bounds": Rule(choices=(None,), number="real", allow_inf=True),
    "callback": Rule(choices=(None,)),
}


def decode_params(obj: Any) -> dict[str, Any]:
    """``get_params()`` as saved, every value checked; names an older file lacks are left out
    (the estimator's defaults then apply).

    Examples
    --------
    >>> decode_params({"C": {"float": "inf"}, "solver": "newton"})
    {'C': inf, 'solver': 'newton'}
    >>> decode_params({"fit_intercept": "maybe"})
    Traceback (most recent call last):
    ...
    ValueError: parameter fit_intercept must be false or true; got "maybe".
    """
    unknown = sorted(set(expect(obj, (dict,), "params")) - set(RULES))
    if unknown:
        known = preview(sorted(RULES), len(RULES))
        raise ValueError(f"params has unknown names {preview(unknown)}; known: {known}.")
    return {
        name: RULES[name].check(decode_value(value, f"parameter {name}"), f"parameter {name}")
        for name, value in obj.items()
    }
