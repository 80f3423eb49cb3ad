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

import ast
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

TARGET = 0.90
TIMEOUT_S = 1800  # for the whole pytest run
#: "-k": parametrized cases that pass LogisticRegressionCV are deselected by their id.
PYTEST_OPTIONS = ["-p", "no:cacheprovider", "-p", "sklearn.conftest", "-n", "2", "-q"]
PYTEST_OPTIONS += ["--no-header", "-k", "not LogisticRegressionCV"]
EXCLUDED = {  # reason -> identifiers matching it
    "LogisticRegressionCV": re.compile(r"^LogisticRegressionCV$"),
    "callbacks": re.compile(r"[Cc]allback"),
    "array API": re.compile(r"array_api|namespace"),
}
IMPORT = "from sklearn.linear_model import LogisticRegression, LogisticRegressionCV,"
NEW_IMPORT = (
    "from log_reg import LogisticRegression\nfrom sklearn.linear_model import LogisticRegressionCV,"
)


def identifiers(node: ast.AST) -> set[str]:
    """Names and attribute names used under ``node`` (``.attr`` for attributes)."""
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Attribute):
            names.add("." + n.attr)
    return names


def exclusion_reasons(source: str) -> dict[str, str]:
    """Test function name -> why it is left out, for the tests that are."""
    tree = ast.parse(source)
    estimator_private = {  # private names imported from the estimator's own package
        a.asname or a.name
        for n in tree.body
        if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("sklearn.linear_model")
        for a in n.names
        if a.name.startswith("_")
    }
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    reasons = {}
    for name, fn in functions.items():
        if not name.startswith("test"):
            continue
        used = identifiers(ast.Module(fn.body, []))  # the body: decorators are handled by -k
        for helper in used & functions.keys():  # one level of module-level helpers
            used |= identifiers(functions[helper])
        hits = [f"private {u}" for u in sorted(used & estimator_private)]
        hits += [
            f"private attribute {u}"
            for u in sorted(used)
            if u.startswith("._") and not u.startswith(".__")
        ]
        hits += [why for why, pattern in EXCLUDED.items() if any(pattern.search(u) for u in used)]
        if hits:
            reasons[name] = ", ".join(hits)
    return reasons


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
    reasons = exclusion_reasons(source)
    tests = [n for n in re.findall(r"^def (test\w*)\(", source, re.M) if n not in reasons]
    print(f"{original}\nleft out {len(reasons)} of {len(reasons) + len(tests)} test functions:")
    for name, why in reasons.items():
        print(f"  {name}: {why}")

    with tempfile.TemporaryDirectory() as tmp:
        copy, report = Path(tmp) / "test_logistic.py", Path(tmp) / "report.xml"
        copy.write_text(source.replace(IMPORT, NEW_IMPORT))
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n")  # none of our settings (doctests, warnings as errors)
        selected = [f"{copy}::{t}" for t in tests]
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
        outcome = dict(map(case_outcome, ET.parse(report).getroot().iter("testcase")))

    failed = {k: why for k, (status, why) in outcome.items() if status == "failed"}
    n_passed = sum(status == "passed" for status, _ in outcome.values())
    n_skipped = sum(status == "skipped" for status, _ in outcome.values())
    rate = n_passed / max(n_passed + len(failed), 1)
    print(
        f"\nselected {len(outcome)} cases from {len(tests)} test functions: {n_passed} passed, "
        f"{len(failed)} failed, {n_skipped} skipped; pass rate {rate:.1%} (target {TARGET:.0%})"
    )
    for name, why in sorted(failed.items()):
        print(f"  FAILED {name}: {why[:160]}")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
