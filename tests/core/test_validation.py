"""Input checks that have fast paths: each must agree with its plain NumPy counterpart."""

from __future__ import annotations

import numpy as np
import pytest

from log_reg.core.checks import check_labels

rng = np.random.default_rng(0)


@pytest.mark.parametrize(
    "labels",
    [
        rng.integers(0, 2, 10_000),  # the common case: counted
        rng.integers(-5, 7, 1_000).astype(np.int8),  # signed, narrow dtype: no wrap-around
        np.array([-128, 127, 0, 127], dtype=np.int8),
        np.array([0, 255, 7, 255], dtype=np.uint8),
        np.array([3, 10**12, 3], dtype=np.int64),  # wide range: sorted instead
        np.array([2**64 - 1, 2**64 - 2, 2**64 - 1], dtype=np.uint64),  # beyond int64
        np.array([-(2**63), 2**63 - 1], dtype=np.int64),
        np.array([True, False, True]),
        np.array(["b", "a", "b"]),
        np.array([2.0, 1.0, 2.0]),
    ],
    ids=lambda a: f"{a.dtype}-{len(a)}",
)
def test_labels_encode_as_numpy_unique_does(labels):
    classes, encoded = check_labels(labels, len(labels))
    expected_classes, expected = np.unique(labels, return_inverse=True)
    assert classes.dtype == expected_classes.dtype
    np.testing.assert_array_equal(classes, expected_classes)
    np.testing.assert_array_equal(encoded, expected.ravel())
    np.testing.assert_array_equal(classes[encoded], labels)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_every_non_finite_entry_is_found(order, dtype, bad):
    """The fast path sums rows with BLAS; a NaN or infinity anywhere makes its row's sum non-finite."""
    from log_reg.core.checks import check_X

    X = np.array(rng.normal(size=(300, 7)), dtype=dtype, order=order)
    X[211, 5] = bad
    with pytest.raises(ValueError, match=r"X contains (NaN|infinity).*index \(211, 5\)"):
        check_X(X)


def test_huge_finite_values_pass_although_their_row_sums_overflow():
    from log_reg.core.checks import check_X

    X = np.ones((4, 3), dtype=np.float32)
    X[2] = np.finfo(np.float32).max  # the row sums to inf in float32: checked entry by entry
    assert check_X(X) is not None
