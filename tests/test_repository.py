"""The promises the repository makes to a newcomer stay true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
