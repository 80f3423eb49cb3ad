"""What makes our estimators scikit-learn estimators, without importing scikit-learn.

scikit-learn finds an estimator's parameters through ``get_params``/``set_params`` (read
from ``__init__``'s signature), its kind through ``__sklearn_tags__``, and whether it is
fitted through ``__sklearn_is_fitted__``. ``EstimatorBase`` provides all of them; tags
are built only when scikit-learn asks, so it is imported only when it is already in use.

Warnings and errors: a user who filters ``sklearn.exceptions.ConvergenceWarning`` or
catches ``sklearn.exceptions.NotFittedError`` expects that to keep working after the
switch. ``compat_class`` makes the class we raise a subclass of both ours and
scikit-learn's namesake whenever scikit-learn is already imported, so filters and
``except`` clauses written for either one catch it.
"""

from __future__ import annotations

import inspect
import sys
import warnings
from functools import cache
from typing import Any

__all__ = [
    "ConvergenceWarning",
    "DataConversionWarning",
    "EstimatorBase",
    "NotFittedError",
    "compat_class",
    "warn",
]


class ConvergenceWarning(UserWarning):
    """A solver stopped before meeting its convergence criterion."""


class DataConversionWarning(UserWarning):
    """Input was converted, for example a column vector ``y`` flattened."""


class NotFittedError(ValueError, AttributeError):
    """The estimator is used before ``fit``."""


@cache
def _compat_class(ours: type, sklearn_class: type) -> type:
    return type(ours.__name__, (ours, sklearn_class), {"__module__": ours.__module__})


def compat_class(ours: type) -> type:
    """``ours``, or a subclass of ``ours`` and of ``sklearn.exceptions.<same name>``."""
    sk_exceptions = sys.modules.get("sklearn.exceptions")
    sk_class = getattr(sk_exceptions, ours.__name__, None)
    return ours if sk_class is None else _compat_class(ours, sk_class)


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` with the scikit-learn-compatible class, pointing at the caller's code."""
    warnings.warn(message, compat_class(category), stacklevel=3)


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
