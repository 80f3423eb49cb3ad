"""Run scikit-learn's own LogisticRegressionCV tests against ``log_reg``'s.

Usage: ``python tests/compat/run_sklearn_logistic_cv_tests.py [extra pytest args]``

1. Copy ``sklearn/linear_model/tests/test_logistic.py`` of the installed scikit-learn into a
   temporary directory, rewriting only the import of ``LogisticRegressionCV`` so that it
   comes from ``log_reg.cv`` (``LogisticRegression`` and everything else stay
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

import ast
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

TARGET = 0.90
TIMEOUT_S = 1800  # for the whole pytest run
PYTEST_OPTIONS = ["-p", "no:cacheprovider", "-p", "sklearn.conftest", "-n", "2", "-q"]
PYTEST_OPTIONS += ["--no-header"]
EXCLUDED = {  # reason -> identifiers matching it
    "callbacks": re.compile(r"[Cc]allback"),
    "array API": re.compile(r"array_api|namespace"),
}
CV = "LogisticRegressionCV"
IMPORT = "from sklearn.linear_model import LogisticRegression, LogisticRegressionCV,"
NEW_IMPORT = f"from log_reg.cv import {CV}\nfrom sklearn.linear_model import LogisticRegression,"
#: Test function -> the id fragment of its cases that run scikit-learn's LogisticRegression
#: alone (its other cases run ours).
SKLEARN_ONLY = {"test_logistic_regression_sample_weights": "single"}


def identifiers(node: ast.AST) -> set[str]:
    """Names and attribute names used under ``node`` (``.attr`` for attributes)."""
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Attribute):
            names.add("." + n.attr)
    return names


def select(source: str) -> tuple[dict[str, bool], dict[str, str]]:
    """``(kept, left_out)``: test name -> whether the class is only a parameter; name -> why."""
    tree = ast.parse(source)
    estimator_private = {
        a.asname or a.name
        for n in tree.body
        if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("sklearn.linear_model")
        for a in n.names
        if a.name.startswith("_")
    }
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    kept, left_out = {}, {}
    for name, fn in functions.items():
        if not name.startswith("test"):
            continue
        used = identifiers(ast.Module(fn.body, []))
        for helper in used & functions.keys():  # one level of module-level helpers
            used |= identifiers(functions[helper])
        in_decorators = CV in set().union(*map(identifiers, fn.decorator_list))
        if CV not in used and not in_decorators:
            continue
        hits = [f"private {u}" for u in sorted(used & estimator_private)]
        hits += [
            f"private attribute {u}"
            for u in sorted(used)
            if u.startswith("._") and not u.startswith(".__")
        ]
        hits += [why for why, pattern in EXCLUDED.items() if any(pattern.search(u) for u in used)]
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


def case_outcome(case: ET.Element) -> tuple[str, tuple[str, str]]:
    """A junit-xml test case -> (its name, (passed|failed|skipped, first line of the reason))."""
    bad = case.find("failure")
    bad = case.find("error") if bad is None else bad
    if bad is not None:
        lines = (bad.get("message") or "?").splitlines() or ["?"]
        return case.get("name", "?"), ("failed", lines[0])
    return case.get("name", "?"), ("skipped" if case.find("skipped") is not None else "passed", "")


def run(extra: list[str]) -> int:
    import sklearn

    original = Path(sklearn.__file__).parent / "linear_model" / "tests" / "test_logistic.py"
    source = original.read_text()
    if source.count(IMPORT) != 1:
        sys.exit(f"cannot find the line to rewrite ({IMPORT!r}) in {original}")
    kept, left_out = select(source)
    print(f"{original}\n{len(kept)} test functions of {CV} kept, {len(left_out)} left out:")
    for name, why in left_out.items():
        print(f"  {name}: {why}")

    with tempfile.TemporaryDirectory() as tmp:
        copy, report = Path(tmp) / "test_logistic.py", Path(tmp) / "report.xml"
        copy.write_text(source.replace(IMPORT, NEW_IMPORT))
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n")  # none of our settings (doctests, warnings as errors)
        selected = [f"{copy}::{t}" for t in kept]
        command = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", tmp]
        command += [*PYTEST_OPTIONS, f"--junitxml={report}", *selected, *extra]
        try:
            done = subprocess.run(
                command, cwd=tmp, timeout=TIMEOUT_S, capture_output=True, text=True
            )
        except subprocess.TimeoutExpired:
            sys.exit(f"pytest did not finish within {TIMEOUT_S} s")
        if done.returncode not in (0, 1) or not report.exists():  # 1: some tests failed
            sys.exit(
                f"pytest could not run the tests (exit {done.returncode}):\n{done.stdout[-3000:]}"
            )
        cases = dict(map(case_outcome, ET.parse(report).getroot().iter("testcase")))

    outcome = {k: v for k, v in cases.items() if counted(k, kept)}
    failed = {k: why for k, (status, why) in outcome.items() if status == "failed"}
    n_passed = sum(status == "passed" for status, _ in outcome.values())
    n_skipped = sum(status == "skipped" for status, _ in outcome.values())
    rate = n_passed / max(n_passed + len(failed), 1)
    print(
        f"\n{len(cases)} cases ran, {len(outcome)} of them exercise {CV}: {n_passed} passed, "
        f"{len(failed)} failed, {n_skipped} skipped; pass rate {rate:.1%} (target {TARGET:.0%})"
    )
    for name, why in sorted(failed.items()):
        print(f"  FAILED {name}: {why[:160]}")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
