"""The normal and chi-square tails agree with SciPy to 1e-12 and 1e-10 (relative)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from log_reg.inference.distributions import chi2_sf, norm_cdf, norm_ppf, norm_sf

# Smallest result still compared relatively: below it SciPy and we are both in (or near)
# the subnormal range, where a double has fewer than 53 significant bits.
NORMAL_MIN = 1e-300


def test_sf_matches_scipy_on_0_to_40():
    """The error of erfc(z / sqrt 2) is dominated by rounding z / sqrt 2, amplified by
    2 z^2 (~1e-13 at z = 37): SciPy's ndtr shares it, hence 1e-12 and not 1e-15."""
    z = np.linspace(0.0, 40.0, 8001)
    ours, scipy = norm_sf(z), stats.norm.sf(z)
    normal = scipy > NORMAL_MIN
    np.testing.assert_allclose(ours[normal], scipy[normal], rtol=1e-12, atol=0)
    np.testing.assert_allclose(ours[~normal], scipy[~normal], rtol=0, atol=1e-300)


def test_sf_and_cdf_on_negative_arguments():
    z = np.linspace(-40.0, 0.0, 801)
    np.testing.assert_allclose(norm_sf(z), stats.norm.sf(z), rtol=1e-15)
    np.testing.assert_allclose(norm_cdf(-z), stats.norm.cdf(-z), rtol=1e-15)
    assert norm_sf(np.inf) == 0 and norm_sf(-np.inf) == 1


def test_ppf_matches_scipy_from_1e_300_to_1_minus_1e_16():
    p = np.concatenate(
        [
            np.logspace(-300, -1, 3000),
            np.linspace(0.01, 0.99, 9801),
            0.5 + np.logspace(-16, -2, 200),  # near 1/2, where x ~ sqrt(2 pi) (p - 1/2)
            0.5 - np.logspace(-16, -2, 200),
            1 - np.logspace(-16, -1, 300),
        ]
    )
    np.testing.assert_allclose(norm_ppf(p), stats.norm.ppf(p), rtol=1e-12, atol=0)


def test_ppf_inverts_sf_and_handles_the_ends():
    p = np.logspace(-250, -1, 200)
    np.testing.assert_allclose(norm_sf(-norm_ppf(p)), p, rtol=1e-12)
    np.testing.assert_array_equal(norm_ppf([0.0, 0.5, 1.0]), [-np.inf, 0.0, np.inf])
    assert norm_ppf(0.975).shape == ()
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        norm_ppf([0.5, 1.5])


@pytest.mark.parametrize("df", [*range(1, 41), 51, 100, 101, 500, 1001])
def test_chi2_sf_matches_scipy(df):
    x = np.concatenate([np.logspace(-10, 4, 700), [df - 1.0, df, df + 1.0]])
    x = x[x > 0]
    ours, scipy = chi2_sf(x, df), stats.chi2.sf(x, df)
    normal = scipy > NORMAL_MIN
    np.testing.assert_allclose(ours[normal], scipy[normal], rtol=1e-10, atol=0)
    np.testing.assert_allclose(ours[~normal], scipy[~normal], rtol=0, atol=1e-300)


def test_chi2_sf_edges_and_errors():
    np.testing.assert_array_equal(chi2_sf([0.0, -1.0, np.inf], 4), [1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="df must be an integer >= 1"):
        chi2_sf(1.0, 0)
    with pytest.raises(ValueError, match="df must be an integer"):
        chi2_sf(1.0, 2.5)
    with pytest.raises(ValueError, match="NaN"):
        chi2_sf(np.nan, 2)
