"""Printing: one table per problem, the goals, and a Markdown summary for the README.

The *relative gap* of a fit is ``(f - f_best) / |f_best|`` with ``f_best`` the lowest
objective any configuration reached on that problem (all on our scale, see ``measure``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from measure import Measurement
from problems import Problem

GAP_GOAL = 1e-6  # "reach a tighter optimum": relative gap at most this
SKLEARN_DEFAULT_GOAL = 0.5  # ours at most half scikit-learn's default time


def gaps(measurements: list[Measurement]) -> dict[str, float]:
    """Relative gap of every configuration that ran, keyed by name."""
    values = [m.value for m in measurements if math.isfinite(m.value)]
    best = min(values, default=float("nan"))
    return {m.config.name: (m.value - best) / abs(best) for m in measurements}


def _num(x: float | None, spec: str) -> str:
    return "-" if x is None or not math.isfinite(x) else format(x, spec)


def print_problem(p: Problem, ms: list[Measurement], seconds: float) -> None:
    """The per-configuration table of one problem."""
    gap = gaps(ms)
    ours = next(m for m in ms if m.config.name == "ours auto")
    print(f"\n### {p.name}: {p.shape}; {p.description} (data built in {seconds:.1f} s)")
    head = (
        f"{'configuration':<46} {'time s':>8} {'min s':>8} {'runs':>4} {'auto/it':>7} {'iters':>6} "
        f"{'passes':>7} {'rel. gap':>9} {'traced MiB':>10} {'RSS MiB':>8}  note"
    )
    print(head)
    print("-" * len(head))
    for m in ms:
        if m.fit is None:
            failed = "" if m.error.startswith("skipped") else "failed: "
            print(f"{m.config.name:<46} {failed}{m.error}")
            continue
        note = m.fit.note
        if p.l1_ratio > 0:
            note = (note + ", " if note else "") + f"{int((m.fit.coef != 0).sum())} non-zero"
        print(
            f"{m.config.name:<46} {m.time:>8.3f} {m.fastest:>8.3f} {len(m.times):>4} "
            f"{_num(ours.time / m.time if ours.times else None, '.2f'):>7} {m.fit.n_iter:>6} "
            f"{_num(m.passes, '.0f'):>7} {_num(gap[m.config.name], '.1e'):>9} "
            f"{m.traced_mib:>10.1f} {m.rss_mib:>8.1f}  {note}"
        )


@dataclass(frozen=True)
class Verdict:
    """Ours against the anchors on one problem."""

    problem: Problem
    ours: Measurement
    ours_gap: float
    sklearn_default: Measurement
    sklearn_default_gap: float
    best_sklearn: Measurement
    best_sklearn_gap: float
    best_anchor: Measurement
    best_anchor_gap: float


def _best(ms: list[Measurement], gap: dict[str, float]) -> Measurement:
    """The fastest that reaches the gap goal; if none does, the one closest to the optimum.

    Ours meets "no slower than the best anchor" only by reaching the gap goal too: being
    faster by stopping earlier does not count.
    """
    good = [m for m in ms if gap[m.config.name] <= GAP_GOAL]
    if good:
        return min(good, key=lambda m: m.time)
    return min(ms, key=lambda m: gap[m.config.name])


def verdict(p: Problem, ms: list[Measurement]) -> Verdict | None:
    """Ours against the anchors; ``None`` when ours or scikit-learn's default failed."""
    gap = gaps(ms)
    ran = [m for m in ms if m.fit is not None]
    anchors = [m for m in ran if m.config.side == "anchor"]
    sklearn = [m for m in anchors if m.config.library == "sklearn"]
    ours = next((m for m in ran if m.config.name == "ours auto"), None)
    default = next((m for m in sklearn if m.config.name.startswith("sklearn default")), None)
    if ours is None or default is None:
        print(f"  goals for {p.name}: not judged, ours auto or scikit-learn's default failed")
        return None
    best_sk, best = _best(sklearn, gap), _best(anchors, gap)
    return Verdict(
        p,
        ours,
        gap[ours.config.name],
        default,
        gap[default.config.name],
        best_sk,
        gap[best_sk.config.name],
        best,
        gap[best.config.name],
    )


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def print_goals(v: Verdict) -> None:
    t = v.ours.time
    print(f"  goals for {v.problem.name}:")
    print(
        f"    ours reaches rel. gap <= {GAP_GOAL:g}: {_yes(v.ours_gap <= GAP_GOAL)} "
        f"(gap {v.ours_gap:.1e})"
    )
    ratio = t / v.sklearn_default.time
    print(
        f"    ours <= {SKLEARN_DEFAULT_GOAL} x scikit-learn default time: "
        f"{_yes(ratio <= SKLEARN_DEFAULT_GOAL)} ({ratio:.2f}x; its gap "
        f"{v.sklearn_default_gap:.1e})"
    )
    print(
        f"    best scikit-learn configuration: {v.best_sklearn.config.name} "
        f"({v.best_sklearn.time:.3f} s, gap {v.best_sklearn_gap:.1e}; ours/it "
        f"{t / v.best_sklearn.time:.2f}x)"
    )
    ratio = t / v.best_anchor.time
    met = ratio <= 1 and v.ours_gap <= GAP_GOAL  # as fast, and as close to the optimum
    caveat = "" if v.ours_gap <= GAP_GOAL else f", but ours stops at gap {v.ours_gap:.1e}"
    print(
        f"    ours no slower than the best anchor at gap <= {GAP_GOAL:g} "
        f"({v.best_anchor.config.name}, gap {v.best_anchor_gap:.1e}): {_yes(met)} "
        f"({ratio:.2f}x{caveat})"
    )


def print_markdown(verdicts: list[Verdict], command: str) -> None:
    """The summary table, ready to paste into the README."""
    print(
        f"\nProduced by `{command}`; times are medians, in seconds; gap is the relative gap "
        f"to the best objective any configuration reached.\n"
    )
    print(
        "| problem | size | ours (auto) | gap | sklearn default | gap | ours / sklearn "
        "default | best anchor | gap | ours / best anchor |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for v in verdicts:
        t, b = v.ours.time, v.best_anchor
        solver = v.ours.fit.note.split(",")[0] if v.ours.fit else "?"
        print(
            f"| {v.problem.name} | {v.problem.shape} | {t:.3f} ({solver}) | "
            f"{v.ours_gap:.0e} | {v.sklearn_default.time:.3f} | "
            f"{v.sklearn_default_gap:.0e} | {t / v.sklearn_default.time:.2f} | "
            f"{b.config.name}: {b.time:.3f} | {v.best_anchor_gap:.0e} | "
            f"{t / b.time:.2f} |"
        )
