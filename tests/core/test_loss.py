"""Log-losses against finite differences, closed forms and each other."""

from __future__ import annotations

import numpy as np
import pytest
from finite_differences import numerical_gradient, numerical_jacobian

from log_reg.core.loss import BINARY, MULTINOMIAL

RNG = np.random.default_rng(42)


def binary_case(n=7):
    return (RNG.random((n, 1)) < 0.5).astype(float), RNG.normal(scale=3, size=(n, 1))


def multinomial_case(n=7, k=4):
    Y = np.eye(k)[RNG.integers(0, k, n)]
    return Y, RNG.normal(scale=3, size=(n, k))


CASES = [(BINARY, binary_case()), (MULTINOMIAL, multinomial_case())]


@pytest.mark.parametrize("loss, case", CASES, ids=["binary", "multinomial"])
def test_gradient_and_hessian_match_finite_differences(loss, case):
    Y, Z = case
    for i in range(len(Z)):  # per sample: the loss of one row depends on that row only
        y, z = Y[i : i + 1], Z[i : i + 1]
        value, grad = loss.loss_gradient(y, z)
        np.testing.assert_allclose(value, loss.loss(y, z), rtol=1e-13)
        fd_grad = numerical_gradient(lambda v, y=y, z=z: loss.loss(y, v.reshape(z.shape))[0], z)
        # Central differences with h = 1e-6 are accurate to about 1e-9 here.
        np.testing.assert_allclose(grad, fd_grad, atol=1e-8)
        blocks = loss.hessian_blocks(z)
        fd_hess = numerical_jacobian(
            lambda v, y=y, z=z: loss.loss_gradient(y, v.reshape(z.shape))[1], z
        )
        np.testing.assert_allclose(blocks[0], fd_hess, atol=1e-8)


@pytest.mark.parametrize("loss, case", CASES, ids=["binary", "multinomial"])
def test_hessian_operator_applies_the_blocks(loss, case):
    Y, Z = case
    V = RNG.normal(size=Z.shape)
    blocks = loss.hessian_blocks(Z)
    grad, hessp = loss.hessian_operator(Y, Z)
    np.testing.assert_allclose(grad, loss.loss_gradient(Y, Z)[1], atol=1e-15)
    np.testing.assert_allclose(hessp(V), np.einsum("nkl,nl->nk", blocks, V), atol=1e-14)


def test_binary_closed_form_and_extremes():
    # loss = -y log p - (1-y) log(1-p); at z = +-800 with the right label it is ~ exp(-800) = 0.
    Y = np.array([[1.0], [0.0], [1.0], [0.0]])
    Z = np.array([[800.0], [-800.0], [-800.0], [800.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is right
        values, grad = BINARY.loss_gradient(Y, Z)
    np.testing.assert_allclose(values, [0.0, 0.0, 800.0, 800.0])
    np.testing.assert_allclose(grad[:, 0], [0.0, 0.0, -1.0, 1.0])
    z = np.array([[0.3]])
    p = 1 / (1 + np.exp(-0.3))
    np.testing.assert_allclose(BINARY.loss(np.array([[1.0]]), z), -np.log(p))


def test_multinomial_with_two_classes_equals_binary_on_the_difference():
    # softmax([z0, z1]) picks class 1 with probability sigmoid(z1 - z0).
    Yb, Zb = binary_case(20)
    Ym = np.hstack([1 - Yb, Yb])
    Zm = np.hstack([np.zeros_like(Zb), Zb])
    np.testing.assert_allclose(MULTINOMIAL.loss(Ym, Zm), BINARY.loss(Yb, Zb), rtol=1e-12)


@pytest.mark.parametrize("loss, case", CASES, ids=["binary", "multinomial"])
def test_overwrite_z_gives_the_same_numbers(loss, case):
    Y, Z = case
    Z = np.vstack([Z, np.full((1, Z.shape[1]), 800.0), np.full((1, Z.shape[1]), -800.0)])
    Y = np.vstack([Y, Y[:2]])
    Z[-1, 0] = 900.0  # one huge entry among very negative ones: the shift keeps exp finite
    expected_losses, expected_grad = loss.loss_gradient(Y, Z)
    Z_fortran = np.asfortranarray(Z)  # the layout the objective's scores have
    for Z_given in (Z.copy(), Z_fortran.copy()):
        losses, grad = loss.loss_gradient(Y, Z_given, overwrite_z=True)
        np.testing.assert_allclose(losses, expected_losses, rtol=1e-15, atol=1e-300)
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-15, atol=1e-300)
    # and the plain call leaves its argument alone
    kept = Z_fortran.copy()
    loss.loss_gradient(Y, kept)
    np.testing.assert_array_equal(kept, Z_fortran)


def test_multinomial_labels_give_the_one_hot_numbers():
    Y, Z = multinomial_case(n=50, k=5)
    labels = np.argmax(Y, axis=1)
    expected = MULTINOMIAL.loss_gradient(Y, Z)
    for overwrite in (False, True):
        losses, grad = MULTINOMIAL.loss_gradient(Y, Z.copy(), overwrite_z=overwrite, labels=labels)
        np.testing.assert_allclose(losses, expected[0], rtol=1e-15, atol=1e-300)
        np.testing.assert_allclose(grad, expected[1], rtol=1e-15, atol=1e-300)
