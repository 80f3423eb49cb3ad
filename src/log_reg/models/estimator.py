"""``LogisticRegression``: a drop-in for scikit-learn's, on our own solvers.

It minimizes scikit-learn's objective (see ``log_reg.core.objective``'s Conventions for how our
mean-loss form maps onto it):

    C * sum_i s_i loss(y_i, x_i) + (1 - l1_ratio)/2 ||W||^2 + l1_ratio ||W||_1

with ``s_i`` the sample weights times the class weights, and the intercept unpenalized.
The estimator only encodes labels, validates, picks the solver from the registry,
runs it, and stores the fitted attributes; the math lives in the layers below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.backends import backend_for
from log_reg.core.arrays import FloatArray, to_host
from log_reg.core.checks import check_bool, check_choice, check_int, check_number, check_X
from log_reg.core.errors import DataConversionWarning, warn
from log_reg.inference.margins import MarginalEffects
from log_reg.inference.margins import marginal_effects as _marginal_effects
from log_reg.inference.predicted import PredictedProbabilities
from log_reg.inference.predicted import predict_interval as _predict_interval
from log_reg.inference.separation import PerfectSeparationWarning
from log_reg.inference.summary import ChiSquareTest, Summary, training_data
from log_reg.inference.summary import summary as _summary
from log_reg.inference.summary import wald_test as _wald_test
from log_reg.models.pipeline import Problem, fit_problem
from log_reg.models.prediction import LinearClassifier, _feature_names
from log_reg.models.sklearn_compat import EstimatorBase, resolve_penalty
from log_reg.models.streaming import StreamStep, encode_chunk, sgd_pass

__all__ = ["LogisticRegression"]


class LogisticRegression(LinearClassifier, EstimatorBase):
    """Logistic regression (binary, multinomial or one-vs-rest), scikit-learn compatible.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet", None}, deprecated
        scikit-learn's old way of choosing the penalty; use ``l1_ratio`` and ``C``. Still
        accepted, with a ``FutureWarning``.
    C : float > 0, default 1.0
        Inverse penalty strength; ``np.inf`` fits without penalty.
    l1_ratio : float in [0, 1], default 0.0
        Elastic-net mix: 0 is L2, 1 is L1.
    dual : bool, default False
        Accepted for compatibility; we always solve the primal problem (same optimum).
        ``True`` is only allowed with ``solver="liblinear"``, as in scikit-learn.
    tol : float >= 0, default 1e-4
        Stop when the largest entry of the (sub)gradient of the mean-loss objective is
        at most ``tol`` (``objective.optimality``; the KKT violation under L1) and, for
        the smooth solvers, the Newton decrement predicts the objective within a relative
        ``tol / 100`` of its minimum (1e-6 at the default; ``solvers.stopping``).
        Without a penalty (``C=np.inf``) the fit is for inference and runs with
        ``tol * 1e-4`` (1e-8 at the default; never below 1000 eps, so float32 keeps
        ``tol``: ``solvers.stopping.unpenalized_tol``) on columns rescaled to unit size by
        powers of two: coefficients right to about 1e-8 relative in any units.
    fit_intercept : bool, default True
    intercept_scaling : float, default 1
        Only with ``solver="liblinear"``: as liblinear, the intercept is then the weight of
        a constant feature of this value and *is* penalized.
    class_weight : dict or "balanced", optional
        Weights multiplying the sample weights of each class; "balanced" uses
        ``sum(s) / (n_classes * sum of s in the class)``.
    random_state : int, optional
        Seed for the ``sgd`` solver's shuffles (the others are deterministic).
    solver : str, default "auto"
        "auto" (chosen by penalty and shape: ``solvers.choose_solver``), one of ours
        ("lbfgs", "newton", "newton-subsampled", "lbfgs-newton-cg", "cd", "gd", "sgd") or
        a scikit-learn name ("newton-cholesky", "newton-cg", "sag", "saga", "liblinear"),
        which runs the solver of ours listed in ``solvers.SKLEARN_SOLVERS`` on the same
        objective.
    max_iter : int >= 0, default 100
        Iterations at most (epochs for ``sgd``); 0 returns the starting point.
    verbose : int, default 0
        Print the loss and optimality at every iteration when > 0.
    warm_start : bool, default False
        Start from the previous fit's coefficients.
    n_jobs : None
        Accepted for compatibility; ignored with a ``FutureWarning``, as scikit-learn 1.8+
        does (NumPy's BLAS decides the threads).
    multi_class : {"multinomial", "ovr"}, default "multinomial"
        For more than two classes: one softmax model, or one binary model per class.
    standardize : bool, default False
        Fit on features scaled to mean 0 and standard deviation 1 (weighted), then report
        ``coef_`` and ``intercept_`` on the original scale. The penalty then applies to the
        standardized coefficients, as in glmnet.
    penalty_factor : array of shape (n_features,), optional
        glmnet's per-feature weights on the penalty (both halves); 0 leaves a feature
        unpenalized. Not rescaled, so ``C`` keeps its meaning.
    lower_bounds, upper_bounds : float or array of shape (n_features,) or (n_classes, n_features)
        Box constraints on ``coef_`` (never on the intercept), on the original scale.
        Honoured by "cd" (the choice of "auto" when bounds are given), "gd" and "sgd"; the
        others refuse them with a ``ValueError``.
    callback : callable, optional
        Called after each solver iteration with an ``IterationInfo`` (iteration, loss,
        optimality): progress bars, logging, early inspection.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,), or (n_classes,) for one-vs-rest
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,), for data frames with string columns
    converged_ : bool
    loss_history_ : ndarray, or a list of them (one per class) for one-vs-rest
    solver_ : str, the solver of ours that ran
    n_seen_, t_ : float, int; after ``partial_fit`` only: the sample weight seen, SGD updates

    Examples
    --------
    >>> from log_reg import LogisticRegression, load_toy
    >>> X, y = load_toy()
    >>> model = LogisticRegression().fit(X, y)
    >>> model.predict(X)
    array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    >>> model.solver_, model.converged_
    ('newton', True)
    """

    classes_: NDArray[Any]
    coef_: Any  # an array; a SciPy sparse matrix after sparsify()
    intercept_: FloatArray

    def __init__(
        self,
        penalty: Any = "deprecated",
        *,
        C: float = 1.0,
        l1_ratio: float = 0.0,
        dual: bool = False,
        tol: float = 1e-4,
        fit_intercept: bool = True,
        intercept_scaling: float = 1,
        class_weight: dict[Any, float] | str | None = None,
        random_state: int | None = None,
        solver: str = "auto",
        max_iter: int = 100,
        verbose: int = 0,
        warm_start: bool = False,
        n_jobs: int | None = None,
        multi_class: str = "multinomial",
        standardize: bool = False,
        penalty_factor: ArrayLike | None = None,
        lower_bounds: ArrayLike | None = None,
        upper_bounds: ArrayLike | None = None,
        callback: Callable[[Any], None] | None = None,
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.multi_class = multi_class
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.callback = callback

    # -- fitting -----------------------------------------------------------------
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        offset: ArrayLike | None = None,
    ) -> Any:
        """Fit the model; returns ``self``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A Dask array (or data frame) is fit chunk by chunk, where Dask runs it (see
            ``log_reg.backends.dask``); ``y`` and ``sample_weight`` may then be Dask too.
        y : array-like of shape (n_samples,)
            Class labels: integers, strings, booleans, kept as given in ``classes_``.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights, not all zero.
        offset : array-like of shape (n_samples,) or (n_samples, n_classes), optional
            A known term added to the linear predictor (statsmodels' and glmnet's
            ``offset``): exposure, a prior model's log-odds. Pass it to the predict methods
            too.
        """
        C, l1_ratio = resolve_penalty(self.penalty, self.C, self.l1_ratio)
        if self.n_jobs is not None:
            warn(
                f"'n_jobs' has no effect (as in scikit-learn 1.8+, where it is removed in 1.10): "
                f"NumPy's BLAS decides the threads; got n_jobs={self.n_jobs!r}, leave it unset.",
                FutureWarning,
            )
        names = _feature_names(X)
        backend = backend_for(X)  # where the passes run: in memory, or Dask's chunks
        A = backend.check_X(X)
        labels, sample_weight = backend.align_rows(A, y), backend.align_rows(A, sample_weight)
        if labels is not None and labels.ndim == 2 and labels.shape[1] == 1:
            warn(
                "A column-vector y was passed when a 1d array was expected. Please change "
                "the shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
            )
        classes, encoded = backend.check_labels(labels, A.shape[0])
        warm = None
        if self.warm_start and hasattr(self, "coef_") and len(self.classes_) == len(classes):
            warm = (self._dense_coef(), to_host(self.intercept_))
        offset = None if offset is None else to_host(offset)
        problem = self._problem(C, l1_ratio)
        fitted = fit_problem(problem, backend, A, encoded, classes, sample_weight, warm, offset)
        if fitted.separation is not None:  # checked for unpenalized fits only, warned once
            warn(fitted.separation.message(names), PerfectSeparationWarning)
        # An unpenalized model keeps references (no copy) to its data, for summary().
        self._training_data = (A, labels, sample_weight) if np.isinf(C) else None
        # Fitted arrays live where X lives: NumPy, or X's array library and device.
        self.classes_ = classes if classes.dtype.kind not in "iuf" else backend.asarray(classes)
        self.coef_ = backend.asarray(fitted.coef)
        self.intercept_ = backend.asarray(fitted.intercept)
        self.n_iter_ = fitted.n_iter
        self.converged_ = fitted.converged
        self.loss_history_ = fitted.loss_history
        self.solver_ = fitted.solver
        self.n_features_in_ = A.shape[1]
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        for name in ("n_seen_", "t_"):  # a later partial_fit starts its schedule afresh
            self.__dict__.pop(name, None)
        self.__dict__.pop("formula_", None)  # set again by log_reg.logit, after this fit
        return self

    def _problem(self, C: float, l1_ratio: float) -> Problem:
        """The settings, validated, for ``fit`` and ``partial_fit``."""
        return Problem(
            C=C,
            l1_ratio=l1_ratio,
            tol=check_number(self.tol, "tol", low=0),
            max_iter=check_int(self.max_iter, "max_iter", low=0),
            fit_intercept=check_bool(self.fit_intercept, "fit_intercept"),
            solver=self.solver,
            multi_class=check_choice(self.multi_class, "multi_class", ("multinomial", "ovr")),
            class_weight=self.class_weight,
            standardize=check_bool(self.standardize, "standardize"),
            dual=check_bool(self.dual, "dual"),
            intercept_scaling=self.intercept_scaling,
            random_state=self.random_state,
            verbose=int(self.verbose),
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            callback=self.callback,
        )

    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        classes: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> Any:
        """Learn from one chunk of a stream: one pass of proximal SGD over it; returns ``self``.

        For data read piece by piece (``pandas.read_csv(chunksize=...)``): after every call
        the model predicts. The penalty is ``C``'s for all the samples seen so far, and the
        step falls as they add up (see ``log_reg.models.streaming``); ``solver`` and ``tol`` are
        not used. Needs ``standardize=False`` and a ``class_weight`` other than "balanced".

        Parameters
        ----------
        X : array-like of shape (n_chunk, n_features)
        y : array-like of shape (n_chunk,)
        classes : array-like of shape (n_classes,), optional
            Every label the stream may hold: required on the first call (as for
            scikit-learn's ``SGDClassifier``), and if given later, the same.
        sample_weight : array-like of shape (n_chunk,), optional

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(1000, 2))
        >>> y = (X[:, 0] + X[:, 1] + rng.logistic(size=1000) > 0).astype(int)
        >>> model = LogisticRegression(random_state=0)
        >>> for start in range(0, 1000, 250):  # four chunks, one pass
        ...     model = model.partial_fit(X[start : start + 250], y[start : start + 250],
        ...                               classes=[0, 1])
        >>> full = LogisticRegression().fit(X, y)  # the whole data at once
        >>> model.n_seen_, round(model.score(X, y), 2), round(full.score(X, y), 2)
        (1000.0, 0.73, 0.73)
        """
        C, l1_ratio = resolve_penalty(self.penalty, self.C, self.l1_ratio)
        first = not hasattr(self, "classes_")
        if not first:
            self._check_feature_names(X)
        names = _feature_names(X)
        X = check_X(backend_for(X).gather(X))  # a chunk of a stream, in memory
        if not first and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        known = None if first else to_host(self.classes_)
        classes_, encoded = encode_chunk(y, X.shape[0], known, classes)
        previous = None
        if not first:
            seen, t = getattr(self, "n_seen_", 0.0), getattr(self, "t_", 0)
            previous = StreamStep(self._dense_coef(), to_host(self.intercept_), seen, t, [])
        step = sgd_pass(self._problem(C, l1_ratio), X, encoded, classes_, sample_weight, previous)
        self.classes_, self.coef_, self.intercept_ = classes_, step.coef, step.intercept
        self.n_seen_, self.t_ = step.n_seen, step.t
        self.n_iter_ = np.ones(len(step.loss), dtype=np.int32)  # one epoch of the chunk
        self.converged_, self.loss_history_, self.solver_ = False, np.array(step.loss), "sgd"
        self.n_features_in_ = X.shape[1]
        if first and names is not None:
            self.feature_names_in_ = names
        self._training_data = None
        return self

    # -- inference (unpenalized fits) -------------------------------------------
    def summary(
        self,
        cov_type: str = "nonrobust",
        *,
        groups: ArrayLike | None = None,
        alpha: float = 0.05,
        reference_class: Any = None,
        X: ArrayLike | None = None,
        y: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> Summary:
        """Standard errors, z-tests, intervals and fit statistics (``C=np.inf`` fits only).

        ``cov_type``: "nonrobust", "HC0"-"HC3" or "cluster" (with ``groups``); sample weights
        count as frequency weights. The training data is used unless ``X`` and ``y`` are
        given. See ``log_reg.inference.summary`` for the formulas.

        Examples
        --------
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
        >>> model = LogisticRegression(C=np.inf).fit(X, [0, 0, 1, 0, 1, 1])
        >>> s = model.summary()
        >>> s.names, np.round(s.std_err, 3)
        (('(Intercept)', 'x0'), array([2.546, 0.913]))
        """
        data = training_data(self, self._model_matrix(X), y, sample_weight)
        return _summary(
            self, *data, cov_type, groups=groups, alpha=alpha, reference_class=reference_class
        )

    def wald_test(
        self,
        R: ArrayLike,
        q: ArrayLike | None = None,
        *,
        cov_type: str = "nonrobust",
        groups: ArrayLike | None = None,
        reference_class: Any = None,
        X: ArrayLike | None = None,
        y: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> ChiSquareTest:
        """Wald test of ``R theta = q`` (theta as in ``summary().coef``, flattened)."""
        X, y, sample_weight = training_data(self, self._model_matrix(X), y, sample_weight)
        return _wald_test(
            self,
            X,
            y,
            R,
            q,
            sample_weight=sample_weight,
            cov_type=cov_type,
            groups=groups,
            reference_class=reference_class,
        )

    def marginal_effects(
        self,
        X: ArrayLike | None = None,
        *,
        at: Any = "overall",
        method: str = "dydx",
        dummy: bool = False,
        count: bool = False,
        cov_type: str | None = "nonrobust",
        groups: ArrayLike | None = None,
        alpha: float = 0.05,
        sample_weight: ArrayLike | None = None,
        training: tuple[Any, ...] | None = None,
    ) -> MarginalEffects:
        """Marginal effects on the predicted probabilities, with delta-method standard errors.

        Averaged over the rows of ``X`` (the training data by default; ``at="overall"``), at
        their mean (``at="mean"``) or at the mean with some values set (``at={"x1": 0}``);
        ``method`` "dydx", "eyex", "dyex" or "eydx"; ``dummy=True`` and ``count=True`` give
        discrete changes for 0/1 and count features. Standard errors need ``C=np.inf``
        (NaN otherwise) and the training data (remembered, or ``training=(X, y)``). See
        ``log_reg.inference.margins`` for the formulas; statsmodels' ``get_margeff``.

        Examples
        --------
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
        >>> model = LogisticRegression(C=np.inf).fit(X, [0, 0, 1, 0, 1, 1])
        >>> m = model.marginal_effects()
        >>> m.names, np.round(m.effect, 3), np.round(m.std_err, 3)
        (('x0',), array([0.159]), array([0.022]))
        """
        X = self._model_matrix(X)
        if training is not None:
            training = (self._model_matrix(training[0]), *training[1:])
        if X is not None:
            self._check_feature_names(X)
        return _marginal_effects(
            self,
            X,
            at=at,
            method=method,
            dummy=dummy,
            count=count,
            cov_type=cov_type,
            groups=groups,
            alpha=alpha,
            sample_weight=sample_weight,
            training=training,
        )

    def predict_interval(
        self,
        X: ArrayLike,
        level: float = 0.95,
        *,
        cov_type: str = "nonrobust",
        groups: ArrayLike | None = None,
        training: tuple[Any, ...] | None = None,
    ) -> PredictedProbabilities:
        """Predicted probabilities with confidence intervals inside (0, 1) (``C=np.inf`` fits).

        The delta method on the log-odds, then through the sigmoid: statsmodels'
        ``get_prediction(X).summary_frame()``; for more classes, each class's log-odds
        against the others. See ``log_reg.inference.predicted`` for the formulas.

        Examples
        --------
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
        >>> model = LogisticRegression(C=np.inf).fit(X, [0, 0, 1, 0, 1, 1])
        >>> p = model.predict_interval([[2.5]])
        >>> np.round(p.probability, 3), np.round(p.ci_low, 3), np.round(p.ci_high, 3)
        (array([0.5]), array([0.099]), array([0.901]))
        """
        X = self._model_matrix(X)
        if training is not None:
            training = (self._model_matrix(training[0]), *training[1:])
        self._check_feature_names(X)
        return _predict_interval(
            self, X, level=level, cov_type=cov_type, groups=groups, training=training
        )

    def __getstate__(self) -> dict[str, Any]:
        """Pickles leave the remembered training data out (they hold the model, not the data)."""
        state = self.__dict__.copy()
        state.pop("_training_data", None)
        return state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags
