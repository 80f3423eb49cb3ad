"""What both compat runners share: reading scikit-learn's ``test_logistic.py``, deciding
which tests use public API alone, and running a rewritten copy under pytest.

The runners (``run_sklearn_logistic_tests.py``, ``run_sklearn_logistic_cv_tests.py``)
differ only in which import they swap and which tests they keep.
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
IMPORT = "from sklearn.linear_model import LogisticRegression, LogisticRegressionCV,"


def source() -> tuple[Path, str]:
    """The installed scikit-learn's ``test_logistic.py``: its path and text."""
    import sklearn

    original = Path(sklearn.__file__).parent / "linear_model" / "tests" / "test_logistic.py"
    text = original.read_text()
    if text.count(IMPORT) != 1:
        sys.exit(f"cannot find the line to rewrite ({IMPORT!r}) in {original}")
    return original, text


def identifiers(node: ast.AST) -> set[str]:
    """Names and attribute names used under ``node`` (``.attr`` for attributes)."""
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Attribute):
            names.add("." + n.attr)
    return names


def test_functions(text: str) -> dict[str, tuple[ast.FunctionDef, set[str], list[str]]]:
    """Test name -> (its node, identifiers of its body and helpers, private-API reasons).

    The reasons are the mechanical rule: a private name of the estimator's own module
    (imported from ``sklearn.linear_model``), a private attribute (``obj._name``),
    callbacks or the array API. One level of module-level helpers counts as the body.
    """
    tree = ast.parse(text)
    estimator_private = {
        a.asname or a.name
        for n in tree.body
        if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("sklearn.linear_model")
        for a in n.names
        if a.name.startswith("_")
    }
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    found = {}
    for name, fn in functions.items():
        if not name.startswith("test"):
            continue
        used = identifiers(ast.Module(fn.body, []))
        for helper in used & functions.keys():
            used |= identifiers(functions[helper])
        hits = [f"private {u}" for u in sorted(used & estimator_private)]
        hits += [
            f"private attribute {u}"
            for u in sorted(used)
            if u.startswith("._") and not u.startswith(".__")
        ]
        hits += [why for why, pattern in EXCLUDED.items() if any(pattern.search(u) for u in used)]
        found[name] = (fn, used, hits)
    return found


def case_outcome(case: ET.Element) -> tuple[str, tuple[str, str]]:
    """A junit-xml test case -> (its name, (passed|failed|skipped, first line of the reason))."""
    bad = case.find("failure")
    bad = case.find("error") if bad is None else bad
    if bad is not None:
        lines = (bad.get("message") or "?").splitlines() or ["?"]
        return case.get("name", "?"), ("failed", lines[0])
    return case.get("name", "?"), ("skipped" if case.find("skipped") is not None else "passed", "")


def run_copy(text: str, new_import: str, tests: list[str], options: list[str]) -> dict:
    """Run the chosen tests of a copy with ``IMPORT`` rewritten; case -> (status, reason)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy, report = Path(tmp) / "test_logistic.py", Path(tmp) / "report.xml"
        copy.write_text(text.replace(IMPORT, new_import))
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n")  # none of our settings (doctests, warnings as errors)
        command = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", tmp]
        command += [*PYTEST_OPTIONS, f"--junitxml={report}", *(f"{copy}::{t}" for t in tests)]
        try:
            done = subprocess.run(
                [*command, *options], cwd=tmp, timeout=TIMEOUT_S, capture_output=True, text=True
            )
        except subprocess.TimeoutExpired:
            sys.exit(f"pytest did not finish within {TIMEOUT_S} s")
        if done.returncode not in (0, 1) or not report.exists():  # 1: some tests failed
            sys.exit(
                f"pytest could not run the tests (exit {done.returncode}):\n{done.stdout[-3000:]}"
            )
        return dict(map(case_outcome, ET.parse(report).getroot().iter("testcase")))


def report(outcome: dict, heading: str) -> int:
    """Print the counts, the pass rate and each failure; 0 when the rate meets ``TARGET``."""
    failed = {k: why for k, (status, why) in outcome.items() if status == "failed"}
    n_passed = sum(status == "passed" for status, _ in outcome.values())
    n_skipped = sum(status == "skipped" for status, _ in outcome.values())
    rate = n_passed / max(n_passed + len(failed), 1)
    print(
        f"\n{heading}: {n_passed} passed, {len(failed)} failed, {n_skipped} skipped; "
        f"pass rate {rate:.1%} (target {TARGET:.0%})"
    )
    for name, why in sorted(failed.items()):
        print(f"  FAILED {name}: {why[:160]}")
    return 0 if rate >= TARGET else 1
