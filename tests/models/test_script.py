"""The teaching script's promise: its README usage, its toy data, its early stopping."""

from __future__ import annotations

import numpy as np
import pytest
from reference import reference_log_reg

from log_reg import load_toy, log_reg, sigmoid


def test_readme_usage_prints_0_0_1_1():
    X = np.array([[1, 2], [2, 3], [6, 6], [7, 7]])
    y = np.array([0, 0, 1, 1])
    w, b = log_reg(X, y, lr=0.001, epochs=100000)
    predictions = sigmoid((X @ w) + b)
    classes = (predictions > 0.5).astype(int)
    assert str(classes) == "[0 0 1 1]"
    assert w.shape == (2,) and isinstance(b, float)


def test_toy_dataset_is_classified_with_the_script_defaults():
    X, y = load_toy()
    w, b = log_reg(X, y)
    np.testing.assert_array_equal((sigmoid(X @ w + b) > 0.5).astype(int), y)


@pytest.mark.parametrize("lr, epochs, patience", [(0.01, 300, None), (0.5, 400, 3), (0.05, 50, 1)])
def test_agrees_with_the_slow_reference(lr, epochs, patience):
    X, y = load_toy()
    w, b = log_reg(X, y, lr=lr, epochs=epochs, patience=patience)
    w_ref, b_ref = reference_log_reg(X.tolist(), y.tolist(), lr, epochs, patience)
    # Same algorithm, same order of steps; only summation order differs (rounding ~1e-15).
    np.testing.assert_allclose(w, w_ref, rtol=1e-10)
    assert b == pytest.approx(b_ref, rel=1e-10)


def test_patience_stops_early():
    # A learning rate far too large makes the loss oscillate: patience must end the run.
    X, y = load_toy()
    X = X * 100
    w_ref, b_ref = reference_log_reg(X.tolist(), y.tolist(), 5.0, 1000, 2)
    w, b = log_reg(X, y, lr=5.0, epochs=1000, patience=2)
    np.testing.assert_allclose(w, w_ref, rtol=1e-10)
    assert b == pytest.approx(b_ref, rel=1e-10)
    w_all, _ = log_reg(X, y, lr=5.0, epochs=1000)
    assert not np.allclose(w, w_all)  # it did stop before the 1000th epoch


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X": [[np.nan, 1.0], [1.0, 2.0]]}, "X must contain only finite numbers"),
        ({"X": [[np.inf, 1.0], [1.0, 2.0]]}, "X must contain only finite numbers"),
        ({"y": [0, 1, 1]}, "one label per row of X: X has 2 rows, y has 3"),
        (
            {"X": np.empty((0, 2)), "y": []},
            r"0 sample\(s\) \(shape=\(0, 2\)\) while a minimum of 1 is required",
        ),
        ({"y": [1, 1]}, "at least two classes"),
        ({"X": [[1.0], [2.0], [3.0]], "y": [0, 1, 2]}, "exactly two classes"),
        ({"lr": 0}, "lr must be a number > 0; got 0"),
        ({"lr": -0.1}, "lr must be a number > 0"),
        ({"lr": float("nan")}, "lr must be a number > 0"),
        ({"epochs": 0}, "epochs must be an integer >= 1; got 0"),
        ({"epochs": 2.5}, "epochs must be an integer"),
        ({"patience": -1}, "patience must be an integer >= 1; got -1"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    args = {"X": [[1.0, 2.0], [3.0, 4.0]], "y": [0, 1], **kwargs}
    with pytest.raises(ValueError, match=match):
        log_reg(args.pop("X"), args.pop("y"), **args)
