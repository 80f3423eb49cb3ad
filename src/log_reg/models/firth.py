"""``FirthLogisticRegression``: Firth's bias-reduced logistic regression, a scikit-learn
estimator.

It maximizes Firth's penalized log-likelihood (``log_reg.core.firth``)

    l*(beta) = sum_i s_i (y_i z_i - log(1 + exp z_i)) + 1/2 log det I(beta)

by Newton-type steps on the modified score with step halving (``solvers.modified_score``),
as logistf does. The estimate is finite even when the classes are separated, so no
separation warning is given: that is what the method is for. ``intercept_correction``
makes the average prediction match the data (FLIC or FLAC, ``models.firth_corrections``);
``summary()`` reports what logistf reports (``inference.firth_summary``).

The estimator encodes labels, validates, builds the likelihood, runs the solver and
stores the fitted attributes; the math lives in the layers below. Binary only: Firth's
penalty for the multinomial model (Kosmidis and Firth 2011) needs the derivatives of a
``K (d + 1)``-square information in every coefficient, a method of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import (
    check_choice,
    check_int,
    check_labels,
    check_number,
    check_offset,
    check_sample_weight,
    check_X,
)
from log_reg.core.errors import ConvergenceWarning, DataConversionWarning, warn
from log_reg.core.firth import FirthLikelihood, FirthPoint
from log_reg.inference.firth_summary import (
    CoefficientRows,
    FirthSummary,
    coefficient_rows,
    model_lr_test,
)
from log_reg.models.firth_corrections import CORRECTIONS, flac, flic
from log_reg.models.prediction import LinearClassifier, _feature_names
from log_reg.models.sklearn_compat import EstimatorBase
from log_reg.solvers.modified_score import solve_modified_score

__all__ = ["FirthLogisticRegression"]

#: The largest modified-score entry, relative to ``sum(s)``, that ``summary(X=..., y=...)``
#: accepts as "these are the data of the fit"
_REFIT_SCORE = 1e-6


class FirthLogisticRegression(LinearClassifier, EstimatorBase):
    """Firth's penalized-likelihood logistic regression (binary), scikit-learn compatible.

    Parameters
    ----------
    fit_intercept : bool, default True
    intercept_correction : {None, "flic", "flac"}, default None
        FLIC refits the intercept by maximum likelihood with Firth's slopes as an offset;
        FLAC refits by maximum likelihood on Firth's augmented data with an indicator of
        the pseudo-rows (Puhr et al. 2017). Both make the average predicted probability
        equal the share of the positive class; both need ``fit_intercept=True``.
    tol : float >= 0, default 1e-10
        Stop when no coefficient's step exceeds ``tol max(1, |beta_j|)``; the step
        estimates the remaining error (``solvers.modified_score``).
    max_iter : int >= 0, default 100
    max_step : float > 0, default 5.0
        The largest change of one coefficient in one step (logistf's ``maxstep``).
    max_halvings : int >= 0, default 25
        Step halvings at most per step (logistf's ``maxhs``).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    n_iter_ : ndarray of shape (1,)
    converged_ : bool
    penalized_log_likelihood_ : float
        ``l*`` at Firth's estimate (before any intercept correction).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,), for data frames with string columns

    Examples
    --------
    >>> X = np.array([[0.0], [0.0], [0.0], [1.0], [1.0], [1.0]])  # x = 1 predicts y = 1
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> model = FirthLogisticRegression().fit(X, y)
    >>> model.coef_.round(6), model.intercept_.round(6)  # finite: log(49), -log(7)
    (array([[3.89182]]), array([-1.94591]))
    """

    classes_: NDArray[Any]
    coef_: Any
    intercept_: FloatArray

    def __init__(
        self,
        *,
        fit_intercept: bool = True,
        intercept_correction: str | None = None,
        tol: float = 1e-10,
        max_iter: int = 100,
        max_step: float = 5.0,
        max_halvings: int = 25,
    ) -> None:
        self.fit_intercept = fit_intercept
        self.intercept_correction = intercept_correction
        self.tol = tol
        self.max_iter = max_iter
        self.max_step = max_step
        self.max_halvings = max_halvings

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        offset: ArrayLike | None = None,
    ) -> Any:
        """Fit Firth's model (and the intercept correction, if any); returns ``self``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dense: NumPy arrays, lists, data frames.
        y : array-like of shape (n_samples,)
            Two classes, kept as given in ``classes_``; the second is the positive one.
        sample_weight : array-like of shape (n_samples,), optional
            Frequency weights (a weight of 2 is the row twice), in the penalty too.
        offset : array-like of shape (n_samples,), optional
            A known term of the linear predictor; pass it to the predict methods too.
        """
        options = self._solver_options()
        correction = self._correction()
        names = _feature_names(X)
        likelihood, classes = _likelihood(X, y, sample_weight, offset, bool(self.fit_intercept))
        result = solve_modified_score(likelihood, **options)
        if not result.converged:
            warn(
                f"FirthLogisticRegression did not converge: {result.message}. Raise max_iter "
                f"(now {self.max_iter}) or tol (now {self.tol:g}).",
                ConvergenceWarning,
            )
        firth = likelihood.at(result.coef)
        final = firth
        if correction is not None:
            final, corrected = (flic if correction == "flic" else flac)(firth, **options)
            if not corrected.converged:
                warn(
                    f"The {correction} refit did not converge: {corrected.message}.",
                    ConvergenceWarning,
                )
        d = likelihood.n_coef - int(self.fit_intercept)
        beta = final.beta
        self.classes_ = classes
        self.coef_ = beta[:d][None, :].copy()
        self.intercept_ = beta[-1:].copy() if self.fit_intercept else np.zeros(1)
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.converged_ = bool(result.converged)
        self.penalized_log_likelihood_ = firth.value
        self.n_features_in_ = d
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self._firth_beta = firth.beta  # for summary(); small, pickled
        self._fitted = (firth, final)  # the likelihoods hold the training data: not pickled
        self.__dict__.pop("formula_", None)  # set again by log_reg.logit, after this fit
        return self

    def summary(
        self,
        ci: str = "profile",
        *,
        alpha: float = 0.05,
        X: ArrayLike | None = None,
        y: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
        offset: ArrayLike | None = None,
    ) -> FirthSummary:
        """Estimates, standard errors, intervals and tests, as logistf reports them.

        ``ci="profile"``: profile penalized-likelihood intervals and penalized
        likelihood-ratio tests (one refit per bound and per test); ``"wald"``: Wald
        intervals and tests. The training data are used unless ``X`` and ``y`` (the same
        data, after unpickling) are given. See ``log_reg.inference.firth_summary``.

        Examples
        --------
        >>> X = np.array([[0.0], [0.0], [1.0], [1.0]])
        >>> s = FirthLogisticRegression().fit(X, [0, 0, 1, 1]).summary()
        >>> s.names, s.coef.round(4), s.p_value.round(4)
        (('(Intercept)', 'x0'), array([-1.6094,  3.2189]), array([0.2276, 0.088 ]))
        >>> s.ci_low.round(4), s.ci_high.round(4)
        (array([-6.5361, -0.4305]), array([0.8994, 9.1235]))
        """
        firth, final = self._points(X, y, sample_weight, offset)
        d = self.n_features_in_
        slopes = list(range(d))
        intercept = [firth.likelihood.n_coef - 1] if self.fit_intercept else []
        if self.intercept_correction == "flic":
            rows = coefficient_rows(final, intercept, ci="wald", alpha=alpha).join(
                coefficient_rows(firth, slopes, ci=ci, alpha=alpha)
            )
        else:  # FLAC's augmented design has its indicator at column d: skipped
            last = [final.likelihood.n_coef - 1] if self.fit_intercept else []
            rows = coefficient_rows(final, last + slopes, ci=ci, alpha=alpha)
        null, lr_test = model_lr_test(firth, slopes)
        names = [str(c) for c in getattr(self, "feature_names_in_", [])] or [
            f"x{j}" for j in range(d)
        ]
        order = intercept + slopes  # (Intercept) first, as logistf and statsmodels print it
        cov = np.linalg.inv(final.information)
        if self.intercept_correction == "flac":  # drop the indicator's row and column
            keep = [j for j in range(final.likelihood.n_coef) if j != d]
            cov = cov[np.ix_(keep, keep)]
        return FirthSummary(
            **_arrays(rows),
            method=rows.method,
            cov=cov[np.ix_(order, order)],
            names=tuple(["(Intercept)"] * bool(self.fit_intercept) + names),
            classes=(self.classes_[0], self.classes_[1]),
            log_likelihood=firth.value,
            null_log_likelihood=null,
            lr_test=lr_test,
            n_obs=float(firth.likelihood.weights.sum()),
            alpha=alpha,
            converged=self.converged_,
            intercept_correction=self.intercept_correction,
        )

    def _points(
        self, X: ArrayLike | None, y: ArrayLike | None, sample_weight: Any, offset: Any
    ) -> tuple[FirthPoint, FirthPoint]:
        """Firth's point and the final one (corrected, if asked) on the training data."""
        self._check_fitted()
        if X is None or y is None:
            fitted = getattr(self, "_fitted", None)
            if fitted is None:
                raise ValueError(
                    "Pass X and y (and sample_weight and offset, if the fit had them): this "
                    "model does not hold its training data (it was unpickled)."
                )
            return fitted
        A = self._model_matrix(X)
        likelihood, _ = _likelihood(A, y, sample_weight, offset, bool(self.fit_intercept))
        firth = likelihood.at(self._firth_beta)
        if np.max(np.abs(firth.score)) > _REFIT_SCORE * max(1.0, likelihood.weights.sum()):
            raise ValueError(
                "These are not the data this model was fitted on: its estimate does not "
                "maximize their penalized likelihood. Pass the training data."
            )
        if self.intercept_correction is None:
            return firth, firth
        corrected = (flic if self.intercept_correction == "flic" else flac)(firth)[0]
        return firth, corrected

    def _solver_options(self) -> dict[str, Any]:
        return {
            "tol": check_number(self.tol, "tol", low=0),
            "max_iter": check_int(self.max_iter, "max_iter", low=0),
            "max_step": check_number(self.max_step, "max_step", low=0, low_inclusive=False),
            "max_halvings": check_int(self.max_halvings, "max_halvings", low=0),
        }

    def _correction(self) -> str | None:
        if self.intercept_correction is None:
            return None
        correction = check_choice(self.intercept_correction, "intercept_correction", CORRECTIONS)
        if not self.fit_intercept:
            raise ValueError(
                f"intercept_correction={correction!r} corrects the intercept: it needs "
                "fit_intercept=True."
            )
        return correction

    def _check_predict_input(self, X: ArrayLike) -> FloatArray:
        """Predictions in float64, as the fit (float32 would round ``p`` to 1 early)."""
        return super()._check_predict_input(X).astype(np.float64, copy=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickles leave the training data out (they hold the model, not the data)."""
        state = self.__dict__.copy()
        state.pop("_fitted", None)
        return state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = False
        return tags


def _arrays(rows: CoefficientRows) -> dict[str, FloatArray]:
    names = ("coef", "std_err", "ci_low", "ci_high", "chi2", "p_value")
    return {name: getattr(rows, name) for name in names}


def _likelihood(
    X: ArrayLike, y: ArrayLike, sample_weight: Any, offset: Any, fit_intercept: bool
) -> tuple[FirthLikelihood, NDArray[Any]]:
    """Firth's likelihood on checked data (the design with its intercept column last), and
    the two classes."""
    A = check_X(X)
    if not isinstance(A, np.ndarray):
        raise TypeError(
            "FirthLogisticRegression needs dense data held by NumPy (arrays, lists, data "
            f"frames); got {type(X).__name__}. Its information matrix is dense whatever X "
            "is: convert X first (X.toarray() for a sparse matrix)."
        )
    n = A.shape[0]
    labels = np.asarray(y) if y is not None else None
    if labels is not None and labels.ndim == 2 and labels.shape[1] == 1:
        warn(
            "A column-vector y was passed when a 1d array was expected. Please change "
            "the shape of y to (n_samples,), for example using ravel().",
            DataConversionWarning,
        )
    classes, codes = check_labels(y, n)
    if len(classes) > 2:
        raise ValueError(
            "Only binary classification is supported by FirthLogisticRegression: y has "
            f"{len(classes)} classes {classes.tolist()!r}. Firth's penalty for the "
            "multinomial model is not implemented; fit one model per class against the "
            "rest, or use LogisticRegression."
        )
    s = check_sample_weight(sample_weight, n, np.float64)
    present = np.bincount(codes, weights=s, minlength=2) > 0
    if not present.all():
        raise ValueError(
            "y needs both classes among the rows of positive weight; only class "
            f"{classes[present].tolist()!r} has any."
        )
    p = A.shape[1] + int(fit_intercept)
    if p > np.count_nonzero(s):
        raise ValueError(
            f"{p} coefficients but {np.count_nonzero(s)} rows of positive weight: the "
            "Fisher information is singular, so Firth's penalty log det I is -inf and no "
            "estimate exists. Use fewer features, or a penalized LogisticRegression."
        )
    o = None if offset is None else check_offset(offset, n, 1, np.float64)[:, 0]
    design = A.astype(np.float64, copy=False)
    if fit_intercept:
        design = np.hstack([design, np.ones((n, 1))])
    return FirthLikelihood(design, codes.astype(np.float64), s, o), classes
