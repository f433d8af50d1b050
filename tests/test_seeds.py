"""The seeds' worked examples, with the arithmetic done right, and where the seeds go wrong.

Expected values here are worked by hand (or with the math module) from the seeds' own
formulas, never taken from excelbp's output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from excelbp import engine
from excelbp.build import make_spec
from excelbp.spec import BuildOptions


def sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


SEED_003_W1 = [[0.2, 0.3, 0.4], [0.5, 0.6, 0.7]]  # w1 = x1→h1, w2 = x1→h2, … w4 = x2→h1
SEED_003_W2 = [[0.1], [0.2], [0.3]]


def seed_003_first_step():
    """Seed 003's own setting: raw x = (120, 1), y = 300,000, biases 0, lr 0.001, loss (y − ŷ)²."""
    return engine.train(
        np.array([[120.0, 1.0]]),
        np.array([[300_000.0]]),
        [np.array(SEED_003_W1), np.array(SEED_003_W2)],
        [np.zeros(3), np.zeros(1)],
        activations=("sigmoid", "sigmoid"),
        loss="sse",
        lr=0.001,
        batch=1,
        steps=1,
    )


def test_seed_003_first_step_with_correct_arithmetic():
    t = seed_003_first_step()
    # 0.2·120 + 0.5·1 = 24.5, 0.3·120 + 0.6·1 = 36.6, 0.4·120 + 0.7·1 = 48.7
    np.testing.assert_allclose(t.z[0][0, 0], [24.5, 36.6, 48.7], rtol=1e-15)
    h = [sig(24.5), sig(36.6), sig(48.7)]
    z_out = 0.1 * h[0] + 0.2 * h[1] + 0.3 * h[2]
    y_hat = sig(z_out)
    assert t.a[1][0, 0, 0] == pytest.approx(y_hat, rel=1e-14)
    assert t.loss[0] == pytest.approx((300_000 - y_hat) ** 2, rel=1e-14)
    # chain rule with σ'(z) = σ(z)(1 − σ(z)) on the activations, not on z
    dl_dyhat = -2 * (300_000 - y_hat)
    dw1 = dl_dyhat * y_hat * (1 - y_hat) * 0.1 * h[0] * (1 - h[0]) * 120
    assert t.dW[0][0, 0, 0] == pytest.approx(dw1, rel=1e-9)
    assert t.W[0][1, 0, 0] == pytest.approx(0.2 - 0.001 * dw1, rel=1e-12)  # w_new = w_old − α·∂L/∂w


def test_where_seed_003_goes_wrong():
    t = seed_003_first_step()
    z = t.z[0][0, 0]
    # the seed writes σ(24.2), σ(37.8), σ(46.3): none is the weighted sum it shows
    assert not np.allclose(z, [24.2, 37.8, 46.3])
    # the seed's loss 89,999,810,000 does not follow from its own ŷ ≈ 0.6452
    assert (300_000 - 0.6452) ** 2 == pytest.approx(89_999_612_880.4, rel=1e-9)
    assert abs(t.loss[0] - 89_999_810_000) > 1e5
    # its dh1/dw1 = −69090 is z(1 − z)·x1 on the pre-activation, not σ(z)(1 − σ(z))·x1
    assert 24.5 * (1 - 24.5) * 120 == pytest.approx(-69090)
    assert abs(t.dW[0][0, 0, 0]) < 1e-3  # the real gradient: σ'(24.5) ≈ 2e-11 saturates it
    # its update drops "w_old −" and slips a digit: 0.001 × 994,893,860 = 994,893.86
    assert 0.001 * 994_893_860 == pytest.approx(994_893.86)
    # and ŷ = σ(·) < 1 can never reach 300,000: the template scales inputs and targets
    assert t.a[1][0, 0, 0] < 1
    spec = make_spec(BuildOptions(template="sigmoid-2-3-1"))
    assert spec.Y.max() < 1 and spec.X[0].tolist() == [1.2, 1.0]


def test_seed_003_template_keeps_the_seeds_numbering():
    spec = make_spec(BuildOptions(template="sigmoid-2-3-1"))
    w = spec.W_init[0].ravel()  # row-major: w1 = x1→h1, w2 = x1→h2, w3 = x1→h3, w4 = x2→h1, …
    assert w.tolist() == [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    assert spec.W_init[1].ravel().tolist() == [0.1, 0.2, 0.3]
    assert spec.raw_X[0].tolist() == [120, 1] and spec.raw_Y[0, 0] == 300_000


def test_seed_000_w02_uses_its_own_gradient():
    # the seed updates w02 with dy_dw01; with x = (1, 1, 3) that would give 0.028, not 0.084
    t = engine.train(
        np.array([[1.0, 1.0, 3.0]]),
        np.array([[14.0]]),
        [np.zeros((3, 1))],
        None,
        activations=("linear",),
        loss="sse",
        lr=0.001,
        batch=1,
        steps=1,
    )
    assert t.W[0][1, 2, 0] == pytest.approx(0.001 * 2 * 14 * 3)


def test_seed_001_relu_and_mse_derivatives():
    # ReLU.diff in the seed leaves negative entries as they are; the derivative there is 0
    z = np.array([[-2.0, 3.0]])
    assert engine.activation_slope("relu", z, engine.activate("relu", z)).tolist() == [[0.0, 1.0]]
    # MSE.diff returns pred − true, dropping the 2/n of the mean it defines
    pred, true = np.array([[0.8, 0.2]]), np.array([[1.0, 0.0]])
    assert engine.loss_slope("mse", pred, true) == pytest.approx(2 * (pred - true) / 2)
