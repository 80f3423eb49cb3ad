"""A fit on a GPU against the same fit on the CPU: ``python benchmarks/gpu.py [--rows N]``.

The data are generated on the GPU (PyTorch with CUDA, or CuPy) as float32, fitted there
through the array API (``log_reg`` computes in the array's own library and device; only
coefficient-sized vectors visit the host), then copied to the host and fitted again with
NumPy. Both fits run the same solver to the same tolerance; the script prints each time,
the ratio, the number of passes, and the relative gap between the two objectives.

The issue's aim, on one H100: 10,000,000 x 100 float32, binary, relative gap <= 1e-6,
at least 20 times faster than this project's 2-core CPU machine. Without a GPU (or
without PyTorch/CuPy) it says so and exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

import numpy as np


def gpu_library() -> tuple[str, Any] | None:
    """PyTorch with CUDA, else CuPy with a device, else None."""
    try:
        import torch

        if torch.cuda.is_available():
            return "torch", torch
    except ImportError:
        pass
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            return "cupy", cupy
    except Exception:  # CuPy missing, or no driver: no GPU for us either way
        pass
    return None


def make_data(name: str, lib: Any, n: int, d: int, seed: int = 0) -> tuple[Any, Any]:
    """A logistic model with noise, generated on the device in float32."""
    if name == "torch":
        g = lib.Generator(device="cuda").manual_seed(seed)
        X = lib.randn(n, d, device="cuda", generator=g, dtype=lib.float32)
        w = lib.randn(d, device="cuda", generator=g, dtype=lib.float32) / d**0.5
        u = lib.rand(n, device="cuda", generator=g, dtype=lib.float32)
        y = ((X @ w + lib.log(u / (1 - u))) > 0).to(lib.int64)
    else:
        rs = lib.random.RandomState(seed)
        X = rs.standard_normal((n, d), dtype=lib.float32)
        w = rs.standard_normal(d, dtype=lib.float32) / d**0.5
        u = rs.random_sample(n, dtype=lib.float32)
        y = ((X @ w + lib.log(u / (1 - u))) > 0).astype(lib.int64)
    return X, y


def timed_fit(X: Any, y: Any, sync: Any, tol: float) -> tuple[float, Any]:
    from log_reg import LogisticRegression

    model = LogisticRegression(C=1.0, tol=tol, solver="lbfgs", max_iter=1000)
    sync()
    start = time.perf_counter()
    model.fit(X, y)
    sync()
    return time.perf_counter() - start, model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--tol", type=float, default=1e-6)
    args = parser.parse_args(argv)
    found = gpu_library()
    if found is None:
        print("skipped: no GPU here (PyTorch with CUDA or CuPy with a device); nothing to time.")
        return 0
    name, lib = found
    sync = lib.cuda.synchronize if name == "torch" else lib.cuda.Device().synchronize
    X, y = make_data(name, lib, args.rows, args.features)
    timed_fit(X[:10_000], y[:10_000], sync, args.tol)  # warm-up: kernels, allocator
    gpu_time, gpu_model = timed_fit(X, y, sync, args.tol)

    def host(a: Any) -> Any:
        return a.cpu().numpy() if name == "torch" else lib.asnumpy(a)

    X_host, y_host = host(X), host(y)
    cpu_time, cpu_model = timed_fit(X_host, y_host, lambda: None, args.tol)

    from log_reg.core.objective import make_objective
    from log_reg.core.penalty import alpha_from_C, l2

    f = make_objective(X_host, y_host, penalty=l2(alpha_from_C(1.0, len(y_host))))
    values = []
    for model, on_gpu in ((gpu_model, True), (cpu_model, False)):
        w, b = (host(a) if on_gpu else a for a in (model.coef_, model.intercept_))
        values.append(f.value(np.append(w[0], b).astype(np.float32)))
    best = min(values)
    print(
        f"{name} on {lib.cuda.get_device_name(0) if name == 'torch' else 'GPU'}; "
        f"{args.rows:,} x {args.features} float32, tol {args.tol:g}"
    )
    print(
        f"GPU fit  {gpu_time:8.3f} s  {int(gpu_model.n_iter_[0]):4d} iterations  "
        f"gap {(values[0] - best) / abs(best):.1e}"
    )
    print(
        f"CPU fit  {cpu_time:8.3f} s  {int(cpu_model.n_iter_[0]):4d} iterations  "
        f"gap {(values[1] - best) / abs(best):.1e}  ({os.cpu_count()} CPU cores)"
    )
    print(f"CPU / GPU time: {cpu_time / gpu_time:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
