"""Input checks that have fast paths: each must agree with its plain NumPy counterpart."""

from __future__ import annotations

import numpy as np
import pytest

from log_reg.core.checks import check_bool, check_labels, check_offset, class_weights

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


@pytest.mark.parametrize("weight", [-1.0, np.nan, np.inf])
def test_class_weights_are_refused_as_sample_weights_are(weight):
    # issue 16, finding 7: a negative class weight was accepted (a negative sample weight
    # is refused)
    classes, y = np.array(["a", "b"]), np.array([0, 1, 1])
    with pytest.raises(ValueError, match=r"class_weight must hold finite weights >= 0.*'a'"):
        class_weights({"a": weight}, classes, y, np.ones(3))


def test_an_offset_with_nan_says_nan_not_shape():
    with pytest.raises(ValueError, match="contains NaN.*row 1") as info:
        check_offset([0.0, np.nan, 0.0], 3, 1, np.float64)
    assert "shape" not in str(info.value)
    with pytest.raises(ValueError, match=r"shape \(3,\) or \(3, 1\); got shape \(2,\)"):
        check_offset([0.0, 0.0], 3, 1, np.float64)


@pytest.mark.parametrize("value", ["yes", 1, 0.0, None])
def test_a_flag_must_be_a_bool(value):
    with pytest.raises(ValueError, match="standardize must be True or False"):
        check_bool(value, "standardize")
    assert check_bool(np.True_, "standardize") is True
