"""What warm-started paths save: LogisticRegressionCV against the cold fits it replaces.

Usage: ``python benchmarks/cv_warm_starts.py [--repeats 3]``

For each problem, a 10-value, 5-fold search is timed three ways, in the same process:

- *anchor*: 50 independent ``LogisticRegression(C).fit`` calls, one per fold and ``C``,
  each started at zero (what a grid search does);
- ``LogisticRegressionCV``: the same 50 fits as five warm-started paths, plus the scoring
  of each point and the final refit;
- scikit-learn's ``LogisticRegressionCV`` on the same folds (for reference);

and, for binary problems, the path alone on all rows: our ``regularization_path`` against
glum's warm-started path (``alpha_search=True`` on the same 10 penalties, ``alpha = 1/(C n)``).

Each time is the median of ``repeats`` rounds; the ratios are to the anchor. The iteration
counts (ours) show where the saving comes from.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from log_reg import LogisticRegression
from log_reg.models.cv import LogisticRegressionCV

Cs = np.logspace(-4, 4, 10)
TOL = 1e-4


def problem(n: int, d: int, n_classes: int, seed: int = 0) -> tuple[Any, Any]:
    """Gaussian features, labels from a logistic model with a few informative weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    W = rng.normal(size=(d, n_classes)) * (rng.random((d, 1)) < 0.3)
    y = np.argmax(X @ W + rng.gumbel(size=(n, n_classes)), axis=1)
    return X, y


def median_time(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def measure(name: str, X: Any, y: Any, l1_ratio: float, repeats: int) -> None:
    from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(5).split(X, y))

    def cold() -> int:
        return sum(
            int(LogisticRegression(C=C, l1_ratio=l1_ratio, tol=TOL).fit(X[tr], y[tr]).n_iter_.sum())
            for tr, _ in folds
            for C in Cs
        )

    def ours() -> Any:
        model = LogisticRegressionCV(
            Cs=Cs, cv=folds, l1_ratios=(l1_ratio,), tol=TOL, use_legacy_attributes=False
        )
        return model.fit(X, y)

    def sklearn() -> Any:
        solver = "saga" if l1_ratio > 0 else "lbfgs"
        return SkLogisticRegressionCV(
            Cs=Cs,
            cv=folds,
            l1_ratios=(l1_ratio,),
            tol=TOL,
            solver=solver,
            scoring="neg_log_loss",
            use_legacy_attributes=False,
            max_iter=1000,
        ).fit(X, y)

    t_cold, cold_iter = median_time(cold, repeats)
    t_ours, model = median_time(ours, repeats)
    t_sk, _ = median_time(sklearn, repeats)
    print(
        f"{name:<34} {model.solver_:>15}  cold {t_cold:7.3f} s ({cold_iter:5d} it)   "
        f"CV {t_ours:7.3f} s ({int(model.n_iter_.sum()):5d} it) = {t_ours / t_cold:5.2f}x   "
        f"sklearn CV {t_sk:7.3f} s = {t_sk / t_cold:5.2f}x   ours/sklearn CV {t_ours / t_sk:5.2f}"
    )
    if len(np.unique(y)) == 2:
        path_versus_glum(X, y, l1_ratio, repeats)


def path_versus_glum(X: Any, y: Any, l1_ratio: float, repeats: int) -> None:
    """Our ``regularization_path`` against glum's, same penalties, on all rows."""
    try:
        from glum import GeneralizedLinearRegressor
    except ImportError:
        print(f"{'':<34} path: glum is not installed (pip install glum)")
        return
    from log_reg import regularization_path

    def ours() -> Any:
        return regularization_path(X, y, Cs=Cs, l1_ratio=l1_ratio, tol=TOL)

    def glum() -> Any:
        alphas = np.sort(1 / (Cs * len(y)))[::-1]  # glum: decreasing penalties
        model = GeneralizedLinearRegressor(
            family="binomial", alpha_search=True, alphas=alphas, l1_ratio=l1_ratio, gradient_tol=TOL
        )
        return model.fit(X, y)

    t_ours, _ = median_time(ours, repeats)
    t_glum, _ = median_time(glum, repeats)
    print(
        f"{'':<34} path (10 C, all rows): ours {t_ours:7.3f} s, glum {t_glum:7.3f} s, "
        f"ours/glum {t_ours / t_glum:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    warnings.simplefilter("ignore")  # ConvergenceWarnings of the cold fits at C = 1e4
    for name, (n, d, K), l1_ratio in [
        ("binary, 5000 x 20, L2", (5000, 20, 2), 0.0),
        ("binary, 5000 x 20, L1", (5000, 20, 2), 1.0),
        ("3 classes, 5000 x 20, L2", (5000, 20, 3), 0.0),
        ("binary, 5000 x 200, L2", (5000, 200, 2), 0.0),
        ("binary, 2000 x 50, elastic net 0.5", (2000, 50, 2), 0.5),
    ]:
        X, y = problem(n, d, K)
        measure(name, X, y, l1_ratio, repeats)


if __name__ == "__main__":
    main()
