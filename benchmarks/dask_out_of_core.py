"""Out-of-core logistic regression with Dask, against a NumPy fit on a slice of the data.

1. **Data.** ``X`` (``rows x 20``, float64) and ``y`` (int8) drawn from a logistic model with
   known coefficients, written chunk by chunk, one ``.npy`` file per chunk and array, by the
   Dask workers into a temporary directory. No process ever holds more than a chunk.
2. **NumPy.** In a fresh process: load the first ``slice`` rows into memory and fit them
   with ``LogisticRegression()``; time to load, time to fit, time per pass (one
   ``loss_gradient`` and one ``hessian`` over the slice), peak resident memory.
3. **Dask.** A fresh ``LocalCluster`` (2 worker processes, 1 thread each): fit on all rows,
   read from the files on every pass; total time, each pass timed (the calls of
   ``DaskObjective._chunk_sum``, wrapped), peak resident memory of the client and of each
   worker.

Sizes. The default, 2 million rows (0.3 GB), runs in about a minute, and its slice is the
whole data, so the two fits must agree. ``--full`` is 100 million rows, 16 GB of float64
(14.9 GiB): on the 2-core, 24 GiB target machine a NumPy fit of it needs X plus at least
one X-sized temporary (``hessian`` forms ``d * X``), about twice what the machine has,
while the Dask fit kept 0.6 GiB per worker. It needs 16 GB of free disk and about ten
minutes: it is as large as keeps the files in the page cache; beyond that every pass reads
them from disk (measured 0.3 GB/s here: a minute a pass).

Usage::

    python benchmarks/dask_out_of_core.py            # 2M rows, ~1 minute
    python benchmarks/dask_out_of_core.py --full     # 100M rows, 16 GB on disk, ~10 minutes
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
from typing import Any

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster

from log_reg import LogisticRegression
from log_reg.backends import dask as dask_backend
from log_reg.backends.dask import make_dask_objective
from log_reg.core.objective import make_objective

N_FEATURES, SEED = 20, 0
GIB = 2**30


def true_coefficients() -> tuple[np.ndarray, float]:
    """The model the data are drawn from: ``P(y = 1 | x) = sigmoid(x . beta + b)``."""
    return np.random.default_rng(SEED).normal(scale=0.5, size=N_FEATURES), -0.3


def write_chunk(directory: str, i: int, rows: int) -> int:
    """Chunk ``i``: standard normal features, labels from the logistic model (on a worker)."""
    rng = np.random.default_rng([SEED, i])
    X = rng.standard_normal((rows, N_FEATURES))
    beta, b = true_coefficients()
    p = 1 / (1 + np.exp(-(X @ beta + b)))
    np.save(f"{directory}/X{i:05d}.npy", X)
    np.save(f"{directory}/y{i:05d}.npy", (rng.random(rows) < p).astype(np.int8))
    return rows


def lazy_arrays(directory: str, sizes: list[int]) -> tuple[Any, Any]:
    """``X`` and ``y`` as Dask arrays whose chunks are read from the files when a pass runs."""
    load = dask.delayed(np.load, pure=True)

    def column(name: str, shape: tuple[int, ...], dtype: Any) -> Any:
        files = (load(f"{directory}/{name}{i:05d}.npy") for i in range(len(sizes)))
        return da.concatenate(
            [
                da.from_delayed(f, (m, *shape), dtype=dtype)
                for f, m in zip(files, sizes, strict=True)
            ]
        )

    return column("X", (N_FEATURES,), np.float64), column("y", (), np.int8)


def peak_rss() -> float:
    """This process's peak resident set size, in GiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB


def timed(f: Any, *args: Any) -> float:
    start = time.perf_counter()
    f(*args)
    return time.perf_counter() - start


def numpy_fit(directory: str, sizes: list[int], rows: int) -> dict[str, Any]:
    """Step 2, in its own process: load the first ``rows`` rows, fit, time a pass."""
    start = time.perf_counter()
    n_files = int(np.searchsorted(np.cumsum(sizes), rows)) + 1
    X = np.concatenate([np.load(f"{directory}/X{i:05d}.npy") for i in range(n_files)])[:rows]
    y = np.concatenate([np.load(f"{directory}/y{i:05d}.npy") for i in range(n_files)])[:rows]
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    model = LogisticRegression().fit(X, y)
    fit = time.perf_counter() - start
    f, zero = make_objective(X, y), np.zeros(N_FEATURES + 1)
    return {
        "load": loaded,
        "fit": fit,
        "gradient": timed(f.loss_gradient, zero),
        "hessian": timed(f.hessian, zero),
        "coef": model.coef_[0],
        "rss": peak_rss(),
        "n_iter": int(model.n_iter_[0]),
        "solver": model.solver_,
        "data": X.nbytes / GIB,
    }


