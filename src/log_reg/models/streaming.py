"""Learning from a stream of chunks: one proximal SGD pass per ``partial_fit`` call.

Data read piece by piece (``pandas.read_csv(chunksize=...)``, batches from a queue) is
learned one chunk at a time; between calls only the coefficients and two counters are kept.
Each call runs ``solve_sgd`` for one epoch over the chunk, from the current coefficients,
with one step size ``eta`` for all its mini-batches ``B``:

    coef <- prox(coef - eta * grad f_B(coef), eta)

**The objective.** After chunks of total weight ``S_seen`` (``n_seen_``; the number of
samples when unweighted), the target is the estimator's objective on all of them: the mean
loss plus ``pen(W)`` with ``alpha = 1 / (C S_seen)`` (see ``objective``'s Conventions). The
chunk's mean loss estimates the mean over all rows seen; only the penalty needs ``S_seen``,
and scaling every weight of the chunk by ``S_seen / S_chunk`` leaves the chunk's mean loss
alone and gives exactly ``alpha_from_C(C, S_seen)``. One pass over a stream therefore
approximates ``fit`` on all of it; ``e`` passes over the same rows count each row ``e``
times, which is the objective of ``fit`` with ``C * e``.

**The step.** ``eta = (1 / L) / (1 + k)``: ``1 / L`` is the step at which gradient descent
on the chunk is stable (``objective.lipschitz``), and ``k = S_before / S_chunk`` counts the
chunk-sized passes made before this one. Each chunk thus plays the part of an epoch of
``solve_sgd``'s "inverse" schedule, the Robbins-Monro rate (Bottou, Curtis and Nocedal,
SIAM Review 60, 2018, section 4.2). The rate falls per chunk, so chunks of a few hundred
rows or more, and features on comparable scales, work best (as for any SGD).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from log_reg.backends import backend_for
from log_reg.core.arrays import FloatArray, IntArray
from log_reg.core.checks import check_labels, encode_labels, fit_weights
from log_reg.core.loss import loss_for
from log_reg.models.pipeline import Problem, prepare
from log_reg.solvers import SOLVERS, solve_sgd
from log_reg.solvers.sgd import SCHEDULES

__all__ = ["BATCH_SIZE", "StreamStep", "encode_chunk", "sgd_pass"]

#: Rows per SGD step within a chunk (``solve_sgd``'s default).
BATCH_SIZE = 32


@dataclass(frozen=True, eq=False)
class StreamStep:
    """The state after one ``partial_fit`` call, on the user's scale."""

    coef: FloatArray  # (n_raw, d)
    intercept: FloatArray  # (n_raw,)
    n_seen: float  # total sample weight seen, this chunk included
    t: int  # SGD updates (mini-batch steps) made so far
    loss: list[float]  # each task's chunk objective after the pass


def encode_chunk(
    y: ArrayLike, n_samples: int, known: NDArray[Any] | None, classes: ArrayLike | None
) -> tuple[NDArray[Any], IntArray]:
    """The classes (fixed by the first call) and the chunk's labels as their indices.

    ``known`` are the classes of earlier calls (``None`` on the first); ``classes`` is the
    argument of this one, required on the first call and checked against ``known`` later.
    """
    if classes is not None:
        flat = np.asarray(classes).ravel()
        given, _ = check_labels(flat, len(flat), "classes")  # sorted, at least two
        if known is not None and not np.array_equal(given, known):
            raise ValueError(
                f"classes={given.tolist()!r} is not the same as on the first call to "
                f"partial_fit, {known.tolist()!r}."
            )
        known = given
    if known is None:
        raise ValueError(
            "classes must be passed on the first call to partial_fit: every label the stream "
            "may hold, e.g. classes=np.array([0, 1]); got classes=None."
        )
    labels = np.asarray(y)
    labels = labels.ravel() if labels.ndim == 2 and labels.shape[1] == 1 else labels
    if labels.shape != (n_samples,):
        raise ValueError(
            f"y must have one label per row of X: X has {n_samples} rows, y has shape "
            f"{labels.shape}."
        )
    return known, encode_labels(labels, known, known_as="in classes")


def sgd_pass(
    problem: Problem,
    X: FloatArray,
    y: IntArray,
    classes: NDArray[Any],
    sample_weight: ArrayLike | None,
    previous: StreamStep | None,
) -> StreamStep:
    """One proximal SGD epoch over the chunk ``(X, y)`` (labels encoded), from ``previous``.

    See the module docstring for the objective and the step size.
    """
    if problem.standardize or (
        isinstance(problem.class_weight, str) and problem.class_weight == "balanced"
    ):
        raise ValueError(
            "partial_fit needs standardize=False and class_weight other than 'balanced': both "
            "need statistics of the whole stream, which a chunk does not have. Scale the "
            "features beforehand (e.g. scikit-learn's StandardScaler.partial_fit) and give "
            "class weights as a dict."
        )
    K, d = len(classes), X.shape[1]
    n_raw = loss_for(K).n_raw(K)
    dtype = X.dtype
    W0 = np.zeros((n_raw, d), dtype) if previous is None else previous.coef
    b0 = np.zeros(n_raw, dtype) if previous is None else previous.intercept
    before, t = (0.0, 0) if previous is None else (previous.n_seen, previous.t)
    # 1. weights: the chunk's, scaled to stand for everything seen (alpha = 1 / (C S_seen))
    s = fit_weights(sample_weight, problem.class_weight, classes, y)
    S_chunk = float(s.sum())
    seen = before + S_chunk
    k = round(before / S_chunk)  # chunk-sized passes before this one
    rng = _rng(problem.random_state, t)
    # 2. the chunk's objective(s), and one epoch of SGD on each
    design = prepare(problem, backend_for(X), X, y, K, s * seen / S_chunk, SOLVERS["sgd"])
    blocks, losses = [], []
    for f, coef0 in zip(design.tasks, design.to_solver(W0, b0), strict=True):
        eta = SCHEDULES["inverse"](1.0 / f.lipschitz(), k)
        result = solve_sgd(
            f,
            coef0,
            lr=eta,
            schedule="constant",
            batch_size=BATCH_SIZE,
            max_iter=1,
            random_state=rng,
        )
        blocks.append(result.coef.reshape(f.coef_shape))
        losses.append(float(result.loss_history[-1]))
    # 3. back to (W, b), and the counters (the softmax left as SGD leaves it)
    W, b = design.scaling.to_user(np.vstack(blocks).astype(dtype), problem.fit_intercept)
    steps = len(design.tasks) * -(-len(y) // BATCH_SIZE)  # ceil(n / batch) per task
    return StreamStep(W, b.astype(dtype), seen, t + steps, losses)


def _rng(random_state: Any, t: int) -> Any:
    """A seed for this call: ``(random_state, t)`` for an integer seed, so calls differ."""
    if isinstance(random_state, numbers.Integral):
        return np.random.default_rng([int(random_state), t])
    return random_state
