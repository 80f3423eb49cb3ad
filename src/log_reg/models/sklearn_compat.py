"""What makes our estimators scikit-learn estimators, without importing scikit-learn.

scikit-learn finds an estimator's parameters through ``get_params``/``set_params`` (read
from ``__init__``'s signature), its kind through ``__sklearn_tags__``, and whether it is
fitted through ``__sklearn_is_fitted__``. ``EstimatorBase`` provides all of them; tags
are built only when scikit-learn asks, so it is imported only when it is already in use.

The warnings and errors, each also scikit-learn's namesake, are ``log_reg.core.errors``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from log_reg.core.checks import check_number
from log_reg.core.errors import warn

__all__ = ["EstimatorBase", "resolve_penalty"]


class EstimatorBase:
    """``get_params``, ``set_params``, ``repr`` and tags, as scikit-learn's ``BaseEstimator``."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters and their current values."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> EstimatorBase:
        """Set constructor parameters; unknown names raise a ``ValueError`` listing valid ones."""
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = [
            f"{k}={v!r}"
            for k, v in self.get_params().items()
            if not _same(v, defaults.get(k, inspect.Parameter.empty))
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "classes_")

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(sparse=True),
        )


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):  # arrays and the like: treat as changed
        return False


#: scikit-learn's deprecated ``penalty`` values -> the ``l1_ratio`` they mean (None: keep).
_PENALTY_TO_L1_RATIO: dict[Any, float | None] = {"l2": 0.0, "l1": 1.0, "elasticnet": None}


def resolve_penalty(penalty: Any, C: Any, l1_ratio: Any) -> tuple[float, float]:
    """``(C, l1_ratio)`` from the parameters, honouring scikit-learn's deprecated ``penalty``.

    The warnings repeat scikit-learn 1.9's, word for word where code may match on them.
    """
    C = check_number(C, "C", low=0, low_inclusive=False, allow_inf=True)
    deprecated = isinstance(penalty, str) and penalty == "deprecated"
    if l1_ratio is None:
        if penalty == "elasticnet":
            raise ValueError("l1_ratio must be specified when penalty is elasticnet; got None.")
        warn(
            "'l1_ratio=None' was deprecated in version 1.8 (scikit-learn) and will trigger an "
            "error in 1.10. Use 0<=l1_ratio<=1 instead.",
            FutureWarning,
        )
        l1_ratio = 0.0
    l1_ratio = check_number(l1_ratio, "l1_ratio", low=0, high=1)
    if deprecated:
        return C, l1_ratio
    warn(
        "'penalty' was deprecated in version 1.8 (scikit-learn) and will be removed in 1.10: "
        "use l1_ratio=0 instead of 'l2', l1_ratio=1 instead of 'l1', 0 < l1_ratio < 1 "
        "instead of 'elasticnet', and C=np.inf instead of None.",
        FutureWarning,
    )
    if penalty is not None and penalty != "none" and penalty not in _PENALTY_TO_L1_RATIO:
        raise ValueError(
            f"penalty must be one of 'l2', 'l1', 'elasticnet' or None; got {penalty!r}."
        )
    if penalty != "elasticnet" and 0 < l1_ratio < 1:
        warn(
            "l1_ratio parameter is only used when penalty is 'elasticnet'. Got "
            f"(penalty={penalty})",
            UserWarning,
        )
    if (penalty == "l2" and l1_ratio != 0) or (penalty == "l1" and l1_ratio != 1):
        warn(
            f"Inconsistent values: penalty={penalty} with l1_ratio={l1_ratio}. penalty is "
            "deprecated. Please use l1_ratio only.",
            UserWarning,
        )
    if penalty is None or penalty == "none":
        if C != 1.0:
            warn("Setting penalty=None will ignore the C and l1_ratio parameters", UserWarning)
        return np.inf, 0.0
    mapped = _PENALTY_TO_L1_RATIO[penalty]
    return C, l1_ratio if mapped is None else mapped
