"""The NumPy engine against values worked by hand and against finite differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from excelbp import engine
from excelbp.build import make_spec
from excelbp.engine.training import train
from excelbp.spec import BuildOptions
from excelbp.spec.network import ACTIVATIONS, LOSSES


def test_seed_000_first_two_steps_by_hand():
    # linear template: x = (1, 1, 3), y = 1·2 + 1·(−3) + 3·5 = 14, w = 0, lr = 0.001
    t = train(make_spec(BuildOptions(template="linear", steps=2)))
    assert t.z[0][0, 0, 0] == 0.0
    assert t.loss[0] == 196.0  # (0 − 14)²
    np.testing.assert_allclose(t.dW[0][0, :, 0], [-28, -28, -84])  # 2(0 − 14)·x
    np.testing.assert_allclose(t.W[0][1, :, 0], [0.028, 0.028, 0.084], rtol=1e-15)
    # step 2: x = (3, 20, 5), y = 6 − 60 + 25 = −29, ŷ = 0.084 + 0.56 + 0.42 = 1.064
    assert t.z[0][1, 0, 0] == pytest.approx(1.064, rel=1e-14)
    assert t.loss[1] == pytest.approx(30.064**2, rel=1e-14)
    np.testing.assert_allclose(t.dW[0][1, :, 0], [180.384, 1202.56, 300.64], rtol=1e-14)


def test_seed_demo_converges_within_one_percent():
    spec = make_spec(BuildOptions(steps=20))
    w = train(spec).W[0][-1][:, 0]
    assert np.all(np.abs(w - spec.w_true) <= 0.01 * np.abs(spec.w_true))


def _batch_loss(W, b, X, Y, activation, loss):
    out = engine.predict(W, b, X, activation=activation, loss=loss)
    if loss == "cross_entropy":
        return float(np.mean(-(Y * np.log(out)).sum(axis=1)))
    return float(np.mean(engine.sample_loss(loss, out, Y)))


@pytest.mark.parametrize(
    "activation,loss,bias", list(itertools.product(ACTIVATIONS, LOSSES, [True, False]))
)
def test_gradients_match_finite_differences(activation, loss, bias):
    rng = np.random.default_rng(7)
    sizes = (3, 4, 3)
    X = rng.uniform(-1, 1, size=(3, sizes[0]))
    Y = np.eye(3)[[0, 2, 1]] if loss == "cross_entropy" else rng.uniform(0.1, 0.9, size=(3, sizes[-1]))
    W = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    b = [rng.normal(size=n) for n in sizes[1:]] if bias else None
    t = engine.train(X, Y, W, b, activation=activation, loss=loss, lr=0.1, batch=3, steps=1)
    zeros = [np.zeros(n) for n in sizes[1:]]
    h = 1e-6
    for l, w in enumerate(W):
        for idx in np.ndindex(*w.shape):
            plus = [x.copy() for x in W]
            minus = [x.copy() for x in W]
            plus[l][idx] += h
            minus[l][idx] -= h
            bb = b if bias else zeros
            numeric = (_batch_loss(plus, bb, X, Y, activation, loss) - _batch_loss(minus, bb, X, Y, activation, loss)) / (2 * h)
            assert t.dW[l][0][idx] == pytest.approx(numeric, rel=1e-5, abs=1e-7), (l, idx)
    if bias:
        for l, v in enumerate(b):
            for j in range(v.size):
                plus = [x.copy() for x in b]
                minus = [x.copy() for x in b]
                plus[l][j] += h
                minus[l][j] -= h
                numeric = (_batch_loss(W, plus, X, Y, activation, loss) - _batch_loss(W, minus, X, Y, activation, loss)) / (2 * h)
                assert t.db[l][0][j] == pytest.approx(numeric, rel=1e-5, abs=1e-7), (l, j)
    assert t.loss[0] == pytest.approx(_batch_loss(W, b if bias else zeros, X, Y, activation, loss), rel=1e-12)


def test_without_bias_the_bias_stays_zero():
    X, Y = np.array([[1.0, 2.0]]), np.array([[1.0]])
    t = engine.train(X, Y, [np.array([[0.1], [0.2]])], None, activation="linear", loss="sse", lr=0.1, batch=1, steps=3)
    assert np.all(t.b[0] == 0)


def test_batches_walk_the_data_and_wrap():
    X = np.arange(5.0)[:, None]
    t = engine.train(X, X, [np.zeros((1, 1))], None, activation="linear", loss="sse", lr=0.0, batch=2, steps=4)
    assert t.samples.tolist() == [[0, 1], [2, 3], [4, 0], [1, 2]]


def test_stable_forms_stay_finite_at_1000():
    z = np.array([[-1000.0, 0.0, 1000.0]])
    a = engine.activate("sigmoid", z)
    assert a.tolist() == [[0.0, 0.5, 1.0]]
    m, s, p = engine.softmax_parts(z)
    assert np.all(np.isfinite(p)) and p[0, 2] == 1.0
    ce = engine.cross_entropy(z, m, s, np.array([[1.0, 0.0, 0.0]]))
    assert ce[0] == pytest.approx(2000.0)


def test_relu_derivative_is_zero_at_and_below_zero():
    z = np.array([[-1.0, 0.0, 2.0]])
    assert engine.activation_slope("relu", z, engine.activate("relu", z)).tolist() == [[0.0, 0.0, 1.0]]




def test_engine_against_pytorch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for activation, loss in itertools.product(ACTIVATIONS, LOSSES):
        X = rng.uniform(-1, 1, size=(4, 2))
        Y = np.eye(3)[[0, 1, 2, 1]] if loss == "cross_entropy" else rng.uniform(0, 1, size=(4, 3))
        W = [rng.normal(size=(2, 3)), rng.normal(size=(3, 3))]
        b = [rng.normal(size=3), rng.normal(size=3)]
        t = engine.train(X, Y, W, b, activation=activation, loss=loss, lr=0.1, batch=4, steps=1)
        tw = [torch.tensor(w, requires_grad=True, dtype=torch.float64) for w in W]
        tb = [torch.tensor(v, requires_grad=True, dtype=torch.float64) for v in b]
        a = torch.tensor(X)
        f = {"linear": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
        for l in range(2):
            z = a @ tw[l] + tb[l]
            a = z if (loss == "cross_entropy" and l == 1) else f(z)
        y = torch.tensor(Y)
        per = {
            "sse": lambda: ((a - y) ** 2).sum(1),
            "half_sse": lambda: 0.5 * ((a - y) ** 2).sum(1),
            "mse": lambda: ((a - y) ** 2).mean(1),
            "cross_entropy": lambda: -(y * torch.log_softmax(a, 1)).sum(1),
        }[loss]()
        per.mean().backward()
        for l in range(2):
            np.testing.assert_allclose(t.dW[l][0], tw[l].grad.numpy(), rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(t.db[l][0], tb[l].grad.numpy(), rtol=1e-10, atol=1e-12)


def test_digits_training_against_pytorch_sgd():
    """The digits template's first steps (64 → 16 tanh → 10 softmax, mini-batches of 32 that
    wrap round the 1,000 images) against torch.optim.SGD on the same batches."""
    torch = pytest.importorskip("torch")
    from excelbp.build import make_spec
    from excelbp.engine.training import train
    from excelbp.spec import BuildOptions

    spec = make_spec(BuildOptions(template="digits", steps=40))  # past the wrap at step 32
    t = train(spec)
    W = [torch.tensor(w, requires_grad=True, dtype=torch.float64) for w in spec.W_init]
    b = [torch.tensor(v, requires_grad=True, dtype=torch.float64) for v in spec.b_init]
    sgd = torch.optim.SGD(W + b, lr=spec.lr)
    X, Y = torch.tensor(spec.X), torch.tensor(spec.Y)
    for s in range(spec.steps):
        rows = [(s * spec.batch + k) % spec.n_samples for k in range(spec.batch)]  # the contract's batches
        h = torch.tanh(X[rows] @ W[0] + b[0])
        loss = -(Y[rows] * torch.log_softmax(h @ W[1] + b[1], 1)).sum(1).mean()
        assert loss.item() == pytest.approx(t.loss[s], rel=1e-12)
        sgd.zero_grad()
        loss.backward()
        sgd.step()
    for l in range(2):
        np.testing.assert_allclose(t.W[l][-1], W[l].detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(t.b[l][-1], b[l].detach().numpy(), rtol=1e-9, atol=1e-12)
