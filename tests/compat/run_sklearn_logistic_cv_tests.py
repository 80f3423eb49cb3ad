"""Run scikit-learn's own LogisticRegressionCV tests against ``log_reg``'s.

Usage: ``python tests/compat/run_sklearn_logistic_cv_tests.py [extra pytest args]``

1. Copy ``sklearn/linear_model/tests/test_logistic.py`` of the installed scikit-learn into a
   temporary directory, rewriting only the import of ``LogisticRegressionCV`` so that it
   comes from ``log_reg.models.cv`` (``LogisticRegression`` and everything else stay
   scikit-learn's: the tests then compare our cross-validation with scikit-learn's own
   estimator).
2. Keep the tests of ``LogisticRegressionCV`` that use public API alone: a test function is
   kept when ``LogisticRegressionCV`` appears in its body, its decorators, or the
   module-level helpers its body calls, and left out when those identifiers include any of
   - a private name of the estimator's own module (imported from ``sklearn.linear_model``,
     such as ``_log_reg_scoring_path``, ``_logistic_regression_path``);
   - a private attribute or method (``obj._name``, such as ``_get_scorer``);
   - callbacks (``callback``/``Callback``); the array API (``array_api``, ``namespace``).
   Private *test utilities* (``_IS_32BIT``, ``_sparse_random_array``, the test file's own
   helpers) are allowed: they build data, they do not touch the estimator.
3. Run pytest on them (scikit-learn's conftest as a plugin, so ``global_random_seed``
   works; ``-n 2``; a timeout for the whole run). Count a case when it exercises our
   estimator: for a test that takes the estimator class as a parameter, only the cases
   whose id names ``LogisticRegressionCV``; for the cases listed in ``SKLEARN_ONLY`` (a
   parameter that selects scikit-learn's ``LogisticRegression`` alone), none. Print the
   counted cases' passed and failed numbers, the pass rate (skips left out), and each
   failure with its one-line reason. Exit 0 when the pass rate is at least 90%, else 1.
"""

from __future__ import annotations

import sys

from sklearn_test_file import identifiers, report, run_copy, source, test_functions

CV = "LogisticRegressionCV"
NEW_IMPORT = (
    f"from log_reg.models.cv import {CV}\nfrom sklearn.linear_model import LogisticRegression,"
)
#: Test function -> the id fragment of its cases that run scikit-learn's LogisticRegression
#: alone (its other cases run ours).
SKLEARN_ONLY = {"test_logistic_regression_sample_weights": "single"}


def select(text: str) -> tuple[dict[str, bool], dict[str, str]]:
    """``(kept, left_out)``: test name -> whether the class is only a parameter; name -> why."""
    kept, left_out = {}, {}
    for name, (fn, used, hits) in test_functions(text).items():
        decorators = set().union(*map(identifiers, fn.decorator_list))
        if CV not in used and CV not in decorators:
            continue
        if hits:
            left_out[name] = ", ".join(hits)
        else:
            kept[name] = CV not in used
    return kept, left_out


def counted(case: str, kept: dict[str, bool]) -> bool:
    """Whether a case (``test_name[params]``) exercises our estimator."""
    function = case.split("[")[0]
    if kept.get(function) and CV not in case:
        return False
    fragment = SKLEARN_ONLY.get(function)
    return fragment is None or fragment not in case


def run(extra: list[str]) -> int:
    original, text = source()
    kept, left_out = select(text)
    print(f"{original}\n{len(kept)} test functions of {CV} kept, {len(left_out)} left out:")
    for name, why in left_out.items():
        print(f"  {name}: {why}")
    cases = run_copy(text, NEW_IMPORT, list(kept), extra)
    outcome = {k: v for k, v in cases.items() if counted(k, kept)}
    return report(outcome, f"{len(cases)} cases ran, {len(outcome)} of them exercise {CV}")


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
