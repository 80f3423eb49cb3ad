"""Stable primitives: correct, finite, warning-free, dtype-preserving, at every finite input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import special

from log_reg import expit, log1pexp, log_sigmoid, logsumexp, sigmoid, softmax

DTYPES = [np.float32, np.float64]


def extremes(dtype: type) -> np.ndarray:
    """Every kind of finite value of ``dtype``: huge, tiny, subnormal, zero, both signs."""
    info = np.finfo(dtype)
    magnitudes = [
        0.0,
        info.smallest_subnormal,
        info.tiny,
        info.eps,
        0.5,
        1.0,
        20.0,
        40.0,
        88.0,
        100.0,
        700.0,
        710.0,
        1e4,
        1e30,
        info.max,
    ]
    values = np.array(magnitudes, dtype=np.float64)
    values = values[values <= info.max]
    return np.concatenate([values, -values]).astype(dtype)


@pytest.fixture(autouse=True)
def strict_floating_point():
    """Any NumPy overflow, division or invalid-value warning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            yield


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "func, reference",
    [
        (log1pexp, lambda x: np.logaddexp(0, x)),
        (log_sigmoid, lambda x: -np.logaddexp(0, -x)),
        (expit, lambda x: 1 / (1 + np.exp(-x))),
    ],
)
def test_elementwise_matches_reference_at_extremes(dtype, func, reference):
    x = extremes(dtype)
    out = func(x)
    assert out.dtype == dtype
    assert np.all(np.isfinite(out))
    # The reference is the textbook formula in extended precision (x87 long double: 64-bit
    # mantissa, 15-bit exponent), so it neither overflows nor loses the subnormal results;
    # it is allowed to warn, we are not.
    with np.errstate(all="ignore"):
        expected = reference(x.astype(np.longdouble)).astype(dtype)
    # A few ulps: both sides round the same real number in the same dtype.
    np.testing.assert_allclose(out, expected, rtol=4 * np.finfo(dtype).eps, atol=0)


def test_sigmoid_is_expit_and_symmetric():
    x = np.linspace(-50, 50, 1001)
    assert sigmoid is expit
    # sigmoid(-x) = 1 - sigmoid(x), to rounding.
    np.testing.assert_allclose(expit(-x), 1 - expit(x), atol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_one_minus_sigmoid_for_large_x(dtype):
    # log(1 - sigmoid(x)) = log_sigmoid(-x) ~ -x for large x: no log(0).
    x = np.array([50.0, 1e3, 1e30], dtype=dtype)
    np.testing.assert_allclose(log_sigmoid(-x), -x, rtol=np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logsumexp_and_softmax_at_extremes(dtype):
    info = np.finfo(dtype)
    rows = np.array(
        [
            [0.0, 0.0, 0.0],
            [info.max, info.max, 0.0],
            [-info.max, info.max, 1.0],
            [-info.max, -info.max, -info.max],
            [info.tiny, -info.tiny, info.smallest_subnormal],
            [1000.0, -1000.0, 999.0],
        ],
        dtype=dtype,
    )
    lse, p = logsumexp(rows, axis=1), softmax(rows, axis=1)
    assert lse.dtype == dtype and p.dtype == dtype
    assert np.all(np.isfinite(lse)) and np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=4 * info.eps)
    with np.errstate(all="ignore"):
        expected_lse = special.logsumexp(rows.astype(np.longdouble), axis=1).astype(dtype)
        expected_p = special.softmax(rows.astype(np.float64), axis=1)
    np.testing.assert_allclose(lse, expected_lse, rtol=4 * info.eps)
    np.testing.assert_allclose(p, expected_p, rtol=4 * info.eps, atol=info.tiny)


def test_promotes_integers_and_python_numbers_to_float64():
    assert log1pexp(3).dtype == np.float64
    assert expit([1, 2]).dtype == np.float64
    assert softmax(np.array([[1, 2]], dtype=np.int32)).dtype == np.float64


def test_random_inputs_agree_with_scipy():
    rng = np.random.default_rng(0)
    x = rng.normal(scale=30, size=(200, 7))
    np.testing.assert_allclose(logsumexp(x, axis=1), special.logsumexp(x, axis=1), rtol=1e-14)
    np.testing.assert_allclose(logsumexp(x, axis=0), special.logsumexp(x, axis=0), rtol=1e-14)
    np.testing.assert_allclose(softmax(x, axis=1), special.softmax(x, axis=1), rtol=1e-12)
    np.testing.assert_allclose(expit(x), special.expit(x), rtol=1e-15)
