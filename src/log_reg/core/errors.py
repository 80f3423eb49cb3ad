"""The warnings and errors log_reg raises, each also scikit-learn's namesake when it is in use.

A user who filters ``sklearn.exceptions.ConvergenceWarning`` or catches
``sklearn.exceptions.NotFittedError`` expects that to keep working after the switch.
``compat_class`` makes the class we raise a subclass of both ours and scikit-learn's
namesake whenever scikit-learn is already imported, so filters and ``except`` clauses
written for either one catch it. Nothing here imports scikit-learn.
"""

from __future__ import annotations

import sys
import warnings
from functools import cache

__all__ = [
    "ConvergenceWarning",
    "DataConversionWarning",
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
