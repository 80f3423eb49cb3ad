"""``LogisticRegressionCV``'s parameters as scikit-learn 1.9 reads them, deprecations included.

scikit-learn 1.9 is between two layouts: ``l1_ratios=None`` and the ``penalty`` parameter
are deprecated, and the fitted attributes change shape in 1.10 (``use_legacy_attributes``).
The warnings here repeat scikit-learn's, word for word where code may match on them, so
that code written for it behaves the same with ours.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from log_reg.core.errors import warn

__all__ = ["reject_params", "resolve_l1_ratios", "resolve_legacy"]

_LEGACY_WARNING = (
    "The fitted attributes of LogisticRegressionCV will be simplified in scikit-learn 1.10 "
    "to remove redundancy. Set `use_legacy_attributes=False` to enable the new behavior "
    "now, or set it to `True` to silence this warning during the transition period while "
    "keeping the deprecated behavior for the time being. The default value of "
    "use_legacy_attributes will change from True to False in scikit-learn 1.10. See the "
    "docstring of LogisticRegressionCV for more details."
)


def _check_ratios(l1_ratios: Any) -> list[float]:
    values = list(np.ravel(np.asarray(l1_ratios, dtype=object)))
    if not values or not all(
        isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and 0 <= v <= 1
        for v in values
    ):
        raise ValueError(
            f"l1_ratios must be an array-like of numbers between 0 and 1; got "
            f"(l1_ratios={l1_ratios!r})"
        )
    return [float(v) for v in values]


def resolve_l1_ratios(l1_ratios: Any, penalty: Any) -> tuple[list[float], bool]:
    """The l1 ratios to search, and whether none was given (scikit-learn's old layout).

    The warnings repeat scikit-learn 1.9's, word for word where code may match on them.
    """
    given = l1_ratios
    if isinstance(l1_ratios, str) and l1_ratios == "warn":
        warn(
            "The default value for l1_ratios will change from None to (0.0,) in version 1.10. "
            "From version 1.10 onwards, only array-like with values in [0, 1] will be allowed, "
            "None will be forbidden. To avoid this warning, explicitly set a value, e.g. "
            "l1_ratios=(0,).",
            FutureWarning,
        )
        given = None
    elif l1_ratios is None and isinstance(penalty, str) and penalty == "deprecated":
        warn(
            "'l1_ratios=None' was deprecated in version 1.8 and will trigger an error in 1.10. "
            "Use an array-like with values in [0, 1] instead.",
            FutureWarning,
        )
    if isinstance(penalty, str) and penalty == "deprecated":
        return ([0.0] if given is None else _check_ratios(given)), given is None
    warn(
        "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid this "
        "warning, leave 'penalty' set to its default value and use 'l1_ratios' and 'Cs' "
        "instead. Use l1_ratios=(0,) instead of penalty='l2', l1_ratios=(1,) instead of "
        "penalty='l1', l1_ratios set to floats between 0 and 1 instead of "
        "penalty='elasticnet', and Cs=(np.inf,) instead of penalty=None.",
        FutureWarning,
    )
    if penalty == "elasticnet":
        return _check_ratios(given), False
    if penalty not in ("l1", "l2"):
        raise ValueError(f"penalty must be 'l1', 'l2' or 'elasticnet'; got {penalty!r}.")
    if given is not None:
        warn(
            "l1_ratios parameter is only used when penalty is 'elasticnet'. Got "
            f"(penalty={penalty})",
            UserWarning,
        )
    value = 1.0 if penalty == "l1" else 0.0
    return [value] * (1 if given is None else len(_check_ratios(given))), given is None


def resolve_legacy(use_legacy_attributes: Any) -> bool:
    """``use_legacy_attributes`` as a bool; "warn" (the default) is True, with a warning."""
    if isinstance(use_legacy_attributes, str) and use_legacy_attributes == "warn":
        warn(_LEGACY_WARNING, FutureWarning)
        return True
    if not isinstance(use_legacy_attributes, (bool, np.bool_)):
        raise ValueError(
            f"use_legacy_attributes must be True, False or 'warn'; got {use_legacy_attributes!r}."
        )
    return bool(use_legacy_attributes)


def reject_params(params: dict[str, Any], owner: str, method: str) -> None:
    """Extra keyword arguments would be scikit-learn's routed metadata, which we do not route."""
    if params:
        raise ValueError(
            f"Passing extra keyword arguments to {owner}.{method} is only supported if "
            "enable_metadata_routing=True (scikit-learn's metadata routing), which log_reg "
            f"does not implement. Extra parameters passed are: {set(params)}"
        )
