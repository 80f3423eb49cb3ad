"""Ours against scikit-learn and glum, side by side, on the same objective.

    python benchmarks/run.py [--full] [--only NAME,...] [--repeats N] [--profile]
                             [--slow SECONDS] [--budget SECONDS]

For every problem (``problems.py``) it fits every configuration (``configs.py``): our
"auto" and each of our solvers at default settings; scikit-learn's default, its best
solvers at tight settings, all of them again with BLAS limited to one thread; glum's
binomial GLM for binary problems. It prints wall time, iterations, passes over X, the
relative gap to the best objective any configuration reached, and peak memory
(``measure.py`` says how each is measured), then the goals per problem, the float32 vs
float64 comparison on the tall dense problem, and a Markdown summary for the README.

Extra dependencies (a ``bench`` extra): scikit-learn, threadpoolctl, psutil, and glum
(optional: without it the glum rows are left out).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from configs import Config, Fit, all_configs, ours_auto
from measure import Measurement, common_objective, objective_value, probe, time_all
from problems import PROBLEMS, Problem
from report import print_goals, print_markdown, print_problem, verdict

FLOAT32_GOAL = 0.6  # float32 time at most this times float64's
PASSES_GOAL = 12  # passes over X on the tall dense problem


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the issue's full problem sizes")
    parser.add_argument("--only", default="", help=f"comma-separated, of: {', '.join(PROBLEMS)}")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per configuration")
    parser.add_argument(
        "--slow",
        type=float,
        default=2.0,
        help="time once a configuration whose first run took longer (s)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=10.0,
        help="stop a configuration's first run after this long (s)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile ours auto and our slowest configuration on each problem",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.only.split(",") if name and name not in PROBLEMS]
    if unknown:
        parser.error(f"--only: unknown problem(s) {unknown}; choose from {list(PROBLEMS)}")
    return args


def print_environment() -> None:
    import sklearn
    from threadpoolctl import threadpool_info

    import log_reg

    versions = {
        "log_reg": log_reg.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
    }
    try:
        import glum

        versions["glum"] = glum.__version__
    except ImportError:
        versions["glum"] = "not installed (no glum anchors)"
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
    )
    for pool in threadpool_info():
        print(
            f"  {pool['user_api']}: {pool['internal_api']} {pool.get('version')}, "
            f"{pool['num_threads']} threads ({os.path.basename(pool['filepath'])})"
        )
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    git = ["git", "-C", repo]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "src"], capture_output=True, text=True)
    state = commit.stdout.strip() or "?"
    if dirty.stdout:
        state += " with uncommitted changes in src/"
    print(f"  log_reg imported from {os.path.dirname(log_reg.__file__)}; repository at {state}")
    print(f"  load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def measure_problem(
    p: Problem, configs: list[Config], args: argparse.Namespace
) -> list[Measurement]:
    """Probe, time, and score every configuration on ``p``."""
    measurements = [probe(c, p, args.budget) for c in configs]
    time_all(measurements, p, args.repeats, args.slow)
    f = common_objective(p)
    for m in measurements:
        if m.fit is not None:
            m.value = objective_value(f, m.fit)
    return measurements


def _on_data(data: Problem, fit: Callable[[Problem], Fit]) -> Callable[[Problem], Fit]:
    """``fit``, always on ``data`` whatever problem it is handed."""
    return lambda _: fit(data)


def float32_check(p: Problem, best_value: float, args: argparse.Namespace) -> None:
    """Our default fit on X in float32 and in float64: time, iterations, passes, gap.

    The float32 copy of X is made once, before timing: each configuration fits its own data.
    """
    configs = []
    for dtype in (np.float64, np.float32):
        fit = _on_data(replace(p, X=p.X.astype(dtype)), ours_auto())
        configs.append(Config(f"ours auto, {np.dtype(dtype).name}", "ours", "ours", fit))
    m64, m32 = measure_problem(p, configs, args)
    print(f"\n### float32 vs float64 on {p.name} ({p.shape}), ours auto")
    for m in (m64, m32):
        gap = (m.value - best_value) / abs(best_value)
        print(
            f"  {m.config.name}: {m.time:.3f} s, {m.fit.n_iter} iterations, "
            f"{m.passes:.0f} passes over X, gap {gap:.1e}, {m.fit.note}, "
            f"traced {m.traced_mib:.0f} MiB"
        )
    ratio = m32.time / m64.time
    print(
        f"  float32 <= {FLOAT32_GOAL} x float64 time: {'yes' if ratio <= FLOAT32_GOAL else 'NO'}"
        f" ({ratio:.2f}x); float64 passes <= {PASSES_GOAL}: "
        f"{'yes' if m64.passes <= PASSES_GOAL else 'NO'} ({m64.passes:.0f})"
    )


def profile_ours(p: Problem, measurements: list[Measurement], top: int = 12) -> None:
    """cProfile "ours auto" and our slowest configuration; print the top functions by own time."""
    ours = [m for m in measurements if m.config.side == "ours" and m.times]
    if not ours:
        return
    auto = [m for m in ours if m.config.name == "ours auto"]
    slowest = max(ours, key=lambda m: m.time)
    for m in auto + ([slowest] if slowest not in auto else []):
        profiler = cProfile.Profile()
        profiler.runcall(m.config.fit, p)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
        body = out.getvalue().split("ncalls", 1)[-1]
        print(f"\n  cProfile of {m.config.name} on {p.name}, top {top} by own time:")
        print("  ncalls" + "\n  ".join(body.rstrip().splitlines()))


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(PROBLEMS)
    command = "python benchmarks/run.py " + " ".join(argv)
    print(f"# log_reg benchmark: `{command.strip()}`")
    print_environment()
    start, verdicts = time.perf_counter(), []
    for name in names:
        built = time.perf_counter()
        p = PROBLEMS[name][1 if args.full else 0]()
        seconds = time.perf_counter() - built
        measurements = measure_problem(p, all_configs(p), args)
        print_problem(p, measurements, seconds)
        judged = verdict(p, measurements)
        if judged is not None:
            print_goals(judged)
            verdicts.append(judged)
        if name == "tall-dense" and judged is not None:
            best = min(m.value for m in measurements if m.fit is not None)
            float32_check(p, best, args)
        if args.profile:
            profile_ours(p, measurements)
        sys.stdout.flush()
    print("\n## Summary")
    print_markdown(verdicts, command.strip())
    print(
        f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"whole run {time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
