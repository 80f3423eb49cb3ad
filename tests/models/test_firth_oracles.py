"""FirthLogisticRegression against R: brglm2's mean bias-reducing fit (``type = "AS_mean"``,
Firth's estimate for the logit link) with and without separation, weights and offsets,
and FLIC and FLAC written with R's ``glm``. Each test runs ``Rscript`` on the data written
to a CSV file; without R and brglm2 (Debian: ``apt-get install r-base-core
r-cran-brglm2``) they are skipped, saying so."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from log_reg import FirthLogisticRegression

DATA = Path(__file__).resolve().parents[1] / "data" / "endometrial.csv"


@functools.cache
def brglm2_available() -> bool:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return False
    probe = subprocess.run([rscript, "-e", "library(brglm2)"], capture_output=True, timeout=120)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    not brglm2_available(),
    reason="R with brglm2 is not installed (apt-get install r-base-core r-cran-brglm2): "
    "the brglm2 oracle tests are skipped",
)

#: Fits brglm2's AS_mean to the CSV's columns x0.., y, w, o; prints the coefficients
#: (intercept last), the covariance, the hat values, then FLIC's intercept and FLAC's
#: coefficients by R's glm, each a line of numbers with 17 significant digits.
R_SCRIPT = r"""
suppressMessages(library(brglm2))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d[] <- lapply(d, as.numeric)  # brglm2 refuses integer columns (an offset of zeros reads so)
intercept <- args[2] == "1"
xs <- grep("^x", names(d), value = TRUE)
f <- as.formula(paste("y ~", paste(xs, collapse = " + "), if (intercept) "" else "- 1"))
fit <- glm(f, data = d, weights = w, offset = o, family = binomial, method = "brglmFit",
           type = "AS_mean", epsilon = 1e-14, maxit = 10000)
out <- function(v) cat(sprintf("%.17g", v), "\n")
b <- coef(fit)
order <- if (intercept) c(xs, "(Intercept)") else xs
out(b[order]); out(vcov(fit)[order, order]); out(hatvalues(fit))
if (intercept) {
  lp <- as.vector(as.matrix(d[xs]) %*% b[xs]) + d$o
  flic <- glm(y ~ 1, data = d, weights = w, offset = lp, family = binomial,
              control = glm.control(epsilon = 1e-14, maxit = 100))
  out(coef(flic))
  h <- hatvalues(fit)
  n <- nrow(d)
  a <- rbind(d, d, d)
  a$y <- c(d$y, d$y, 1 - d$y)
  a$w <- c(d$w, h / 2, h / 2)
  a$pseudo <- rep(c(0, 1, 1), each = n)
  fa <- as.formula(paste("y ~", paste(c(xs, "pseudo"), collapse = " + ")))
  flac <- suppressWarnings(glm(fa, data = a, weights = w, offset = o, family = binomial,
                               control = glm.control(epsilon = 1e-14, maxit = 100)))
  out(coef(flac)[c(xs, "(Intercept)")])
}
"""


def r_fits(tmp_path, X, y, weights=None, offset=None, intercept=True):
    """brglm2's coefficients, covariance and hat values, and R's FLIC and FLAC."""
    n, d = X.shape
    columns = {f"x{j}": X[:, j] for j in range(d)}
    columns |= {
        "y": y,
        "w": np.ones(n) if weights is None else weights,
        "o": np.zeros(n) if offset is None else offset,
    }
    path = tmp_path / "data.csv"
    header = ",".join(columns)
    np.savetxt(
        path,
        np.column_stack(list(columns.values())),
        delimiter=",",
        header=header,
        comments="",
        fmt="%.17g",
    )
    script = tmp_path / "fit.R"
    script.write_text(R_SCRIPT)
    run = subprocess.run(
        ["Rscript", str(script), str(path), "1" if intercept else "0"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = [np.array(line.split(), dtype=np.float64) for line in run.stdout.strip().splitlines()]
    p = d + intercept
    result = {"coef": lines[0], "cov": lines[1].reshape(p, p), "hat": lines[2]}
    if intercept:
        result["flic"], result["flac"] = lines[3][0], lines[4]
    return result


def endometrial():
    data = np.genfromtxt(DATA, delimiter=",", names=True)
    return np.column_stack([data["NV"], data["PI"], data["EH"]]), data["HG"]


def ours(model):
    return (
        np.concatenate([model.coef_[0], model.intercept_])
        if model.fit_intercept
        else model.coef_[0]
    )


# The goal: Firth's estimates equal brglm2's to 1e-8 relative. Both solve the same
# equations to about 1e-13 (brglm2 at epsilon 1e-14, ours at its default tol 1e-10 on the
# steps, which leaves errors far below it near the answer).
CASES = {
    "endometrial, quasi-separated": lambda: (*endometrial(), None, None, True),
    "endometrial without NV, not separated": lambda: (
        endometrial()[0][:, 1:],
        endometrial()[1],
        None,
        None,
        True,
    ),
    "endometrial, no intercept": lambda: (*endometrial(), None, None, False),
}


def weighted_with_offset():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 4))
    offset = 0.5 * rng.normal(size=120)
    y = (X @ [1.0, -0.5, 0.0, 2.0] + offset + rng.logistic(size=120) > 1.5).astype(float)
    return X, y, rng.integers(1, 4, size=120).astype(float), offset, True


CASES["random, integer weights and an offset"] = weighted_with_offset


@pytest.mark.parametrize("case", list(CASES))
def test_estimates_and_covariance_equal_brglm2(tmp_path, case):
    X, y, w, o, intercept = CASES[case]()
    r = r_fits(tmp_path, X, y, w, o, intercept)
    model = FirthLogisticRegression(fit_intercept=intercept).fit(X, y, sample_weight=w, offset=o)
    np.testing.assert_allclose(ours(model), r["coef"], rtol=1e-8)
    s = model.summary(ci="wald")
    order = [*range(1, len(r["coef"])), 0] if intercept else list(range(len(r["coef"])))
    np.testing.assert_allclose(s.cov[np.ix_(order, order)], r["cov"], rtol=1e-7)
    np.testing.assert_allclose(model._fitted[0].hat, r["hat"], rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize(
    "case", ["endometrial, quasi-separated", "random, integer weights and an offset"]
)
def test_flic_and_flac_equal_their_definitions_written_in_r(tmp_path, case):
    X, y, w, o, _ = CASES[case]()
    r = r_fits(tmp_path, X, y, w, o)
    flic = FirthLogisticRegression(intercept_correction="flic").fit(X, y, sample_weight=w, offset=o)
    flac = FirthLogisticRegression(intercept_correction="flac").fit(X, y, sample_weight=w, offset=o)
    assert flic.intercept_[0] == pytest.approx(r["flic"], rel=1e-8)
    np.testing.assert_allclose(ours(flac), r["flac"], rtol=1e-8)
