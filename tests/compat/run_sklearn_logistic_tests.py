"""Run scikit-learn's own LogisticRegression tests against ``log_reg.LogisticRegression``.

Usage: ``python tests/compat/run_sklearn_logistic_tests.py [extra pytest args]``

1. Copy ``sklearn/linear_model/tests/test_logistic.py`` of the installed scikit-learn into a
   temporary directory, rewriting only the import of ``LogisticRegression`` so that it comes
   from ``log_reg`` (``LogisticRegressionCV`` and everything else stay scikit-learn's).
2. Keep the tests that use public API alone. The rule is mechanical: a test function is
   left out when the identifiers in its body, or in the module-level helpers it calls,
   include any of
   - a private name of the estimator's own module (imported from ``sklearn.linear_model``,
     such as ``_logistic_regression_path``, ``_log_reg_scoring_path``, ``_fit_liblinear``);
   - a private attribute or method (``obj._name``, such as ``_predict_proba_lr``);
   - ``LogisticRegressionCV``; callbacks (``callback``/``Callback``); the array API
     (``array_api``, ``namespace``).
   Private *test utilities* (``_IS_32BIT``, ``_sparse_random_array``, the test file's own
   helpers) are allowed: they build data, they do not touch the estimator. Parametrized
   cases that pass ``LogisticRegressionCV`` as a parameter are deselected by their id.
3. Run pytest on the rest (scikit-learn's conftest as a plugin, so ``global_random_seed``
   works; ``-n 2``; a timeout for the whole run), and print the selected, passed and failed
   counts, the pass rate over the cases that ran (skips left out), and each failure with its
   one-line reason. Exit 0 when the pass rate is at least 90%, else 1.
"""

from __future__ import annotations

import sys

from sklearn_test_file import report, run_copy, source, test_functions

#: "-k": parametrized cases that pass LogisticRegressionCV are deselected by their id.
OPTIONS = ["-k", "not LogisticRegressionCV"]
NEW_IMPORT = (
    "from log_reg import LogisticRegression\nfrom sklearn.linear_model import LogisticRegressionCV,"
)


def run(extra: list[str]) -> int:
    original, text = source()
    reasons = {}
    for name, (_, used, hits) in test_functions(text).items():
        hits = hits + (["LogisticRegressionCV"] if "LogisticRegressionCV" in used else [])
        if hits:
            reasons[name] = ", ".join(hits)
    tests = [n for n in test_functions(text) if n not in reasons]
    print(f"{original}\nleft out {len(reasons)} of {len(reasons) + len(tests)} test functions:")
    for name, why in reasons.items():
        print(f"  {name}: {why}")
    outcome = run_copy(text, NEW_IMPORT, tests, [*OPTIONS, *extra])
    return report(outcome, f"selected {len(outcome)} cases from {len(tests)} test functions")


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