def dask_fit(client: Client, X: Any, y: Any) -> dict[str, Any]:
    """Step 3: the fit on all rows, each of its passes timed (by wrapping ``_chunk_sum``)."""
    passes: dict[str, list[float]] = {"gradient": [], "hessian": [], "other": []}
    chunk_sum = dask_backend.DaskObjective._chunk_sum

    def timed_pass(self: Any, part: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = chunk_sum(self, part, *args, **kwargs)
        kind = {"_loss_gradient": "gradient", "_hessian": "hessian"}.get(part.__name__, "other")
        passes[kind].append(time.perf_counter() - start)
        return result

    dask_backend.DaskObjective._chunk_sum = timed_pass
    try:
        start = time.perf_counter()
        model = LogisticRegression().fit(X, y)
        fit = time.perf_counter() - start
    finally:
        dask_backend.DaskObjective._chunk_sum = chunk_sum
    f = make_dask_objective(X, y)  # one pass of each kind, on its own, for the table
    zero = f.zeros()
    single = {"gradient": timed(f.loss_gradient, zero), "hessian": timed(f.hessian, zero)}
    workers = client.run(peak_rss)
    return {
        "fit": fit,
        "passes": passes,
        "coef": model.coef_[0],
        "rss": peak_rss(),
        "workers": sorted(workers.values()),
        "n_iter": int(model.n_iter_[0]),
        "solver": model.solver_,
        **single,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="100M rows (16 GB) instead of 2M")
    parser.add_argument("--rows", type=int, help="rows in all (overrides --full)")
    parser.add_argument("--chunk", type=int, default=500_000, help="rows per chunk")
    parser.add_argument("--slice", type=int, default=10_000_000, help="rows for NumPy")
    parser.add_argument("--dir", help="where to write the data (default: a temporary dir)")
    args = parser.parse_args()
    rows = args.rows or (100_000_000 if args.full else 2_000_000)
    sizes = [min(args.chunk, rows - s) for s in range(0, rows, args.chunk)]
    directory = tempfile.mkdtemp(prefix="log_reg_dask_", dir=args.dir)
    gb = rows * N_FEATURES * 8 / 1e9
    print(
        f"{rows:,} rows x {N_FEATURES} features, float64: {gb:.1f} GB in {len(sizes)} "
        f"chunks of {args.chunk:,} rows, under {directory}"
    )
    cluster_options = {
        "n_workers": 2,
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": None,
    }
    try:
        with LocalCluster(**cluster_options) as cluster, Client(cluster) as client:
            start = time.perf_counter()
            written = client.gather(
                client.map(write_chunk, [directory] * len(sizes), range(len(sizes)), sizes)
            )
            assert sum(written) == rows
            print(f"data written by the workers in {time.perf_counter() - start:.1f} s")
        # 2. NumPy on a slice, in a fresh process (its peak memory is its own)
        n_slice = min(args.slice, rows)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            ref = pool.apply(numpy_fit, (directory, sizes, n_slice))
        # 3. Dask on everything, on fresh workers
        with LocalCluster(**cluster_options) as cluster, Client(cluster) as client:
            X, y = lazy_arrays(directory, sizes)
            out = dask_fit(client, X, y)
        report(rows, n_slice, ref, out)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def report(rows: int, n_slice: int, ref: dict[str, Any], out: dict[str, Any]) -> None:
    beta, _ = true_coefficients()
    print(f"\n{'':<22}{'NumPy (slice)':>20}{'Dask (all rows)':>20}")
    print(f"{'rows':<22}{n_slice:>20,}{rows:>20,}")
    print(f"{'load (s)':<22}{ref['load']:>20.1f}{'(in each pass)':>20}")
    print(f"{'fit (s)':<22}{ref['fit']:>20.2f}{out['fit']:>20.2f}")
    print(
        f"{'solver, iterations':<22}{ref['solver'] + ', ' + str(ref['n_iter']):>20}"
        f"{out['solver'] + ', ' + str(out['n_iter']):>20}"
    )
    passes = out["passes"]
    counts = ", ".join(f"{len(t)} {kind}" for kind, t in passes.items() if t)
    in_passes = sum(sum(t) for t in passes.values())
    print(f"{'passes (Dask)':<22}{'':>20}{counts:>20}")
    for kind in ("gradient", "hessian"):
        rate = [n / t / 1e6 for n, t in ((n_slice, ref[kind]), (rows, out[kind]))]
        print(
            f"{kind + ' pass (s)':<22}{ref[kind]:>20.2f}{out[kind]:>20.2f}   "
            f"M rows/s: {rate[0]:.1f} vs {rate[1]:.1f}"
        )
    print(
        f"{'fit: in passes (s)':<22}{'':>20}{in_passes:>20.2f}   "
        f"({in_passes / sum(map(len, passes.values())):.2f} s a pass)"
    )
    print(
        f"{'fit: the rest (s)':<22}{'':>20}{out['fit'] - in_passes:>20.2f}   "
        "(labels, weight checks, solver)"
    )
    workers = " + ".join(f"{w:.2f}" for w in out["workers"])
    print(f"{'peak RSS (GiB)':<22}{ref['rss']:>20.2f}{out['rss']:>9.2f} client, workers {workers}")
    print(
        f"NumPy data in memory: {ref['data']:.2f} GiB; its peak RSS is "
        f"{ref['rss'] / ref['data']:.1f}x that, so all rows would need about "
        f"{ref['rss'] / ref['data'] * rows * N_FEATURES * 8 / GIB:.0f} GiB in one process."
    )
    gap = np.max(np.abs(out["coef"] - ref["coef"]))
    print(
        f"max |coef Dask - coef NumPy| = {gap:.2e}; max |coef Dask - true| = "
        f"{np.max(np.abs(out['coef'] - beta)):.2e}"
    )


if __name__ == "__main__":
    main()
