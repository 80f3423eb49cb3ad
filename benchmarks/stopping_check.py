"""How often each solver's default fit ends within a relative 1e-6 of the optimum.

    python benchmarks/stopping_check.py [--problems 40] [--solvers auto,newton,newton-cg,lbfgs]
    python benchmarks/stopping_check.py --tall --problems 16 --solvers auto,newton-subsampled

Random problems built to be hard for a stopping rule: 200-3,000 rows, 5-300 columns
scaled up to 1e4 apart (every third with two nearly collinear columns), 2, 3 or 5 classes,
C of 0.01, 1 or 100. ``--tall`` draws 30,000-80,000 rows of 3-30 such columns instead
(2 or 3 classes; every fourth with a heavy-tailed column, whose rare large rows a
sub-sampled Hessian may miss). The optimum is a Newton fit at tol 1e-11 (Newton-CG beyond
400 coefficients). For each solver at its defaults (tol 1e-4) it prints every problem
where the relative gap exceeds 1e-6, then the worst gap and the number of misses. README
quotes it.
"""

from __future__ import annotations

import argparse

import numpy as np

from log_reg.core.objective import make_objective
from log_reg.core.penalty import alpha_from_C, l2
from log_reg.solvers import SOLVERS, choose_solver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=40)
    parser.add_argument("--solvers", default="auto,newton,newton-cg,lbfgs")
    parser.add_argument("--tall", action="store_true", help="many rows, few columns")
    args = parser.parse_args()
    names = args.solvers.split(",")
    rng = np.random.default_rng(0)
    worst = dict.fromkeys(names, 0.0)
    misses = dict.fromkeys(names, 0)
    for trial in range(args.problems):
        # 1. a problem
        if args.tall:
            n, d = int(rng.integers(30_000, 80_000)), int(rng.integers(3, 30))
            K = int(rng.choice([2, 2, 3]))
        else:
            n, d = int(rng.integers(200, 3000)), int(rng.integers(5, 300))
            K = int(rng.choice([2, 3, 5]))
        X = rng.normal(size=(n, d)) * np.logspace(-rng.uniform(0, 2), rng.uniform(0, 2), d)
        if trial % 3 == 0:
            X[:, 1] = X[:, 0] * 2 + 1e-3 * X[:, 1]
        if args.tall and trial % 4 == 1:
            X[:, -1] = rng.standard_t(2, size=n)
        y = np.argmax(X @ rng.normal(size=(d, K)) / np.sqrt(d) + rng.gumbel(size=(n, K)), axis=1)
        C = float(rng.choice([0.01, 1.0, 100.0]))
        f = make_objective(X, y, n_classes=K, penalty=l2(alpha_from_C(C, n)))
        # 2. its optimum
        reference = SOLVERS["newton" if f.n_coef <= 400 else "newton-cg"]
        f_star = f.value(reference.solve(f, tol=1e-11, max_iter=500).coef)
        # 3. each solver at its defaults
        for name in names:
            spec = (
                choose_solver("auto", penalty=f.penalty, n_coef=f.n_coef, n_samples=n)
                if name == "auto"
                else SOLVERS[name]
            )
            result = spec.solve(f, tol=1e-4, max_iter=1000)
            gap = (f.value(result.coef) - f_star) / f_star
            worst[name] = max(worst[name], gap)
            if gap > 1e-6:
                misses[name] += 1
                print(
                    f"problem {trial} ({n} x {d}, {K} classes, C={C:g}): {name} ({spec.name}) "
                    f"gap {gap:.1e}, converged={result.converged}, {result.n_iter} iterations"
                )
    for name in names:
        print(
            f"{name}: worst relative gap {worst[name]:.1e}; above 1e-6 on {misses[name]} of "
            f"{args.problems} problems"
        )


if __name__ == "__main__":
    main()
