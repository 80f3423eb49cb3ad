"""Predictions of a fitted linear classifier: the methods ``LogisticRegression`` shares.

Everything here is a pure function of ``coef_``, ``intercept_`` and ``classes_``: raw
predictions ``Z = X coef_^T + intercept_ (+ offset)``, probabilities through the sigmoid
(two classes, or one-vs-rest) or the softmax, labels by the largest ``Z``. Inputs from
other array libraries get their answers in their own library; Dask arrays lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.backends import backend_for
from log_reg.core.arrays import FloatArray, array_library, to_host, working_dtype
from log_reg.core.checks import check_offset
from log_reg.core.errors import NotFittedError, compat_class, warn
from log_reg.core.numerics import expit, log_sigmoid, logsumexp, softmax

__all__ = ["LinearClassifier"]


def _feature_names(X: Any) -> NDArray[Any] | None:
    """Column names of a data frame whose columns are all strings, else ``None``; a
    ``TypeError`` for names of strings and other types mixed, as scikit-learn raises."""
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(columns, dtype=object)
    types = sorted({type(c).__qualname__ for c in names})
    if len(types) > 1 and "str" in types:
        raise TypeError(
            "Feature names are only supported if all input features have string names, "
            f"but your input has {types} as feature name / column name types. If you want "
            "feature names to be stored and validated, you must convert them all to strings, "
            "by using X.columns = X.columns.astype(str) for example. Otherwise you can remove "
            "feature / column names from your input data, or convert them all to a non-string "
            "data type."
        )
    return names if len(names) and all(isinstance(c, str) for c in names) else None


class LinearClassifier:
    """Mixin: ``decision_function``, ``predict_proba``, ``predict``, ... from fitted arrays."""

    classes_: NDArray[Any]
    coef_: Any  # an array; a SciPy sparse matrix after sparsify()
    intercept_: FloatArray
    n_features_in_: int
    multi_class: str
    formula_: Any  # a ModelFormula, on models fitted by log_reg.logit only (models.formula)

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise compat_class(NotFittedError)(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def _dense_coef(self) -> FloatArray:
        """``coef_`` as a NumPy array, after ``sparsify`` or a fit on another array library."""
        return self.coef_.toarray() if hasattr(self.coef_, "toarray") else to_host(self.coef_)

    def _check_predict_input(self, X: ArrayLike) -> FloatArray:
        self._check_fitted()
        X = self._model_matrix(X)
        self._check_feature_names(X)
        A = backend_for(X).check_X(X)
        if A.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {A.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return A

    def _model_matrix(self, X: Any) -> Any:
        """``X`` as the model's features: for a model fitted by ``log_reg.logit``, the
        formula's model matrix of a data frame of raw columns (``models.formula``); else,
        and for ``None``, ``X`` as it is."""
        formula = getattr(self, "formula_", None)
        return X if formula is None or X is None else formula.model_matrix(X)

    def _by_rows(
        self, method: Callable[..., Any], X: Any, offset: Any, width: int | None, dtype: Any = None
    ) -> Any:
        """``method(X, offset)`` where ``X``'s back end runs it: at once for data in memory,
        else ``X`` checked once and ``method`` mapped over its row chunks, lazily (``width``
        columns, or one value per row for ``None``; ``dtype``: ``X``'s by default)."""
        return backend_for(X).map_rows(
            method, X, offset, check=self._check_predict_input, width=width, dtype=dtype
        )

    def _check_feature_names(self, X: Any) -> None:
        names, fitted = _feature_names(X), getattr(self, "feature_names_in_", None)
        name = type(self).__name__
        if names is None and fitted is not None:
            warn(
                f"X does not have valid feature names, but {name} was fitted with feature names",
                UserWarning,
            )
        elif names is not None and fitted is None:
            warn(f"X has feature names, but {name} was fitted without feature names", UserWarning)
        elif names is not None and fitted is not None and not np.array_equal(names, fitted):
            raise ValueError(
                "The feature names should match those that were passed during fit.\n"
                f"Fitted with: {fitted.tolist()}\nGot: {names.tolist()}"
            )

    def decision_function(self, X: ArrayLike, offset: ArrayLike | None = None) -> FloatArray:
        """Raw predictions ``X coef_^T + intercept_ (+ offset)``: (n,) binary, else (n, K)."""
        self._check_fitted()
        n_raw = len(self._dense_coef())
        width = None if n_raw == 1 else n_raw
        return self._by_rows(self._decision_function, X, offset, width)

    def _decision_function(self, X: ArrayLike, offset: ArrayLike | None) -> FloatArray:
        A = self._check_predict_input(X)
        bk, dtype = array_library(A), working_dtype(A)
        coef = bk.asarray(self._dense_coef().astype(dtype, copy=False))
        Z = A @ coef.T + bk.asarray(to_host(self.intercept_).astype(dtype, copy=False))
        if offset is not None:
            o = check_offset(to_host(offset), Z.shape[0], Z.shape[1], dtype)
            Z = Z + bk.asarray(o)
        return Z[:, 0] if Z.shape[1] == 1 else Z

    def predict_proba(self, X: ArrayLike, offset: ArrayLike | None = None) -> FloatArray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order.

        Multinomial: the softmax of the raw predictions. One-vs-rest: each class's sigmoid,
        normalized to sum to 1 (as scikit-learn does).
        """
        self._check_fitted()
        return self._by_rows(self._predict_proba, X, offset, self.classes_.shape[0])

    def _predict_proba(self, X: ArrayLike, offset: ArrayLike | None) -> FloatArray:
        Z = self.decision_function(X, offset)
        xp = array_library(Z).xp
        if Z.ndim == 1:
            p = expit(Z)
            return xp.stack([1 - p, p], axis=1)
        if self._is_ovr():
            P = expit(Z)
            return P / xp.sum(P, axis=1, keepdims=True)
        return softmax(Z, axis=1)

    def predict_log_proba(self, X: ArrayLike, offset: ArrayLike | None = None) -> FloatArray:
        """Log of ``predict_proba``, computed stably (no ``log(0)`` for confident predictions)."""
        self._check_fitted()
        return self._by_rows(self._predict_log_proba, X, offset, self.classes_.shape[0])

    def _predict_log_proba(self, X: ArrayLike, offset: ArrayLike | None) -> FloatArray:
        Z = self.decision_function(X, offset)
        xp = array_library(Z).xp
        if Z.ndim == 1:
            return xp.stack([log_sigmoid(-Z), log_sigmoid(Z)], axis=1)
        if self._is_ovr():
            return xp.log(self.predict_proba(X, offset))
        return Z - logsumexp(Z, axis=1)[:, None]

    def predict(self, X: ArrayLike, offset: ArrayLike | None = None) -> NDArray[Any]:
        """The most probable class for each row, as a label from ``classes_``."""
        self._check_fitted()
        dtype = to_host(self.classes_).dtype
        return self._by_rows(self._predict, X, offset, None, dtype)

    def _predict(self, X: ArrayLike, offset: ArrayLike | None) -> NDArray[Any]:
        Z = self.decision_function(X, offset)
        bk = array_library(Z)
        index = to_host(Z > 0).astype(np.intp) if Z.ndim == 1 else to_host(bk.xp.argmax(Z, axis=1))
        labels = to_host(self.classes_)[index]
        return bk.asarray(labels) if labels.dtype.kind in "iuf" else labels

    def score(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """Mean accuracy (weighted by ``sample_weight`` when given)."""
        correct = (to_host(self.predict(X)) == to_host(y)).astype(np.float64)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        return float(np.average(correct, weights=weights))

    def sparsify(self) -> Any:
        """Store ``coef_`` as a SciPy CSR matrix (worth it when L1 zeroed most of it)."""
        from scipy import sparse

        self._check_fitted()
        self.coef_ = sparse.csr_matrix(self.coef_)
        return self

    def densify(self) -> Any:
        """Store ``coef_`` as a NumPy array again (the default)."""
        self._check_fitted()
        self.coef_ = self._dense_coef()
        return self

    def _is_ovr(self) -> bool:
        return self.multi_class == "ovr" and len(self.classes_) > 2
