"""FLIC and FLAC: Firth's fit with average predictions that match the data (Puhr et al. 2017).

Firth's penalty pulls every fitted probability towards 1/2, so with rare events the
average predicted probability is too high. Both corrections keep Firth's finite,
bias-reduced slopes under separation and make ``sum_i s_i p_i = sum_i s_i y_i`` hold:

- **FLIC** (intercept correction): the slopes of Firth's fit, the intercept refitted by
  maximum likelihood with the slopes' linear predictor ``eta_i = x_i^T beta + o_i`` as an
  offset: ``sum_i s_i (y_i - sigmoid(b + eta_i)) = 0``, one coefficient.
- **FLAC** (added covariate): Firth's modified score is the plain score of augmented data
  (``log_reg.core.firth``): each row with weight ``s_i``, plus two pseudo-rows of weight
  ``h_i / 2`` with responses ``y_i`` and ``1 - y_i`` (``h`` the hat values of Firth's fit).
  FLAC fits that data by maximum likelihood with one more column, an indicator of the
  pseudo-rows, so that they no longer shift the intercept of the real ones.

In the augmented design the indicator sits between the features and the intercept, so
the features keep their columns and the intercept stays last. Inference on a FLAC fit
(``inference.firth_summary``) is that of the augmented likelihood, as in logistf's
``flac``; on a FLIC fit the slopes keep Firth's and the intercept gets a Wald interval
from the information at the FLIC estimate, as in logistf's ``flic``.

Reference: Puhr, R., Heinze, G., Nold, M., Lusa, L. and Geroldinger, A. (2017), Firth's
logistic regression with rare events: accurate effect estimates and predictions?,
Statistics in Medicine 36, 2302-2317.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from log_reg.core.firth import FirthLikelihood, FirthPoint
from log_reg.solvers.modified_score import ModifiedScoreResult, solve_modified_score

__all__ = ["CORRECTIONS", "flac", "flac_likelihood", "flic"]

#: The ``intercept_correction`` values, and what each does.
CORRECTIONS = {
    "flic": "the intercept refitted by maximum likelihood, the slopes as an offset",
    "flac": "maximum likelihood on Firth's augmented data, with an indicator of pseudo-rows",
}


def flic(firth: FirthPoint, **options: Any) -> tuple[FirthPoint, ModifiedScoreResult]:
    """FLIC from Firth's estimate (the intercept the design's last column).

    Returns the corrected coefficients as a point of the *plain* likelihood (``tau = 0``) on
    the same data, whose information gives the intercept's Wald error, and the intercept
    fit's solver result. ``options`` go to ``solve_modified_score``.

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    >>> y = np.array([0.0, 0.0, 0.0, 1.0, 1.0])
    >>> f = FirthLikelihood(X, y, np.ones(5))
    >>> firth = f.at(solve_modified_score(f).coef)
    >>> corrected, _ = flic(firth)
    >>> round(float(corrected.p.sum()), 12), float(y.sum())  # mean prediction = mean outcome
    (2.0, 2.0)
    """
    f = firth.likelihood
    eta = f.X[:, :-1] @ firth.beta[:-1]  # (n,) the slopes' linear predictor
    offset = eta if f.offset is None else eta + f.offset
    intercept_only = FirthLikelihood(f.X[:, -1:], f.y, f.weights, offset, tau=0.0)
    result = solve_modified_score(intercept_only, firth.beta[-1:], **options)
    plain = FirthLikelihood(f.X, f.y, f.weights, f.offset, tau=0.0)
    return plain.at(np.concatenate([firth.beta[:-1], result.coef])), result


def flac_likelihood(firth: FirthPoint) -> FirthLikelihood:
    """The augmented data of FLAC, as a plain likelihood (``tau = 0``) with ``p + 1`` columns.

    Rows: the data (weight ``s``), then the pseudo-rows with responses ``y`` and ``1 - y``
    (weight ``h / 2`` each); columns: the features, the pseudo-row indicator, the
    intercept. Shapes ``(3 n, p + 1)``.
    """
    f = firth.likelihood
    n = len(f.y)
    indicator = np.repeat([0.0, 1.0, 1.0], n)[:, None]  # (3 n, 1)
    rows = np.vstack([f.X, f.X, f.X])  # (3 n, p)
    X = np.hstack([rows[:, :-1], indicator, rows[:, -1:]])  # features, indicator, intercept
    y = np.concatenate([f.y, f.y, 1.0 - f.y])
    half = 0.5 * firth.hat
    weights = np.concatenate([f.weights, half, half])
    offset = None if f.offset is None else np.tile(f.offset, 3)
    return FirthLikelihood(X, y, weights, offset, tau=0.0)


def flac(firth: FirthPoint, **options: Any) -> tuple[FirthPoint, ModifiedScoreResult]:
    """FLAC from Firth's estimate: the maximum of ``flac_likelihood(firth)``, started at
    Firth's coefficients (indicator 0), and the solver's result. ``options`` go to
    ``solve_modified_score``.

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    >>> y = np.array([0.0, 0.0, 0.0, 1.0, 1.0])
    >>> f = FirthLikelihood(X, y, np.ones(5))
    >>> corrected, _ = flac(f.at(solve_modified_score(f).coef))
    >>> round(float(corrected.p[:5].sum()), 10)  # the real rows' predictions: 2 events
    2.0
    """
    augmented = flac_likelihood(firth)
    start = np.concatenate([firth.beta[:-1], [0.0], firth.beta[-1:]])
    result = solve_modified_score(augmented, start, **options)
    return augmented.at(result.coef), result
