"""README's examples run as written and print what README shows.

- every ```python block runs on its own, in a fresh namespace and an empty folder; when the
  next block is a plain ``` block, that is what the example prints;
- the ```console blocks are one shell session, run in order in one empty folder: a line
  ``$ command`` runs ``command`` (with this Python's ``log-reg`` and ``python`` first on
  the PATH), and the lines after it, up to the next ``$``, are its standard output.

In the outputs shown, a line ``...`` stands for any number of lines, and ``...`` inside a
line for any text; trailing spaces do not count.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"

BLOCK = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)


def blocks() -> list[tuple[str, str, int, int]]:
    """``(language, text, start, end)`` of every fenced block, in order."""
    found = BLOCK.finditer(README.read_text())
    return [(m.group(1), m.group(2), m.start(), m.end()) for m in found]


def python_examples() -> list[tuple[int, str, str | None]]:
    """``(line number, code, the output shown or None)`` of each python block."""
    text, found, examples = README.read_text(), blocks(), []
    for i, (language, code, start, end) in enumerate(found):
        if language != "python":
            continue
        following = found[i + 1] if i + 1 < len(found) else None
        shown = None
        if following and following[0] == "" and not text[end : following[2]].strip():
            shown = following[1]
        examples.append((text.count("\n", 0, start) + 1, code, shown))
    return examples


def matches(shown: list[str], printed: list[str]) -> bool:
    """Whether ``printed`` reads as ``shown``, with ``...`` lines and ``...`` in lines."""
    if not shown:
        return not printed
    head, rest = shown[0], shown[1:]
    if head == "...":
        return any(matches(rest, printed[i:]) for i in range(len(printed) + 1))
    if not printed:
        return False
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return re.fullmatch(pattern, printed[0]) is not None and matches(rest, printed[1:])


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()] if text.strip() else []


def test_readme_has_examples_of_both_kinds():
    assert len(python_examples()) >= 5
    assert sum(language == "console" for language, *_ in blocks()) >= 2


@pytest.mark.parametrize(
    ("line", "code", "shown"),
    python_examples(),
    ids=[f"line {line}" for line, *_ in python_examples()],
)
def test_python_example_runs_and_prints_what_readme_shows(line, code, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"README.md, line {line}", "exec"), {"__name__": "__readme__"})
    if shown is not None:
        assert matches(lines(shown), lines(printed.getvalue())), printed.getvalue()


def console_session() -> list[tuple[str, str]]:
    """``(command, the output shown)`` of every ``$`` line of the console blocks, in order."""
    steps: list[tuple[str, list[str]]] = []
    for language, text, *_ in blocks():
        if language != "console":
            continue
        for line in text.rstrip("\n").splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
    return [(command, "\n".join(shown)) for command, shown in steps]


def test_the_console_session_runs_and_prints_what_readme_shows(tmp_path):
    binaries = str(Path(sys.executable).parent)  # log-reg and python of this environment
    env = {**os.environ, "PATH": f"{binaries}{os.pathsep}{os.environ.get('PATH', '')}"}
    for command, shown in console_session():
        run = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, (command, run.stderr)
        assert matches(lines(shown), lines(run.stdout)), (command, run.stdout)
