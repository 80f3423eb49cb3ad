"""``LogisticRegressionCV``: the penalty chosen by cross-validation, each fold a warm path.

For every fold and every ``l1_ratio`` the model is fitted along the whole grid of ``Cs``
on the training rows, one warm-started regularization path (``log_reg.models.path``), and each
point is scored on the test rows. The best mean score picks ``(C, l1_ratio)``; with
``one_standard_error_rule`` the most penalized ``C`` whose mean score lies within one
standard error of the best is taken instead (Hastie, Tibshirani and Friedman, *The
Elements of Statistical Learning*, 2nd ed., section 7.10), with the standard error

    se = std over folds (ddof=1) / sqrt(n_folds)

of the best point. Finally the model is refitted on all rows at the chosen values,
started at the folds' mean coefficients (``refit=True``), or the folds' best coefficients
are averaged (``refit=False``), as scikit-learn 1.9 does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.core.checks import (
    check_choice,
    check_int,
    check_labels,
    check_number,
    check_sample_weight,
    check_X,
    fit_weights,
)
from log_reg.core.errors import DataConversionWarning, warn
from log_reg.models.cv_params import reject_params, resolve_l1_ratios, resolve_legacy
from log_reg.models.cv_search import Data, Settings, choose, search
from log_reg.models.estimator import LogisticRegression
from log_reg.models.folds import make_folds
from log_reg.models.path import check_Cs, path_problem, warn_if_not_converged
from log_reg.models.pipeline import choose_spec
from log_reg.models.prediction import _feature_names
from log_reg.models.scoring import Scorer, get_scorer

__all__ = ["LogisticRegressionCV"]


def _check_data(X: ArrayLike, y: ArrayLike) -> tuple[Any, NDArray[Any]]:
    """``X`` as float64 (as scikit-learn's ``LogisticRegressionCV``), ``y`` as a 1-D array."""
    A = check_X(X)
    A = A.astype(np.float64) if A.dtype != np.float64 else A
    if y is None:
        raise ValueError("This estimator requires y to be passed, but the target y is None.")
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples,), for example using ravel().",
            DataConversionWarning,
        )
        labels = labels.ravel()
    return A, labels


_NO_INFERENCE = (
    "standard errors after choosing C by cross-validation would ignore the choice; refit "
    "LogisticRegression(C=np.inf) for inference"
)


class _Unavailable:
    """A parent's method this class does not have: reading it raises ``AttributeError``.

    So ``hasattr(model, name)`` is False, and scikit-learn does not try it.
    """

    def __init__(self, why: str) -> None:
        self.why = why

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        raise AttributeError(f"LogisticRegressionCV has no {self.name!r}: {self.why}")


