"""The log-reg command, run for real in a subprocess, as a user would."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = re.compile(
    r"\AWeights: \[-?\d+\.\d+ -?\d+\.\d+\]\nBias: -?\d+\.\d{3}\nClasses: \[0 0 0 0 0 1 1 1 1 1\]\n\Z"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "log_reg"],
        [sys.executable, "-m", "log_reg", "demo"],
        ["log-reg", "demo"],
    ],
)
def test_demo_prints_the_three_lines(command):
    if command[0] == "log-reg":  # the console script installed beside this Python
        command = [str(Path(sys.executable).parent / "log-reg"), *command[1:]]
    out = run(*command)
    assert out.returncode == 0, out.stderr
    assert DEMO.match(out.stdout), out.stdout
    assert out.stderr == ""


def test_import_is_light():
    code = (
        "import sys, log_reg; heavy = {'scipy', 'sklearn', 'pandas', 'matplotlib', 'dask', "
        "'torch', 'pyarrow'} & {m.split('.')[0] for m in sys.modules}; print(sorted(heavy))"
    )
    out = run(sys.executable, "-c", code)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_bad_option_is_a_one_line_error():
    out = run(sys.executable, "-m", "log_reg", "demo", "--epochs", "many")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "invalid int value: 'many'" in out.stderr


def test_invalid_value_is_a_one_line_error_not_a_traceback():
    out = run(sys.executable, "-m", "log_reg", "demo", "--epochs", "0")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == "log-reg: error: epochs must be an integer >= 1; got 0.\n"
