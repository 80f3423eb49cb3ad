"""log_reg: logistic regression in plain NumPy, readable like a textbook.

>>> from log_reg import log_reg, sigmoid
"""

from ._numerics import expit, log1pexp, log_sigmoid, logsumexp, sigmoid, softmax
from ._sklearn_compat import ConvergenceWarning, NotFittedError
from .datasets import load_toy
from .estimator import LogisticRegression
from .script import log_reg

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "LogisticRegression",
    "NotFittedError",
    "__version__",
    "expit",
    "load_toy",
    "log1pexp",
    "log_reg",
    "log_sigmoid",
    "logsumexp",
    "sigmoid",
    "softmax",
]
