"""Single values of a model file: exact round trips, strict checks, short messages."""

from __future__ import annotations

import numpy as np
import pytest

from log_reg.files.model_json import (
    MAX_LABEL_CHARACTERS,
    decode_array,
    decode_classes,
    describe,
    encode_array,
    encode_classes,
    expect_number,
    preview,
)


@pytest.mark.parametrize(
    "value",
    [list(range(10**6)), {str(i): i for i in range(10**5)}, "x" * 10**6, 10**4000, [[[1]] * 10**5]],
)
def test_describe_is_short_whatever_the_value(value):
    assert len(describe(value)) < 100


def test_preview_shows_a_few_values_and_the_count():
    assert preview(list(range(10))) == "[0, 1, 2, ... (10 values)]"
    assert preview(["a", "b"]) == '["a", "b"]'


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64])
def test_arrays_round_trip_exactly(dtype):
    a = (np.random.default_rng(0).normal(size=(2, 3)) * 1e5).astype(dtype)
    back = decode_array(encode_array(a, "a"), "a", (np.dtype(dtype).name,), shape=(2, 3))
    assert back.dtype == dtype and back.tobytes() == a.tobytes()


@pytest.mark.parametrize(
    ("obj", "match"),
    [
        ({"dtype": "float32", "shape": [1], "values": [1e300]}, "cannot represent exactly"),
        ({"dtype": "float32", "shape": [1], "values": [0.1]}, "cannot represent exactly"),
        ({"dtype": "float64", "shape": [1], "values": [10**400]}, "out of range"),
        ({"dtype": "int32", "shape": [1], "values": [2**31]}, "out of range for int32"),
        ({"dtype": "int32", "shape": [1], "values": [1.0]}, "each value of a must be int"),
        ({"dtype": "float64", "shape": [1], "values": [-1.0]}, r"numbers in \[0, 1\]"),
        ({"dtype": "float64", "shape": [2], "values": [0.5]}, "must hold 2 finite numbers"),
        ({"dtype": "float64", "shape": [-1], "values": []}, r"shape \(-1,\)"),
        (
            {"dtype": "float64", "shape": [True], "values": [0.5]},
            "each entry of a shape must be int",
        ),
    ],
)
def test_decode_array_refuses_with_the_reason(obj, match):
    with pytest.raises(ValueError, match=match):
        decode_array(obj, "a", ("float64", "float32", "int32"), shape=(-1,), low=0, high=1)


@pytest.mark.parametrize(
    "classes",
    [
        np.array([0, 1, 5], dtype=np.int8),
        np.array([-1.5, 2.0]),
        np.array([False, True]),
        np.array(["a", "bb"], dtype="<U5"),
        np.array(["a", "bb"], dtype=object),
    ],
)
def test_classes_round_trip_with_their_dtype(classes):
    back = decode_classes(encode_classes(classes))
    assert back.dtype == classes.dtype and back.tolist() == classes.tolist()


def test_a_wide_text_dtype_is_refused_before_it_is_allocated():
    width = MAX_LABEL_CHARACTERS // 2 + 1
    with pytest.raises(ValueError, match="takes more than"):
        decode_classes({"type": "str", "dtype": f"<U{width}", "values": ["a", "b"]})


@pytest.mark.parametrize("value", [True, None, "1", float("nan"), 10**400, [1]])
def test_expect_number_takes_only_numbers(value):
    with pytest.raises(ValueError, match="x must be a number"):
        expect_number(value, "x")
