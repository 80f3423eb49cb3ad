"""Firth's penalized log-likelihood of binary logistic regression: value, modified score,
information.

Firth (1993) removes the ``O(1/n)`` bias of the maximum-likelihood estimate by maximizing

    l*(beta) = l(beta) + tau log det I(beta),        tau = 1/2,

the log-likelihood plus the log of Jeffreys' invariant prior. The penalty goes to minus
infinity wherever a fitted probability goes to 0 or 1, so the maximum is finite even when
the classes are separated, where ``l`` alone has none.

Conventions (they differ from ``objective``'s on purpose)
----------------------------------------------------------
- A log-likelihood to *maximize*, *summed* over the rows, as logistf, brglm2 and every
  text on Firth's method write it: the penalty is fixed by the information, which grows
  with ``n``, so a mean would rescale one term and not the other.
- ``X`` is the design, shape ``(n, p)``: the features, then a column of ones when the
  intercept is fitted (the intercept last, as in ``objective``'s coefficient layout).
- ``s_i >= 0`` are frequency weights (a weight of 2 is the row twice), ``y_i`` in {0, 1},
  and ``o_i`` a known offset: ``z = X beta + o``, ``p = sigmoid(z)``.
- ``tau = 1/2`` is Firth's penalty; ``tau = 0`` is the plain likelihood (FLAC refits with
  it, and the tests compare with the unpenalized estimators through it).

The formulas, with ``v_i = s_i p_i (1 - p_i)``, ``A = diag(sqrt v) X`` (n, p) and the
Cholesky factor ``I = A^T A = L L^T``:

    l(beta)    = sum_i s_i (y_i z_i - log(1 + exp z_i))
    log det I  = 2 sum_j log L_jj
    h_i        = v_i x_i^T I^-1 x_i = ||L^-1 a_i||^2             (hat matrix diagonal)
    U*(beta)   = X^T (s (y - p) + 2 tau h (1/2 - p))              (modified score)
    I~(beta)   = X^T diag((s + 2 tau h) p (1 - p)) X               (working information)

``U*`` is the gradient of ``l*`` exactly: ``d log det I / d beta_j = tr(I^-1 dI/d beta_j)
= sum_i h_i (1 - 2 p_i) x_ij``. It is also the plain score of *augmented data*: every row
kept with weight ``s_i`` and response ``y_i``, plus two pseudo-rows of weight ``tau h_i``
with responses 1 and 0. ``I~`` is that data's Fisher information with ``h`` held fixed:
the matrix of the Newton-type steps (``solvers.modified_score``) and of the profile
intervals (``inference.profile``) on all but small data. It differs from ``-d U*/d beta``
only by the derivatives of ``h``, ``O(p/n)`` unless the classes are (nearly) separated;
the exact Hessian (``FirthPoint.negative_hessian``) needs ``n x n`` products of the hat
matrix, ``n / p`` times an evaluation, so it is used where that is cheap in absolute
terms (``FirthPoint.step_matrix``), where it turns a slow linear convergence into a
quadratic one.

Everything is computed in float64 on NumPy arrays; a point is evaluated lazily, so a
step-halving trial that only needs ``l*`` pays for one Gram matrix and its Cholesky.

References: Firth, D. (1993), Bias reduction of maximum likelihood estimates, Biometrika
80, 27-38; Heinze, G. and Schemper, M. (2002), A solution to the problem of separation in
logistic regression, Statistics in Medicine 21, 2409-2419.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from log_reg.core.arrays import FloatArray
from log_reg.core.numerics import expit, log1pexp

__all__ = ["EXACT_HESSIAN_WORK", "FirthLikelihood", "FirthPoint"]

_EPS = float(np.finfo(np.float64).eps)
#: Cholesky pivots ``L_jj^2`` below this fraction of the largest (times ``p``) mean a
#: numerically singular information: exactly dependent columns leave pivots of a few
#: ``eps``, and ``cond(I) > 1e13`` would leave the estimate few correct digits anyway
_RANK_EPS = 1e3 * _EPS
#: ``n^2 p`` up to which the steps use the exact Hessian (a millisecond or so): quadratic
#: convergence where ``I~`` converges slowly, on small separated data
EXACT_HESSIAN_WORK = 4e6


@dataclass(frozen=True, eq=False)
class FirthLikelihood:
    """``l*(beta) = l(beta) + tau log det I(beta)`` on one data set; see the module docstring.

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])  # x, then the intercept
    >>> f = FirthLikelihood(X, np.array([0.0, 1.0, 1.0, 1.0]), np.ones(4))
    >>> point = f.at(np.zeros(2))
    >>> round(point.value, 6), point.score.round(6)
    (-3.465736, array([1., 1.]))
    """

    X: FloatArray  # (n, p) the design, intercept column last
    y: FloatArray  # (n,) responses in {0, 1}
    weights: FloatArray  # (n,) frequency weights s_i >= 0
    offset: FloatArray | None = None  # (n,) known term of z; None: 0
    tau: float = 0.5  # the penalty's weight: 1/2 is Firth's, 0 the plain likelihood

    @property
    def n_coef(self) -> int:
        return int(self.X.shape[1])

    def at(self, beta: ArrayLike) -> FirthPoint:
        """The likelihood at ``beta`` (p,), evaluated lazily."""
        return FirthPoint(self, np.array(beta, dtype=np.float64))

    @cached_property
    def _scratch(self) -> tuple[FloatArray, FloatArray]:
        """Two (n, p) work arrays that the Gram products of every point reuse: a fit makes
        hundreds of points, and fresh ``n x p`` arrays each time cost more than the math.
        (So one likelihood is not for several threads at once.)"""
        return np.empty(self.X.shape), np.empty(self.X.shape)

    def gram(self, w: FloatArray) -> FloatArray:
        """``X^T diag(w) X`` (p, p) for weights ``w >= 0`` (n,), as ``A^T A`` with
        ``A = diag(sqrt w) X``."""
        A = np.multiply(self.X, np.sqrt(w)[:, None], out=self._scratch[0])
        return A.T @ A

    def whitened(self, w: FloatArray, L: FloatArray, out: FloatArray | None = None) -> FloatArray:
        """``B = diag(sqrt w) X L^-T`` (n, p), for ``L L^T = X^T diag(w) X``: rows ``L^-1 a_i``,
        so that ``B B^T`` is the hat matrix. Written into ``out`` (scratch by default)."""
        A = np.multiply(self.X, np.sqrt(w)[:, None], out=self._scratch[0])
        target = self._scratch[1] if out is None else out
        return np.matmul(A, np.linalg.inv(L).T, out=target)  # inv of a p x p factor: cheap


@dataclass(frozen=True, eq=False)
class FirthPoint:
    """``l*``, ``U*``, ``I``, ``I~`` and the Hessian at one ``beta``, each computed on first use."""

    likelihood: FirthLikelihood
    beta: FloatArray  # (p,)

    @cached_property
    def z(self) -> FloatArray:
        """Raw predictions ``X beta + o``, shape (n,)."""
        f = self.likelihood
        z = f.X @ self.beta
        return z if f.offset is None else z + f.offset

    @cached_property
    def p(self) -> FloatArray:
        """Fitted probabilities ``sigmoid(z)``, shape (n,)."""
        return expit(self.z)

    @cached_property
    def variance(self) -> FloatArray:
        """``p (1 - p)`` as ``sigmoid(z) sigmoid(-z)``: no cancellation where ``p`` is near 1."""
        return self.p * expit(-self.z)

    @cached_property
    def log_likelihood(self) -> float:
        """The plain log-likelihood ``l = sum_i s_i (y_i z_i - log(1 + exp z_i))``."""
        f = self.likelihood
        return float(f.weights @ (f.y * self.z - log1pexp(self.z)))

    @cached_property
    def _v(self) -> FloatArray:
        """``v = s p (1 - p)``, shape (n,): each row's weight in ``I``."""
        return self.likelihood.weights * self.variance

    @cached_property
    def information(self) -> FloatArray:
        """The Fisher information ``I = X^T diag(v) X``, shape (p, p)."""
        return self.likelihood.gram(self._v)

    @cached_property
    def _cholesky(self) -> FloatArray | None:
        """The lower factor ``L`` of ``I = L L^T``, or None where ``I`` is singular."""
        try:
            L = np.linalg.cholesky(self.information)  # (p, p)
        except np.linalg.LinAlgError:
            return None
        pivots = np.diag(L) ** 2
        if pivots.min() <= len(L) * _RANK_EPS * pivots.max():
            return None
        return L

    @property
    def singular(self) -> bool:
        """True where ``I`` is numerically singular (collinear columns, or ``p`` at 0 or 1)."""
        return self._cholesky is None

    @cached_property
    def _log_det(self) -> float:
        """``log det I = 2 sum_j log L_jj``; ``-inf`` where ``I`` is singular."""
        L = self._cholesky
        return -np.inf if L is None else 2.0 * float(np.sum(np.log(np.diag(L))))

    @cached_property
    def value(self) -> float:
        """``l* = l + tau log det I``; ``-inf`` where ``I`` is singular and ``tau > 0``."""
        tau = self.likelihood.tau
        return self.log_likelihood if tau == 0 else self.log_likelihood + tau * self._log_det

    @cached_property
    def rounding(self) -> float:
        """How far rounding may move ``value``: ``16 eps`` times the sum of its terms' sizes
        (the terms cancel where the classes are separated, so ``|l*|`` alone is too small)."""
        f = self.likelihood
        sizes = float(f.weights @ (np.abs(f.y * self.z) + log1pexp(self.z)))
        return 16 * _EPS * (sizes + f.tau * abs(self._log_det))

    @cached_property
    def hat(self) -> FloatArray:
        """The hat matrix diagonal ``h_i = ||L^-1 a_i||^2``, shape (n,)."""
        L = self._cholesky
        if L is None:
            raise np.linalg.LinAlgError("the Fisher information is singular")
        B = self.likelihood.whitened(self._v, L)  # (n, p), in scratch: used at once
        return np.einsum("ij,ij->i", B, B)

    @cached_property
    def score(self) -> FloatArray:
        """The modified score ``U* = X^T (s (y - p) + 2 tau h (1/2 - p))``, shape (p,)."""
        f = self.likelihood
        residual = f.weights * (f.y - self.p)  # (n,)
        if f.tau != 0:
            residual = residual + 2 * f.tau * self.hat * (0.5 - self.p)
        return f.X.T @ residual

    @cached_property
    def penalty_curvature(self) -> FloatArray:
        """``C = 2 tau X^T diag(h p (1 - p)) X`` (p, p): what the penalty adds to ``I`` in
        ``I~ = I + C``. It changes slowly with ``beta`` (``h`` is ``O(p/n)``), so a problem
        that stays near one point can keep that point's (``step_matrix``)."""
        f = self.likelihood
        if f.tau == 0:
            return np.zeros((f.n_coef, f.n_coef))
        return f.gram(2 * f.tau * self.hat * self.variance)

    @cached_property
    def working_information(self) -> FloatArray:
        """``I~ = X^T diag((s + 2 tau h) p (1 - p)) X = I + C``, shape (p, p)."""
        return self.information + self.penalty_curvature

    @cached_property
    def negative_hessian(self) -> FloatArray:
        """``-d^2 l* / d beta^2`` exactly, shape (p, p); it costs ``O(n^2 p)``.

        With ``c = 1 - 2 p`` and the hat matrix ``H = B B^T`` (n, n), differentiating ``h``
        (``dh_i/dbeta = h_i c_i x_i - sum_l H_il^2 c_l x_l``) in ``U*`` gives

            -dU*/dbeta = I~ - tau X^T diag(h c^2) X + tau X^T diag(c) (H o H) diag(c) X.

        ``H o H`` has the row sums ``h`` (``H`` is idempotent), so the last two terms nearly
        cancel: that is why ``I~`` is a good step matrix, unless most ``p`` are near 0 or 1
        (separated classes), where ``|c| ~ 1`` and they no longer do.
        """
        f = self.likelihood
        if f.tau == 0:
            return self.information
        L = self._cholesky
        if L is None:
            raise np.linalg.LinAlgError("the Fisher information is singular")
        B = f.whitened(self._v, L, out=np.empty(f.X.shape))  # (n, p): rows L^-1 a_i
        c = 1.0 - 2.0 * self.p
        D = f.X * c[:, None]  # (n, p)
        H2 = np.square(B @ B.T)  # (n, n): H o H
        N = self.working_information - f.tau * (D.T @ (D * self.hat[:, None]))
        return N + f.tau * (D.T @ (H2 @ D))

    @cached_property
    def _exact_step(self) -> FloatArray | None:
        """The exact ``negative_hessian`` where it is cheap (``n^2 p <= EXACT_HESSIAN_WORK``)
        and positive definite, else None."""
        n, p = self.likelihood.X.shape
        if n * n * p > EXACT_HESSIAN_WORK:
            return None
        N = self.negative_hessian
        try:
            np.linalg.cholesky(N)
        except np.linalg.LinAlgError:  # not concave here: far from the maximum
            return None
        return N

    def step_matrix(self, reference: FirthPoint | None = None) -> FloatArray:
        """The matrix of the Newton-type steps, shape (p, p).

        The exact ``negative_hessian`` where it is cheap and positive definite; else
        ``I + C``, this point's information plus the penalty's curvature at ``reference``
        (this point by default: ``I~``). A restricted fit or a profile bound near the
        estimate takes the estimate's ``C``, and its points then need one Gram product
        (``I``, which ``l*`` needs anyway) instead of two.
        """
        exact = self._exact_step
        if exact is not None:
            return exact
        return self.information + (self if reference is None else reference).penalty_curvature

    @cached_property
    def step_covariance(self) -> FloatArray:
        """``M^-1`` (p, p) for this point's own ``step_matrix()``: the quadratic model's
        covariance."""
        return np.linalg.inv(self.step_matrix())
