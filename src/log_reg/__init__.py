"""log_reg: logistic regression in plain NumPy, readable like a textbook.

>>> from log_reg import log_reg, sigmoid
"""

from log_reg.core.errors import ConvergenceWarning, NotFittedError
from log_reg.core.numerics import expit, log1pexp, log_sigmoid, logsumexp, sigmoid, softmax
from log_reg.datasets import load_toy
from log_reg.files.persistence import load, save
from log_reg.inference.firth_summary import FirthSummary
from log_reg.inference.margins import MarginalEffects
from log_reg.inference.predicted import PredictedProbabilities
from log_reg.inference.separation import PerfectSeparationWarning
from log_reg.inference.summary import ChiSquareTest, Summary, likelihood_ratio_test
from log_reg.models.cv import LogisticRegressionCV
from log_reg.models.estimator import LogisticRegression
from log_reg.models.firth import FirthLogisticRegression
from log_reg.models.formula import logit
from log_reg.models.path import PathResult, regularization_path
from log_reg.script import log_reg
from log_reg.version import __version__

__all__ = [
    "ChiSquareTest",
    "ConvergenceWarning",
    "FirthLogisticRegression",
    "FirthSummary",
    "LogisticRegression",
    "LogisticRegressionCV",
    "MarginalEffects",
    "NotFittedError",
    "PathResult",
    "PerfectSeparationWarning",
    "PredictedProbabilities",
    "Summary",
    "__version__",
    "expit",
    "likelihood_ratio_test",
    "load",
    "load_toy",
    "log1pexp",
    "log_reg",
    "log_sigmoid",
    "logit",
    "logsumexp",
    "regularization_path",
    "save",
    "sigmoid",
    "softmax",
]
