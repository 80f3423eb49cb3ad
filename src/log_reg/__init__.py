"""log_reg: logistic regression in plain NumPy, readable like a textbook.

>>> from log_reg import log_reg, sigmoid
"""

from ._numerics import expit, log1pexp, log_sigmoid, logsumexp, sigmoid, softmax
from ._separation import PerfectSeparationWarning
from ._sklearn_compat import ConvergenceWarning, NotFittedError
from .cv import LogisticRegressionCV
from .datasets import load_toy
from .estimator import LogisticRegression
from .inference import ChiSquareTest, Summary, likelihood_ratio_test
from .path import PathResult, regularization_path
from .persistence import load, save
from .script import log_reg

__version__ = "0.1.0"

__all__ = [
    "ChiSquareTest",
    "ConvergenceWarning",
    "LogisticRegression",
    "LogisticRegressionCV",
    "NotFittedError",
    "PathResult",
    "PerfectSeparationWarning",
    "Summary",
    "__version__",
    "expit",
    "likelihood_ratio_test",
    "load",
    "load_toy",
    "log1pexp",
    "log_reg",
    "log_sigmoid",
    "logsumexp",
    "regularization_path",
    "save",
    "sigmoid",
    "softmax",
]
