"""The NumPy engine against values worked by hand and against finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from excelbp import engine
from excelbp.build import make_spec
from excelbp.engine import LOSSES
from excelbp.engine.training import train
from excelbp.spec import BuildOptions


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


# An independent forward pass: the textbook forms, not the engine's stable ones (the
# networks below keep z small enough for them).
FUNCS = {
    "linear": lambda z: z,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
}
PER_SAMPLE = {
    "sse": lambda p, y: ((p - y) ** 2).sum(axis=1),
    "half_sse": lambda p, y: 0.5 * ((p - y) ** 2).sum(axis=1),
    "mse": lambda p, y: ((p - y) ** 2).mean(axis=1),
    "cross_entropy": lambda p, y: -(y * np.log(p)).sum(axis=1),
    "binary_cross_entropy": lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=1),
}
LAST = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}
HIDDEN = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")


def _batch_loss(W, b, X, Y, activations, loss):
    a = X
    for f, w, v in zip(activations, W, b):
        a = FUNCS[f](a @ w + v)
    return float(np.mean(PER_SAMPLE[loss](a, Y)))


def _targets(rng, loss, n, k):
    if loss == "cross_entropy":
        return np.eye(k)[rng.integers(0, k, size=n)]
    Y = rng.uniform(0, 1, size=(n, k))  # BCE: targets anywhere in [0, 1] …
    if loss == "binary_cross_entropy":
        Y[0, 0], Y[-1, -1] = 0.0, 1.0  # … and its ends
    return Y


# every activation with every loss (one name for all layers, the last as the loss needs it),
# then per-layer mixes
CASES = [((f, LAST.get(loss, f)), loss) for f in HIDDEN for loss in LOSSES] + [
    (("relu", "linear"), "mse"),
    (("tanh", "sigmoid"), "binary_cross_entropy"),
    (("tanh", "sigmoid"), "half_sse"),
    (("leaky_relu", "linear"), "sse"),
    (("relu", "leaky_relu"), "mse"),
    (("leaky_relu", "tanh", "linear"), "half_sse"),
    (("sigmoid", "relu", "softmax"), "cross_entropy"),
    (("linear", "leaky_relu", "sigmoid"), "binary_cross_entropy"),
]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(
    "activations,loss", CASES, ids=lambda v: ",".join(v) if isinstance(v, tuple) else v
)
def test_gradients_match_finite_differences(activations, loss, bias):
    rng = np.random.default_rng(7)
    sizes = (3, 4, 3) if len(activations) == 2 else (3, 4, 3, 2)
    X = rng.uniform(-1, 1, size=(4, sizes[0]))
    Y = _targets(rng, loss, 4, sizes[-1])
    W = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    b = [rng.normal(size=n) for n in sizes[1:]] if bias else None
    t = engine.train(X, Y, W, b, activations=activations, loss=loss, lr=0.1, batch=4, steps=1)
    bb = b if bias else [np.zeros(n) for n in sizes[1:]]
    h = 1e-6

    def numeric(params, l, idx):
        plus, minus = [x.copy() for x in params], [x.copy() for x in params]
        plus[l][idx] += h
        minus[l][idx] -= h
        if params is W:
            return (
                _batch_loss(plus, bb, X, Y, activations, loss)
                - _batch_loss(minus, bb, X, Y, activations, loss)
            ) / (2 * h)
        return (
            _batch_loss(W, plus, X, Y, activations, loss)
            - _batch_loss(W, minus, X, Y, activations, loss)
        ) / (2 * h)

    for l, w in enumerate(W):
        for idx in np.ndindex(*w.shape):
            assert t.dW[l][0][idx] == pytest.approx(numeric(W, l, idx), rel=1e-5, abs=1e-7), (
                l,
                idx,
            )
    if bias:
        for l, v in enumerate(b):
            for j in range(v.size):
                assert t.db[l][0][j] == pytest.approx(numeric(b, l, j), rel=1e-5, abs=1e-7), (l, j)
    assert t.loss[0] == pytest.approx(_batch_loss(W, bb, X, Y, activations, loss), rel=1e-12)
    np.testing.assert_allclose(
        engine.predict(W, bb, X, activations=activations), t.a[-1][0], rtol=1e-14
    )


def test_without_bias_the_bias_stays_zero():
    X, Y = np.array([[1.0, 2.0]]), np.array([[1.0]])
    t = engine.train(
        X,
        Y,
        [np.array([[0.1], [0.2]])],
        None,
        activations=["linear"],
        loss="sse",
        lr=0.1,
        batch=1,
        steps=3,
    )
    assert np.all(t.b[0] == 0)


def test_batches_walk_the_data_and_wrap():
    X = np.arange(5.0)[:, None]
    t = engine.train(
        X, X, [np.zeros((1, 1))], None, activations=["linear"], loss="sse", lr=0.0, batch=2, steps=4
    )
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
    assert engine.activation_slope("relu", z, engine.activate("relu", z)).tolist() == [
        [0.0, 0.0, 1.0]
    ]


def test_leaky_relu_keeps_a_hundredth_below_zero():
    z = np.array([[-3.0, 0.0, 2.0]])
    a = engine.activate("leaky_relu", z)
    assert a.tolist() == [[-0.03, 0.0, 2.0]]
    assert engine.activation_slope("leaky_relu", z, a).tolist() == [
        [0.01, 0.01, 1.0]
    ]  # 0.01 at z = 0


def test_binary_cross_entropy_by_hand():
    # z = 0: p = ½, loss ln 2 whatever y;
    # z = 2, y = ½: max(2, 0) − ½·2 + ln(1 + e⁻²) = 1 + ln(1 + e⁻²)
    z, y = np.array([[0.0, 2.0]]), np.array([[1.0, 0.5]])
    assert engine.binary_cross_entropy(z, y)[0] == pytest.approx(
        (math.log(2) + 1 + math.log(1 + math.exp(-2))) / 2, rel=1e-15
    )
    # one step: x = 1, w = 0, no bias → z = 0, p = ½; y = 0.25 → δ = (½ − ¼)/1, ∂L/∂w = δ·x = ¼
    t = engine.train(
        np.array([[1.0]]),
        np.array([[0.25]]),
        [np.zeros((1, 1))],
        None,
        activations=["sigmoid"],
        loss="binary_cross_entropy",
        lr=1.0,
        batch=1,
        steps=1,
    )
    assert t.loss[0] == pytest.approx(math.log(2), rel=1e-15)
    assert t.a[0][0, 0, 0] == 0.5 and t.delta[0][0, 0, 0] == 0.25 and t.dW[0][0, 0, 0] == 0.25
    assert t.W[0][1, 0, 0] == -0.25


def test_binary_cross_entropy_stays_finite_at_1000():
    z = np.array([[1000.0, -1000.0, 1000.0, -1000.0]])
    y = np.array([[0.0, 1.0, 1.0, 0.0]])
    assert engine.binary_cross_entropy(z, y).tolist() == [(1000.0 + 1000.0 + 0.0 + 0.0) / 4]
    t = engine.train(
        np.array([[1.0]]),
        np.array([[0.0, 1.0]]),
        [np.array([[1000.0, -1000.0]])],
        None,
        activations=["sigmoid"],
        loss="binary_cross_entropy",
        lr=0.1,
        batch=1,
        steps=2,
    )
    assert np.isfinite(t.loss).all() and t.loss[0] == 1000.0
    assert t.delta[0][0].tolist() == [[0.5, -0.5]]  # (p − y)/K with p = 1, 0


def test_binary_cross_entropy_hits():
    p = np.array([[[0.7], [0.5], [0.4], [0.2]]])
    y = np.array([[[0.6], [0.5], [1.0], [0.0]]])
    assert engine.hits("binary_cross_entropy", p, y).tolist() == [
        [1.0, 1.0, 0.0, 1.0]
    ]  # p ≥ ½ where y ≥ ½
    # several outputs: right only when every output is on its target's side
    p2, y2 = np.array([[0.9, 0.2], [0.9, 0.6]]), np.array([[1.0, 0.0], [1.0, 0.0]])
    assert engine.hits("binary_cross_entropy", p2, y2).tolist() == [1.0, 0.0]
    assert engine.hits("mse", p2, y2) is None


@pytest.mark.parametrize(
    "activations,loss,message",
    [
        (["relu"], "mse", "names 1 layer"),
        ("relu", "mse", "one name per layer"),
        (["relu", "softmax"], "mse", "softmax last layer goes with --loss cross_entropy"),
        (["relu", "tanh"], "cross_entropy", "needs a softmax last layer"),
        (["relu", "linear"], "binary_cross_entropy", "needs a sigmoid last layer"),
        (["softmax", "softmax"], "cross_entropy", "softmax only for the last layer"),
        (["swish", "linear"], "mse", "unknown 'swish'"),
        (["relu", "linear"], "hinge", "unknown loss"),
    ],
)
def test_mismatched_activations_are_refused(activations, loss, message):
    with pytest.raises(ValueError, match=message):
        engine.train(
            np.ones((1, 1)),
            np.ones((1, 1)),
            [np.ones((1, 1))] * 2,
            None,
            activations=activations,
            loss=loss,
            lr=0.1,
            batch=1,
            steps=1,
        )


def test_one_activation_means_every_layer_and_the_loss_picks_the_last():
    assert engine.layer_activations("tanh", "mse", 3) == ("tanh", "tanh", "tanh")
    assert engine.layer_activations("tanh", "cross_entropy", 2) == ("tanh", "softmax")
    assert engine.layer_activations("relu", "binary_cross_entropy", 2) == ("relu", "sigmoid")


def test_engine_against_pytorch_autograd(torch):
    F = torch.nn.functional
    f = {
        "linear": lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
        "softmax": lambda z: z,
    }  # softmax: in the loss
    per = {
        "sse": lambda a, y: ((a - y) ** 2).sum(1),
        "half_sse": lambda a, y: 0.5 * ((a - y) ** 2).sum(1),
        "mse": lambda a, y: ((a - y) ** 2).mean(1),
        "cross_entropy": lambda z, y: -(y * torch.log_softmax(z, 1)).sum(1),
        "binary_cross_entropy": (
            lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="none").mean(1)
        ),
    }
    rng = np.random.default_rng(3)
    for activations, loss in CASES:
        sizes = (2, 3, 3) if len(activations) == 2 else (2, 3, 4, 3)
        X = rng.uniform(-1, 1, size=(4, 2))
        Y = _targets(rng, loss, 4, 3)
        W = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        b = [rng.normal(size=n) for n in sizes[1:]]
        t = engine.train(X, Y, W, b, activations=activations, loss=loss, lr=0.1, batch=4, steps=1)
        tw = [torch.tensor(w, requires_grad=True, dtype=torch.float64) for w in W]
        tb = [torch.tensor(v, requires_grad=True, dtype=torch.float64) for v in b]
        a = torch.tensor(X)
        for l, name in enumerate(activations):
            z = a @ tw[l] + tb[l]
            a = (
                z if (l == len(W) - 1 and loss in LAST) else f[name](z)
            )  # both cross-entropies take the logits
        L = per[loss](a, torch.tensor(Y)).mean()
        assert t.loss[0] == pytest.approx(L.item(), rel=1e-12)
        L.backward()
        for l in range(len(W)):
            np.testing.assert_allclose(t.dW[l][0], tw[l].grad.numpy(), rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(t.db[l][0], tb[l].grad.numpy(), rtol=1e-10, atol=1e-12)


def test_digits_training_against_pytorch_sgd(torch):
    """The digits template's first steps (64 → 16 tanh → 10 softmax, mini-batches of 32 that
    wrap round the 1,000 images) against torch.optim.SGD on the same batches."""
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
        rows = [
            (s * spec.batch + k) % spec.n_samples for k in range(spec.batch)
        ]  # the contract's batches
        h = torch.tanh(X[rows] @ W[0] + b[0])
        loss = -(Y[rows] * torch.log_softmax(h @ W[1] + b[1], 1)).sum(1).mean()
        assert loss.item() == pytest.approx(t.loss[s], rel=1e-12)
        sgd.zero_grad()
        loss.backward()
        sgd.step()
    for l in range(2):
        np.testing.assert_allclose(t.W[l][-1], W[l].detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(t.b[l][-1], b[l].detach().numpy(), rtol=1e-9, atol=1e-12)
