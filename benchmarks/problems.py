"""The benchmark problems: real data sets and deterministic synthetic ones.

Every synthetic problem draws labels from a logistic (or softmax) model plus its own
Bernoulli noise, so no problem is separable and the optimum is finite. Seeds are fixed:
the same size gives the same data, bit for bit, on every run.

Each problem has a default size (the whole default suite runs in a few minutes on a
2-core laptop) and a ``--full`` size (the issue's table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

SEED = 20240611


@dataclass(frozen=True, eq=False)
class Problem:
    """One data set and penalty: scikit-learn's ``C`` and ``l1_ratio``; labels ``0..K-1``."""

    name: str
    description: str
    X: Any  # dense float64 array or SciPy CSR matrix, (n, d)
    y: np.ndarray  # (n,) integer labels
    C: float = 1.0
    l1_ratio: float = 0.0

    @property
    def n_classes(self) -> int:
        return int(self.y.max()) + 1

    @property
    def is_sparse(self) -> bool:
        return sparse.issparse(self.X)

    @property
    def n_coef(self) -> int:
        """Coefficients our solvers see: ``n_raw * (d + 1)``."""
        n_raw = 1 if self.n_classes == 2 else self.n_classes
        return n_raw * (self.X.shape[1] + 1)

    @property
    def shape(self) -> str:
        n, d = self.X.shape
        text = f"{n:,} x {d:,}"
        if self.is_sparse:
            text += f", {self.X.nnz / n:.0f} nnz/row"
        return text + (f", {self.n_classes} classes" if self.n_classes > 2 else "")


def _standardize(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


def _features(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Gaussian features sharing one common factor (pairwise correlation 0.2), float64."""
    common = rng.standard_normal((n, 1))
    return (rng.standard_normal((n, d)) + 0.5 * common) / np.sqrt(1.25)


def _binary_labels(rng: np.random.Generator, z: np.ndarray) -> np.ndarray:
    """``y ~ Bernoulli(sigmoid(z))``: the model's own noise keeps the classes overlapping."""
    return (rng.random(len(z)) < 1 / (1 + np.exp(-z))).astype(np.intp)


def breast_cancer() -> Problem:
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    return Problem(
        "breast-cancer",
        "scikit-learn's breast cancer, standardized, L2 C=1",
        _standardize(X),
        y.astype(np.intp),
    )


def digits() -> Problem:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return Problem(
        "digits",
        "scikit-learn's digits (pixels 0..16, unscaled), L2 C=1",
        X.astype(np.float64),
        y.astype(np.intp),
    )


def tall_dense(n: int, d: int = 50) -> Problem:
    """Many rows, few features: the case Newton's method and L-BFGS both like."""
    rng = np.random.default_rng(SEED)
    X = _features(rng, n, d)
    beta = rng.standard_normal(d) * 2 / np.sqrt(d)  # signal std about 2
    y = _binary_labels(rng, X @ beta + 0.5)
    return Problem("tall-dense", "synthetic logistic model, dense, L2 C=1", X, y)


def wide_dense(n: int, d: int) -> Problem:
    """Few rows per feature (n / d = 2 or 2.5): nearly separable, so C matters."""
    rng = np.random.default_rng(SEED + 1)
    X = _features(rng, n, d)
    beta = rng.standard_normal(d) * 2 / np.sqrt(d)
    y = _binary_labels(rng, X @ beta)
    return Problem("wide-dense", "synthetic logistic model, dense, L2 C=1", X, y)


def sparse_text(n: int, d: int, nnz_per_row: int = 50) -> Problem:
    """Bag-of-words-like CSR: Zipf-like columns, log counts, rows of unit length; ~49 nnz/row."""
    rng = np.random.default_rng(SEED + 2)
    popularity = 1 / (np.arange(d) + 30) ** 1.1  # word frequencies: Zipf-Mandelbrot's law
    cols = rng.choice(d, size=n * nnz_per_row, p=popularity / popularity.sum())
    rows = np.repeat(np.arange(n), nnz_per_row)
    counts = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, d))
    counts.sum_duplicates()  # a word drawn twice in a row counts twice
    counts.data = np.log1p(counts.data)  # tf-idf's sublinear term frequency
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1))).ravel()
    X = sparse.diags(1 / norms) @ counts  # unit rows, as TfidfVectorizer makes them
    beta = rng.standard_normal(d) * (rng.random(d) < 0.1) * 8  # 10% of words matter
    y = _binary_labels(rng, X @ beta)
    return Problem("sparse-text", "synthetic bag of words (CSR), L2 C=1", sparse.csr_matrix(X), y)


def many_classes(n: int, d: int = 100, k: int = 20) -> Problem:
    """A softmax model with ``k`` classes; labels by the Gumbel-max trick."""
    rng = np.random.default_rng(SEED + 3)
    X = _features(rng, n, d)
    W = rng.standard_normal((k, d)) * 1.5 / np.sqrt(d)
    y = np.argmax(X @ W.T + rng.gumbel(size=(n, k)), axis=1).astype(np.intp)
    return Problem("many-classes", f"synthetic softmax model, {k} classes, L2 C=1", X, y)


#: C for the L1 problem: chosen (by a scikit-learn saga path) so that about 10% of the
#: 200 weights are non-zero at the optimum.
L1_C = 0.002


def l1_sparse_truth() -> Problem:
    """L1 on data whose true model uses 20 of 200 features (one size: default and full)."""
    rng = np.random.default_rng(SEED + 4)
    n, d = 20_000, 200
    X = _features(rng, n, d)
    beta = np.zeros(d)
    beta[rng.choice(d, 20, replace=False)] = rng.choice([-1.0, 1.0], 20) * rng.uniform(0.2, 1, 20)
    y = _binary_labels(rng, X @ beta)
    return Problem(
        "l1-sparse",
        f"synthetic, 20 of {d} features matter, L1 C={L1_C}",
        X,
        y,
        C=L1_C,
        l1_ratio=1.0,
    )


#: name -> (default builder, --full builder)
PROBLEMS: dict[str, tuple[Callable[[], Problem], Callable[[], Problem]]] = {
    "breast-cancer": (breast_cancer, breast_cancer),
    "digits": (digits, digits),
    "tall-dense": (lambda: tall_dense(200_000), lambda: tall_dense(1_000_000)),
    "wide-dense": (lambda: wide_dense(2_000, 1_000), lambda: wide_dense(5_000, 2_000)),
    "sparse-text": (lambda: sparse_text(50_000, 20_000), lambda: sparse_text(200_000, 100_000)),
    "many-classes": (lambda: many_classes(20_000), lambda: many_classes(200_000)),
    "l1-sparse": (l1_sparse_truth, l1_sparse_truth),
}
