"""The promises the repository makes to a newcomer stay true."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "log_reg"


def bash_blocks(markdown: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", markdown, flags=re.S)]


def test_ci_runs_exactly_the_readme_test_command():
    readme_commands = bash_blocks((ROOT / "README.md").read_text())
    test_command = next(c for c in readme_commands if "pytest" in c)
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_readme_demo_command_runs_the_demo():
    demo = next(c for c in bash_blocks((ROOT / "README.md").read_text()) if "demo" in c)
    assert demo.endswith("log-reg demo") and ".[test]" not in demo


# -- the modules of the package, as the tree has them ----------------------------------------


def module_files() -> dict[str, Path]:
    """Every module under src/log_reg by its dotted name (a package by its ``__init__.py``)."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def holds_code(path: Path) -> bool:
    """False for a file that is only a docstring (a package named by its layer, not a module)."""
    body = ast.parse(path.read_text()).body
    return not all(isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in body)


def readme_table_modules() -> set[str]:
    """The modules named in the second column of README's "How it is built" table."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## How it is built\n", 1)[1].split("\n## ", 1)[0]
    cells = [line.split("|")[2] for line in section.splitlines() if line.startswith("|")]
    return {name for cell in cells for name in re.findall(r"`(log_reg(?:\.\w+)*)`", cell)}


def test_readme_table_names_every_module():
    modules = module_files()
    in_table = readme_table_modules()
    missing = sorted(m for m, path in modules.items() if holds_code(path) and m not in in_table)
    stale = sorted(in_table - modules.keys())
    assert not missing, f"modules missing from README's 'How it is built' table: {missing}"
    assert not stale, f"README's 'How it is built' table names modules that are gone: {stale}"


# -- imports, at any depth of a module -------------------------------------------------------


def type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines under ``if TYPE_CHECKING:``: imports that never run, so they make no cycle."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(name: str, path: Path, modules: set[str]) -> list[tuple[str, int]]:
    """``(imported module, line)`` for every import of a log_reg module in ``path``: at module
    level or inside functions, absolute or relative; ``from x import y`` counts as importing
    ``x.y`` where ``y`` is a submodule, else as importing ``x``."""
    tree = ast.parse(path.read_text(), str(path))
    skip = type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or node.lineno in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        resolved = set()
        for target in targets:
            while target and target not in modules:  # `import log_reg.core.loss.x`: the module
                target = target.rpartition(".")[0]
            resolved.add(target)
        found += [(target, node.lineno) for target in sorted(resolved - {"", name})]
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other, two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while not group or group[-1] != v:
                group.append(stack.pop())
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_no_import_cycles_counting_imports_inside_functions():
    files = module_files()
    edges = {
        name: imports_of(name, path, set(files)) for name, path in files.items()
    }  # name -> [(imported, line)]
    graph = {name: {target for target, _ in found} for name, found in edges.items()}
    report = []
    for group in strongly_connected(graph):
        report.append(f"import cycle of {len(group)} modules:")
        for name in group:
            path = files[name].relative_to(ROOT)
            report += [f"  {path}:{line} imports {t}" for t, line in edges[name] if t in group]
    assert not report, "\n".join(report)


def test_only_back_ends_ask_for_dask_and_nothing_escapes_the_formatter():
    marker = re.compile(r"is_dask|fmt:\s*(skip|off)")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "backends" not in path.relative_to(PACKAGE).parts[:-1]
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if marker.search(line)
    ]
    assert not found, "\n".join(found)