class LogisticRegressionCV(LogisticRegression):
    """Logistic regression with ``C`` (and ``l1_ratio``) chosen by cross-validation.

    A drop-in for scikit-learn 1.9's ``LogisticRegressionCV``: the same parameters, the
    same fitted attributes (legacy or new layout), the same folds by default. The
    differences: the default ``scoring`` is already the log-loss (scikit-learn 1.11's
    default; ``scoring=None`` gives its old default, accuracy), ``solver="auto"``, ``n_jobs``
    is ignored, and ``l1_ratios_``/``l1_ratio_`` hold the l1 ratio used (0.0 or 1.0) where
    scikit-learn stores ``None``. Objective, solvers and warm starts: see the module
    docstring and ``LogisticRegression``.

    Parameters
    ----------
    Cs : int or array-like of floats > 0, default 10
        The grid of ``C``; an int ``n`` means ``logspace(-4, 4, n)``.
    l1_ratios : array-like of floats in [0, 1], default "warn" (``(0.0,)`` with a warning)
        Elastic-net mixes to search; ``None`` (deprecated) means L2 with scikit-learn's
        legacy attribute shapes.
    fit_intercept : bool, default True
    cv : int, iterable of (train, test) index pairs, or splitter, optional
        Default: 5 stratified folds (``log_reg.models.folds.StratifiedKFold``, scikit-learn's
        folds exactly); an int sets their number; a splitter is anything with
        ``split(X, y)``, such as a scikit-learn splitter or our ``StratifiedKFold(shuffle=True,
        random_state=...)``.
    dual : bool, default False
        Only ``True`` with ``solver="liblinear"``; we always solve the primal.
    penalty : {"l1", "l2", "elasticnet"}, deprecated
        scikit-learn's old way of choosing the penalty; use ``l1_ratios``.
    scoring : str, callable or None, default "neg_log_loss"
        "neg_log_loss", "accuracy" and "roc_auc" are computed here (``log_reg.models.scoring``);
        other names are scikit-learn's (which must then be installed); a callable is
        called as ``scoring(model, X, y[, sample_weight=...])``; ``None`` is accuracy.
        Sample weights, when given to ``fit``, weight the scores on the test rows too.
    solver, tol, max_iter, class_weight, intercept_scaling, random_state, multi_class
        As for ``LogisticRegression``; ``class_weight="balanced"`` is computed on all rows.
        ``random_state`` seeds the ``sgd`` solver only, not the folds.
    n_jobs : None
        Ignored: the folds run one after the other, NumPy's BLAS decides the threads.
    verbose : int, default 0
        Print one line per fold and l1_ratio when > 0.
    refit : bool, default True
        Refit on all rows at the chosen values; else average the folds' coefficients at
        each fold's best values (and ``C_``, ``l1_ratio_`` are the averages).
    use_legacy_attributes : bool, default "warn" (True with a warning)
        scikit-learn 1.9's layouts (dicts by class) or 1.10's arrays; see Attributes.
    one_standard_error_rule : bool, default False
        Take the most penalized ``C`` within one standard error of the best mean score
        (within the best l1_ratio; with ``refit=False``, at that one index in every fold).

    Attributes
    ----------
    classes_, coef_, intercept_, n_features_in_, feature_names_in_
        As for ``LogisticRegression``.
    Cs_ : ndarray of shape (n_Cs,)
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
    C_, l1_ratio_ : float, or with legacy attributes ndarray of shape (n_raw,)
        The chosen values (repeated once per row of ``coef_``, with legacy attributes).
    coefs_paths_ : ndarray of shape (n_folds, n_l1_ratios, n_Cs, n_raw, n_dof), or a dict
        class -> ndarray of shape (n_folds, n_Cs, n_l1_ratios, n_dof) (legacy; no
        ``n_l1_ratios`` axis when ``l1_ratios`` was None). ``n_dof = n_features +
        fit_intercept``, the intercept last; ``n_raw`` is 1 for two classes.
    scores_ : ndarray of shape (n_folds, n_l1_ratios, n_Cs), or a dict (legacy) class ->
        ndarray of shape (n_folds, n_Cs, n_l1_ratios), the same for every class.
    n_iter_ : ndarray of shape (n_folds, n_l1_ratios, n_Cs), or (legacy) of shape
        (1, n_folds, n_Cs, n_l1_ratios)
    converged_ : bool
        Whether every fit, folds and refit, met ``tol``.
    solver_ : str

    Examples
    --------
    >>> from log_reg import load_toy
    >>> X, y = load_toy()
    >>> model = LogisticRegressionCV(Cs=[0.01, 1, 100], cv=2, l1_ratios=(0,),
    ...                              use_legacy_attributes=False).fit(X, y)
    >>> model.C_, model.scores_.shape
    (100.0, (2, 1, 3))
    """

    partial_fit = _Unavailable("the search needs all the data; use LogisticRegression")
    summary = _Unavailable(_NO_INFERENCE)
    wald_test = _Unavailable(_NO_INFERENCE)

    C_: Any  # a float, or an array with legacy attributes
    l1_ratio_: Any
    coefs_paths_: Any  # an array, or a dict of them with legacy attributes
    scores_: Any
    n_iter_: Any

    def __init__(
        self,
        *,
        Cs: Any = 10,
        l1_ratios: Any = "warn",
        fit_intercept: bool = True,
        cv: Any = None,
        dual: bool = False,
        penalty: Any = "deprecated",
        scoring: str | Scorer | None = "neg_log_loss",
        solver: str = "auto",
        tol: float = 1e-4,
        max_iter: int = 100,
        class_weight: dict[Any, float] | str | None = None,
        n_jobs: int | None = None,
        verbose: int = 0,
        refit: bool = True,
        intercept_scaling: float = 1.0,
        random_state: int | None = None,
        use_legacy_attributes: Any = "warn",
        multi_class: str = "multinomial",
        one_standard_error_rule: bool = False,
    ) -> None:
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        self.penalty = penalty
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes
        self.multi_class = multi_class
        self.one_standard_error_rule = one_standard_error_rule

    # -- fitting -----------------------------------------------------------------
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        offset: ArrayLike | None = None,
        **params: Any,
    ) -> Any:
        """Cross-validate the grid, then refit; returns ``self``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Weights of the fits and of the test-fold scores.
        offset : None
            ``LogisticRegression``'s known term in the raw predictions; not supported here
            (scorers could not pass it on).
        """
        reject_params(params, type(self).__name__, "fit")
        if offset is not None:
            raise ValueError(
                "LogisticRegressionCV does not support offset: scorers have no way to take it. "
                "Choose C with LogisticRegression(C=...).fit(X, y, offset=...) over folds instead."
            )
        # 1. settings, data and weights
        ratios, no_ratios = resolve_l1_ratios(self.l1_ratios, self.penalty)
        legacy, scorer = resolve_legacy(self.use_legacy_attributes), get_scorer(self.scoring)
        names = _feature_names(X)
        A, labels = _check_data(X, y)
        classes, y_enc = check_labels(labels, A.shape[0])
        v = None if sample_weight is None else check_sample_weight(sample_weight, len(y_enc), float)
        s = fit_weights(v, self.class_weight, classes, y_enc)
        data = Data(A, labels, classes, y_enc, s, v)
        settings = self._settings(data, ratios)
        # 2. one warm path per fold and l1_ratio, scored on the test rows
        found = search(data, make_folds(self.cv, A, labels), settings, scorer)
        # 3. the choice, and the final coefficients
        i, C, l1_ratio, W, b, refits = choose(data, found, settings)
        fits = found.fits + refits
        warn_if_not_converged(fits, settings.tol, "in the cross-validation")
        # 4. attributes
        self.classes_, self.coef_, self.intercept_ = classes, W, b
        self.Cs_, self.l1_ratios_ = settings.Cs, np.asarray(ratios)
        self.C_, self.l1_ratio_ = C, l1_ratio
        self.coefs_paths_, self.scores_, self.n_iter_ = found.paths, found.scores, found.n_iter
        if legacy:
            self._to_legacy(no_ratios)
        self.converged_ = all(bool(p.converged.all()) for p in fits)
        self.solver_ = settings.specs[i].name
        self.n_features_in_ = A.shape[1]
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def _settings(self, data: Data, ratios: list[float]) -> Settings:
        K = len(data.classes)
        if isinstance(self.Cs, (int, np.integer)) and not isinstance(self.Cs, bool):
            Cs = check_Cs(np.logspace(-4, 4, check_int(self.Cs, "Cs", low=1)))
        else:
            Cs = check_Cs(self.Cs)
        tol = check_number(self.tol, "tol", low=0)
        max_iter = check_int(self.max_iter, "max_iter", low=0)
        multi_class = check_choice(self.multi_class, "multi_class", ("multinomial", "ovr"))
        problems = [
            path_problem(
                l1_ratio=r,
                tol=tol,
                max_iter=max_iter,
                fit_intercept=bool(self.fit_intercept),
                solver=self.solver,
                multi_class=multi_class,
                dual=bool(self.dual),
                intercept_scaling=self.intercept_scaling,
                random_state=self.random_state,
            )
            for r in ratios
        ]
        unpenalized = bool(np.isinf(Cs).any())
        specs = [choose_spec(p, K, data.X.shape, unpenalized_too=unpenalized) for p in problems]
        return Settings(
            Cs=Cs,
            l1_ratios=ratios,
            problems=problems,
            specs=specs,
            tol=tol,
            max_iter=max_iter,
            fit_intercept=bool(self.fit_intercept),
            multi_class=multi_class,
            intercept_scaling=self.intercept_scaling,
            random_state=self.random_state,
            verbose=int(self.verbose),
            refit=bool(self.refit),
            one_standard_error_rule=bool(self.one_standard_error_rule),
        )

    def _to_legacy(self, no_ratios: bool) -> None:
        """scikit-learn 1.9's legacy layouts: per-class dicts, C before l1_ratio."""
        keys = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        paths = np.transpose(self.coefs_paths_, (3, 0, 2, 1, 4))  # (n_raw, folds, Cs, l1, dof)
        scores = np.swapaxes(self.scores_, 1, 2)  # (folds, Cs, l1)
        n_iter = np.swapaxes(self.n_iter_, 1, 2)[None]  # (1, folds, Cs, l1)
        if no_ratios:
            paths, scores, n_iter = paths[:, :, :, 0], scores[:, :, 0], n_iter[..., 0]
        self.coefs_paths_ = dict(zip(keys, paths, strict=True))
        self.scores_ = {k: scores.copy() for k in keys}
        self.n_iter_ = n_iter
        self.C_ = np.full(len(keys), self.C_)
        self.l1_ratio_ = np.full(len(keys), self.l1_ratio_)

    # -- predicting and scoring --------------------------------------------------
    def decision_function(self, X: Any, *args: Any, **kwargs: Any) -> Any:
        """As ``LogisticRegression``'s, in float64, the precision of the fit (as scikit-learn).

        The large coefficients of a weakly penalized ``C_`` would otherwise overflow float32
        probabilities to exactly 0 or 1.
        """
        if getattr(X, "dtype", None) == np.float32:
            X = X.astype(np.float64)
        return super().decision_function(X, *args, **kwargs)

    def score(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None, **params: Any
    ) -> float:
        """The ``scoring`` of the fitted model on ``(X, y)`` (log-loss by default, negated)."""
        reject_params(params, type(self).__name__, "score")
        scorer = get_scorer(self.scoring)
        if sample_weight is None:
            return float(scorer(self, X, y))
        return float(scorer(self, X, y, sample_weight=sample_weight))
