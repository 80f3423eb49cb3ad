"""Truncated Newton (Newton-CG): Newton's direction without ever forming the Hessian.

Each iteration solves the Newton system ``H d = -g`` only approximately, by conjugate
gradients (CG), using nothing but Hessian-vector products ``v -> H v``
(``objective.hessian_product``: two passes over ``X`` each, ``X v`` then ``X^T u``). CG
stops once the residual is small relative to the gradient,

    ||H d + g|| <= eta ||g||,      eta = min(0.5, sqrt(||g||))      (the forcing term),

loose far from the optimum, tight near it: superlinear convergence for the price of a few
products. CG is preconditioned by the Hessian's diagonal (recomputed every few
iterations), so badly scaled features do not slow it down. CG also stops on a direction
of non-positive curvature (``p^T H p <= 0``, only possible through rounding here: the
objective is convex). A backtracking line search on ``f`` from the full step then makes
the iteration globally convergent.

**Stopping.** As every Newton-type solver here (``solvers.stopping``): the gradient within
``tol`` and the Newton decrement ``g^T H^-1 g / 2`` small. CG's decrease ``-g^T d / 2``
estimates it from below; once the gradient is within ``tol``, the solver also tries, on an
early CG iterate, a bound from above that it can prove (``_DecrementBound``), and stops
there if the bound allows, instead of finishing a tight solve made only to confirm it.

It never stores an ``n_coef x n_coef`` matrix, so it suits problems with many
coefficients: wide or sparse data, many classes. Smooth objectives only (L2 or none).

Reference: Nocedal and Wright, *Numerical Optimization*, 2nd ed. (2006), Algorithm 7.1
(line search Newton-CG); Lin, Weng and Keerthi, "Trust region Newton method for
large-scale logistic regression", JMLR 9 (2008), the method inside liblinear.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

from log_reg.core.arrays import FloatArray
from log_reg.core.checks import check_int, check_number
from log_reg.core.objective import Objective
from log_reg.solvers.line_search import line_search_armijo
from log_reg.solvers.result import Callback, IterationInfo, SolverResult
from log_reg.solvers.start import start_point
from log_reg.solvers.stopping import gap_tolerance, stop_reason

__all__ = ["solve_newton_cg"]

_NOISE = 16  # rounding error of f, in units of eps * |f|: smaller changes are not seen
#: Iterations between two computations of the preconditioner ``diag(H)``. It costs a pass
#: that squares ``X`` (several products' worth: benchmarks/README.md) and
#: changes slowly; any positive diagonal keeps CG exact, only its speed depends on it.
_REFRESH = 4
#: CG's decrease ``-g^T d / 2`` approaches the Newton decrement from below, and stops short
#: of it by what the residual leaves; on random ill-conditioned problems (tests) it fell
#: short by up to 1.7 times, so it is doubled before the stopping test.
_UNDERESTIMATE = 2.0
#: Once the gradient is within ``tol``, the stop is also tried with a bound from above
#: (``_DecrementBound``, one product a try) on ``d = 0`` and early CG iterates, long before
#: the forcing term's residual: where the bound's estimate without a product is within
#: ``_TRY`` times the tolerance, again each time the residual has halved. The last solve
#: of a fit is otherwise made only to confirm the stop, at many products
#: (benchmarks/README.md).
_TRY = 2.0


def _conjugate_gradient(
    hvp: Callable[[FloatArray], FloatArray],
    g: FloatArray,
    diag: FloatArray,
    max_cg: int,
) -> Iterator[tuple[FloatArray, FloatArray, bool]]:
    """Approximately solve ``H d = -g`` from ``d = 0``, preconditioned by ``diag(H)``.

    Preconditioned CG (Jacobi): the same iteration on ``M^-1/2 H M^-1/2`` with
    ``M = diag(H)``, which undoes bad feature scaling, so unscaled columns cost no extra
    products. After each product it yields ``(d, r, done)``: the iterate, its residual
    ``r = -g - H d``, and whether CG can go no further (a direction of non-positive
    curvature, or ``max_cg`` products). Both arrays are CG's own, updated in place: read
    them before asking for more. The caller stops CG when the residual is small enough; it
    can look at an early iterate and still go on.
    """
    m = np.where(diag > 0, diag, 1.0)  # M; a zero diagonal entry is left unscaled
    d = np.zeros_like(g)
    r = -g  # residual -g - H d
    z = r / m  # preconditioned residual
    p = z.copy()
    rz = float(r @ z)
    for i in range(max_cg):
        # 1. curvature along p
        Hp = hvp(p)
        curvature = float(p @ Hp)
        if curvature <= 0:  # flat or (by rounding) negative: stop with what we have
            yield (d if i > 0 else -g), r, True
            return
        # 2. step to the minimum along p, and the new residual
        a = rz / curvature
        d += a * p
        r -= a * Hp
        yield d, r, i + 1 == max_cg
        # 3. next direction, conjugate to the previous ones (in M's metric)
        z = r / m
        rz_new = float(r @ z)
        p = z + (rz_new / rz) * p
        rz = rz_new


class _DecrementBound:
    """Upper bounds on the Newton decrement ``g^T H^-1 g / 2`` at ``coef``, from any ``d``.

    For any ``d``, with the residual ``r = -g - H d`` and the model's decrease
    ``q(d) = -g^T d - d^T H d / 2 = (-g^T d + d^T r) / 2``,

        g^T H^-1 g / 2 = q(d) + r^T H^-1 r / 2.

    CG gives ``q``; the second term needs a bound on ``H^-1``, which the L2 term provides
    on the weights but not on the intercepts. So the intercepts' part of ``r`` is removed
    first: with ``C`` the Hessian's intercept block (``objective.intercept_hessian``,
    computed once), ``d' = d + e``, ``e = (0, C^-1 r_b)``, leaves ``r' = r - H e`` with
    ``r'_b = 0`` (one product). Then ``r'^T H^-1 r' = r'_W^T S^-1 r'_W`` with ``S`` the
    Schur complement of ``C``, which is at least the L2 term ``l2_min I`` (the data's part
    is positive semi-definite), so

        g^T H^-1 g / 2 <= q(d') + ||r'_W||^2 / (2 l2_min).

    Calling the object gives that bound (``inf`` without L2 curvature on every weight).
    ``estimate(d, r)``, ``q(d) + ||r||^2 / (2 l2_min)``, is the same without the
    intercepts' correction: no product, a guide to when the bound is worth a try.
    """

    def __init__(
        self,
        objective: Objective,
        coef: FloatArray,
        hvp: Callable[[FloatArray], FloatArray],
        g: FloatArray,
    ) -> None:
        self.objective, self.coef, self.hvp, self.g = objective, coef, hvp, g
        on_weights = objective.penalized_mask() > 0
        self.on_weights = on_weights
        curvature = objective.penalty_curvature(coef)[on_weights]  # the L2 term, per weight
        l2_min = float(np.min(curvature, initial=np.inf))
        self.l2_min = l2_min if 0 < l2_min < np.inf else 0.0
        self._C: FloatArray | None = None

    def estimate(self, d: FloatArray, r: FloatArray) -> float:
        if not self.l2_min:
            return np.inf
        return 0.5 * float(-self.g @ d + d @ r) + 0.5 * float(r @ r) / self.l2_min

    def __call__(self, d: FloatArray, r: FloatArray) -> float:
        f, g = self.objective, self.g
        K, p = f.coef_shape
        if not self.l2_min:
            return np.inf
        d, r = d.copy(), r.copy()
        if f.fit_intercept:
            if self._C is None:
                C = f.intercept_hessian(self.coef)
                if K > 1:  # the class shift 1 is C's null vector, and r_b is orthogonal to it
                    C = C + np.trace(C) / K**2 * np.ones((K, K))
                self._C = C
            e = np.zeros_like(d)
            r_b = r.reshape(K, p)[:, -1].copy()
            e.reshape(K, p)[:, -1] = np.linalg.solve(self._C, r_b)
            d += e
            r -= self.hvp(e)
            left = np.linalg.norm(r.reshape(K, p)[:, -1])  # 0 but for rounding
            if not left <= 1e-6 * np.linalg.norm(r_b) + 1e-12 * np.linalg.norm(g):
                return np.inf  # C too ill-conditioned to trust the solve
        q = 0.5 * float(-g @ d + d @ r)
        r_W = r[self.on_weights]
        return q + 0.5 * float(r_W @ r_W) / self.l2_min


def _ray(
    objective: Objective, coef: FloatArray, d: FloatArray
) -> Callable[[float], tuple[float, FloatArray]]:
    """``t -> (f, grad f)`` at ``coef + t d``: the smooth objective along one ray."""
    return lambda t: objective.loss_gradient(coef + t * d)


def solve_newton_cg(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    tol: float = 1e-4,
    max_iter: int = 100,
    max_cg: int = 200,
    callback: Callback | None = None,
    refresh: int = _REFRESH,
) -> SolverResult:
    """Minimize a smooth ``objective`` by line-search Newton-CG.

    Parameters
    ----------
    objective : Objective
        What to minimize; no L1 part and no bounds.
    coef0 : ndarray of shape (n_coef,), optional
        Starting point; by default ``objective.start()``, the intercept-only model.
    tol : float >= 0
        Stop when ``objective.optimality`` (the largest gradient entry) is at most ``tol``
        and the Newton decrement predicts a relative gap below about ``tol / 100``
        (``solvers.stopping``): twice CG's estimate of it, or, on an earlier CG iterate,
        a bound from above (``_DecrementBound``).
    max_iter : int >= 0
        Newton iterations at most.
    max_cg : int >= 1
        Conjugate-gradient steps (Hessian-vector products) per iteration at most.
    callback : callable, optional
        Called with an ``IterationInfo`` after each iteration.
    refresh : int >= 1, default 4
        Iterations between two computations of the preconditioner ``diag(H)``. With 1
        every iteration is a function of ``coef`` alone, as in scikit-learn's newton-cg:
        ``max_iter=1`` twice from the last answer is then ``max_iter=2`` exactly (warm
        starts continue a fit), for one pass that squares ``X`` an iteration.

    Returns
    -------
    SolverResult
        ``loss_history[t]`` is ``f`` before step ``t + 1``.

    Examples
    --------
    >>> from log_reg.core.objective import make_objective
    >>> from log_reg.core.penalty import l2
    >>> f = make_objective(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 1, 0, 1], penalty=l2(0.1))
    >>> result = solve_newton_cg(f, tol=1e-10)
    >>> result.converged, np.round(result.coef, 4)
    (True, array([ 0.6367, -0.9551]))
    """
    tol = check_number(tol, "tol", low=0)
    max_iter = check_int(max_iter, "max_iter", low=0)
    max_cg = check_int(max_cg, "max_cg", low=1)
    refresh = check_int(refresh, "refresh", low=1)
    if not objective.penalty.is_smooth or objective.lower is not None:
        raise ValueError(
            "newton-cg handles L2 or no penalty, without bounds; use 'cd' for an L1 part or bounds."
        )
    coef = start_point(objective, coef0)
    loss, grad = objective.loss_gradient(coef)
    history: list[float] = []
    message, converged = f"reached max_iter={max_iter} iterations", False
    diag = objective.zeros()  # replaced at step 0
    for step in range(max_iter + 1):
        optimality = objective.optimality(coef, grad)
        if callback is not None and step > 0:  # the state after `step` iterations
            callback(IterationInfo(step, loss, optimality))
        if step == max_iter:
            converged = optimality <= tol
            break
        history.append(loss)
        # 1. direction: H d = -g, approximately, by conjugate gradients; the preconditioner
        #    diag(H) is refreshed every `refresh` iterations
        hvp, fresh = objective.hessian_product(coef, diagonal=step % refresh == 0)
        diag = fresh if fresh is not None else diag
        g = grad.astype(np.float64)
        eta = min(0.5, np.sqrt(float(np.linalg.norm(g))))  # the forcing term
        target = eta**2 * float(g @ g)
        allowed = gap_tolerance(tol, loss, objective.dtype)
        bound = _DecrementBound(objective, coef, hvp, g) if optimality <= tol else None
        reason, tried = "", np.inf
        start = (np.zeros_like(g), -g, False)  # d = 0 first: it may need no CG at all
        for d, r, done in itertools.chain([start], _conjugate_gradient(hvp, g, diag, max_cg)):
            rr = float(r @ r)
            last = done or rr <= target
            predicted = -0.5 * float(g @ d) * _UNDERESTIMATE  # CG's decrease, doubled
            # 2a. stop early? once the gradient is within tol, on a loose iterate, with a
            #     proven bound on the decrement; tried where its estimate without a product
            #     is near the tolerance, then again each time the residual has halved
            near = bound is not None and bound.estimate(d, r) <= _TRY * allowed
            if bound is not None and near and not last and rr <= tried / 4:
                tried = rr
                reason = stop_reason(optimality, tol, bound(d, r), loss, objective.dtype)
            if reason or last:
                break
        # 2b. stop? the gradient is small and so is CG's predicted decrease -g^T d / 2, doubled
        if not reason:
            reason = stop_reason(optimality, tol, predicted, loss, objective.dtype)
        if reason:
            message, converged = reason, True
            break
        d = d.astype(coef.dtype)
        # 3. line search from the full Newton step
        noise = _NOISE * np.finfo(coef.dtype).eps * abs(loss)
        found = line_search_armijo(_ray(objective, coef, d), loss, float(grad @ d), noise=noise)
        if found is None:
            message = f"line search failed at optimality {optimality:.3g} > tol={tol:g}"
            break
        coef = coef + found.step * d
        loss, grad = found.value, found.at
    return SolverResult(coef, step, converged, message, np.array(history), optimality)
