"""The oracle checked against finite differences of its own loss, hand-worked cases, and
the NumPy engine (two implementations written apart, from the same contract)."""

import itertools
import math
import random

import numpy as np
import openpyxl
import oracle
import pytest

from excelbp import engine


def random_net(rng, sizes, bias):
    W = [
        [[rng.uniform(-1, 1) for _ in range(o)] for _ in range(i)] for i, o in zip(sizes, sizes[1:])
    ]
    b = [[rng.uniform(-0.5, 0.5) for _ in range(o)] for o in sizes[1:]] if bias else None
    return W, b


def random_data(rng, n, n_in, n_out, loss):
    X = [[rng.uniform(-2, 2) for _ in range(n_in)] for _ in range(n)]
    if loss == "cross_entropy":
        # one-hot rows, and one row of unnormalised soft targets
        labels = [rng.randrange(n_out) for _ in range(n - 1)]
        Y = [[1.0 if k == label else 0.0 for k in range(n_out)] for label in labels]
        Y.append([rng.uniform(0, 1) for _ in range(n_out)])
    elif loss == "binary_cross_entropy":
        # any target in [0, 1], its ends included
        Y = [[rng.uniform(0, 1) for _ in range(n_out)] for _ in range(n)]
        Y[0][0], Y[-1][-1] = 0.0, 1.0
    else:
        Y = [[rng.uniform(-1, 1) for _ in range(n_out)] for _ in range(n)]
    return X, Y


MIXES = [  # per-layer activations: 2-layer and 3-layer networks
    ("relu,linear", "mse"),
    ("tanh,sigmoid", "binary_cross_entropy"),
    ("tanh,sigmoid", "sse"),
    ("leaky_relu,linear", "half_sse"),
    (["sigmoid", "leaky_relu"], "mse"),
    ("leaky_relu,tanh,linear", "mse"),
    ("relu,sigmoid,softmax", "cross_entropy"),
    (["linear", "leaky_relu", "sigmoid"], "binary_cross_entropy"),
]


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize(
    "activation,loss", list(itertools.product(oracle.ACTIVATIONS, oracle.LOSSES)) + MIXES
)
def test_gradients_match_central_differences(activation, loss, bias):
    rng = random.Random(f"{activation}-{loss}-{bias}")
    h = 1e-6
    names = activation.split(",") if isinstance(activation, str) else activation
    # one name serves any depth; a list fixes it
    shapes = (
        ([3, 1], [2, 3, 2], [3, 4, 2, 3])
        if len(names) == 1
        else ([2, 3, 2], [3, 4, 3])
        if len(names) == 2
        else ([3, 4, 2, 3],)
    )
    for sizes in shapes:
        W, b = random_net(rng, sizes, bias)
        X, Y = random_data(rng, 3, sizes[0], sizes[-1], loss)

        def f(X=X, Y=Y, W=W, b=b):
            return oracle.batch_loss(X, Y, W, b, activation=activation, loss=loss)

        L, gW, gb = oracle.gradients(X, Y, W, b, activation=activation, loss=loss)
        assert L == pytest.approx(f(), rel=1e-12)
        params = [
            (W[l][i], j, gW[l][i][j])
            for l in range(len(W))
            for i in range(len(W[l]))
            for j in range(len(W[l][i]))
        ]
        if bias:
            params += [(b[l], j, gb[l][j]) for l in range(len(b)) for j in range(len(b[l]))]
        else:
            assert gb is None
        for vec, j, grad in params:
            old = vec[j]
            vec[j] = old + h
            up = f()
            vec[j] = old - h
            down = f()
            vec[j] = old
            assert grad == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("bias", [False, True])
def test_train_step_follows_the_gradient(bias):
    rng = random.Random(7)
    W, b = random_net(rng, [2, 3, 2], bias)
    X, Y = random_data(rng, 5, 2, 2, "cross_entropy")
    lr = 0.25
    out = oracle.train(
        X, Y, W, b, lr=lr, batch=2, steps=1, activation="tanh", loss="cross_entropy", bias=bias
    )
    L, gW, gb = oracle.gradients(X[:2], Y[:2], W, b, activation="tanh", loss="cross_entropy")
    assert out["loss"] == [L]
    for l in range(len(W)):
        for i, j in itertools.product(range(len(W[l])), range(len(W[l][0]))):
            assert out["W_final"][l][i][j] == pytest.approx(W[l][i][j] - lr * gW[l][i][j])
        if bias:
            for j in range(len(b[l])):
                assert out["b_final"][l][j] == pytest.approx(b[l][j] - lr * gb[l][j])
    if not bias:
        assert out["b_final"] is None


def test_hand_worked_linear_step():
    out = oracle.train(
        [[1.0, 2.0, 3.0]],
        [[10.0]],
        [[[0.0], [0.0], [0.0]]],
        None,
        lr=0.01,
        batch=1,
        steps=1,
        activation="linear",
        loss="sse",
        bias=False,
    )
    assert out["loss"] == [100.0]
    assert [row[0] for row in out["W_final"][0]] == pytest.approx([0.2, 0.4, 0.6], abs=1e-15)


def test_batches_walk_the_data_in_order_and_wrap():
    assert [oracle.batch_indices(s, 2, 3) for s in (1, 2, 3, 4)] == [[0, 1], [2, 0], [1, 2], [0, 1]]
    # lr = 0 keeps the parameters, so each step's loss is the mean over its samples.
    rng = random.Random(3)
    W, b = random_net(rng, [2, 2, 1], True)
    X, Y = random_data(rng, 3, 2, 1, "mse")
    out = oracle.train(
        X, Y, W, b, lr=0, batch=2, steps=4, activation="sigmoid", loss="mse", bias=True
    )
    per_sample = [
        oracle.sample_loss(x, y, W, b, activation="sigmoid", loss="mse") for x, y in zip(X, Y)
    ]
    expected = [(per_sample[i] + per_sample[j]) / 2 for i, j in ([0, 1], [2, 0], [1, 2], [0, 1])]
    assert out["loss"] == pytest.approx(expected, rel=1e-14)


def test_stable_forms_stay_finite():
    assert oracle.sigmoid(-1000.0) == 0.0 and oracle.sigmoid(1000.0) == 1.0
    assert oracle.softmax([1000.0, 0.0]) == [1.0, 0.0]
    assert oracle.log_softmax([1000.0, 0.0]) == [0.0, -1000.0]
    W = [[[1000.0, -1000.0]]]
    L = oracle.sample_loss([1.0], [0.0, 1.0], W, None, activation="relu", loss="cross_entropy")
    assert L == 2000.0
    assert math.isfinite(
        oracle.gradients([[1.0]], [[0.0, 1.0]], W, None, activation="relu", loss="cross_entropy")[
            1
        ][0][0][0]
    )


def test_cross_entropy_uses_softmax_whatever_the_hidden_activation():
    W = [[[0.5, -0.25]]]
    for activation in oracle.ACTIVATIONS:
        L = oracle.sample_loss(
            [2.0], [1.0, 0.0], W, None, activation=activation, loss="cross_entropy"
        )
        assert L == pytest.approx(math.log(1 + math.exp(-1.5)), rel=1e-14)


def test_read_named(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data sheet"
    ws.append([1, 2.5, 3])
    ws.append([4, 5, 6])
    ws["E1"] = 0.125
    ws["E2"] = "=E1*2"
    ws["F1"] = "adam"
    for name, ref in [
        ("X", "$A$1:$C$2"),
        ("lr", "$E$1"),
        ("row", "$A$2:$C$2"),
        ("col", "$B$1:$B$2"),
        ("optimizer", "$F$1"),
    ]:
        wb.defined_names[name] = openpyxl.workbook.defined_name.DefinedName(
            name, attr_text=f"'Data sheet'!{ref}"
        )
    path = tmp_path / "named.xlsx"
    wb.save(path)
    assert oracle.read_named(path) == {
        "X": [[1.0, 2.5, 3.0], [4.0, 5.0, 6.0]],
        "lr": 0.125,
        "row": [[4.0, 5.0, 6.0]],
        "col": [[2.5], [5.0]],
        "optimizer": "adam",
    }
    wb.defined_names["twice"] = openpyxl.workbook.defined_name.DefinedName(
        "twice", attr_text="'Data sheet'!$E$2"
    )
    wb.save(path)
    with pytest.raises(ValueError, match="twice"):  # openpyxl stores no cached value
        oracle.read_named(path)
    del wb.defined_names["twice"]
    ws["F1"] = "#NAME?"
    wb.save(path)
    with pytest.raises(ValueError, match="optimizer should be one cell"):
        oracle.read_named(path)


# --- the issue 13 additions: activations per layer, binary cross-entropy, optimizers ----


def test_layer_names():
    assert oracle.layer_names("tanh", "mse", 2) == ["tanh", "tanh"]
    assert oracle.layer_names("tanh", "cross_entropy", 2) == ["tanh", "softmax"]
    assert oracle.layer_names("relu", "binary_cross_entropy", 3) == ["relu", "relu", "sigmoid"]
    assert oracle.layer_names("relu,linear", "mse", 2) == ["relu", "linear"]
    assert oracle.layer_names(("tanh", "softmax"), "cross_entropy", 2) == ["tanh", "softmax"]
    for activation, loss in [
        ("relu,softmax", "mse"),
        ("relu,tanh", "cross_entropy"),
        ("relu,linear", "binary_cross_entropy"),
        ("relu", "hinge"),
        ("relu,relu,linear", "mse"),
        ("softmax,softmax", "cross_entropy"),
    ]:
        with pytest.raises(ValueError):
            oracle.layer_names(activation, loss, 2)


def test_leaky_relu_by_hand():
    assert [oracle.activate("leaky_relu", z) for z in (-3.0, 0.0, 2.0)] == [-0.03, 0.0, 2.0]
    assert [oracle.derivative("leaky_relu", z) for z in (-3.0, 0.0, 2.0)] == [0.01, 0.01, 1.0]


def test_binary_cross_entropy_by_hand():
    # x = 1, w = (0, 2): z = (0, 2); y = (1, ½):
    # (1/2)·[(0 − 0 + ln 2) + (2 − 1 + ln(1 + e⁻²))]
    L = oracle.sample_loss(
        [1.0], [1.0, 0.5], [[[0.0, 2.0]]], None, activation="relu", loss="binary_cross_entropy"
    )
    assert L == pytest.approx((math.log(2) + 1 + math.log(1 + math.exp(-2))) / 2, rel=1e-15)
    # ∂L/∂w = x·(p − y)/K = ((½ − 1)/2, (σ(2) − ½)/2)
    _, gW, _ = oracle.gradients(
        [[1.0]],
        [[1.0, 0.5]],
        [[[0.0, 2.0]]],
        None,
        activation="sigmoid",
        loss="binary_cross_entropy",
    )
    assert gW[0][0] == pytest.approx([-0.25, (1 / (1 + math.exp(-2)) - 0.5) / 2], rel=1e-15)
    # z = ±1000 stays finite: (1000 + 1000 + 0 + 0)/4
    W = [[[1000.0, -1000.0, 1000.0, -1000.0]]]
    assert (
        oracle.sample_loss(
            [1.0], [0.0, 1.0, 1.0, 0.0], W, None, activation="linear", loss="binary_cross_entropy"
        )
        == 500.0
    )


# One linear neuron with a bias, half_sse, x = 2, y = 0, w = 0.5, b = 0:
# ŷ = 1, L = ½, ∂L/∂w = (ŷ − y)·x = 2, ∂L/∂b = 1.
def one_step(optimizer, lr, steps=1, **hyper):
    return oracle.train(
        [[2.0]],
        [[0.0]],
        [[[0.5]]],
        [[0.0]],
        lr=lr,
        batch=1,
        steps=steps,
        activation="linear",
        loss="half_sse",
        bias=True,
        optimizer=optimizer,
        **hyper,
    )


def test_adam_step_by_hand():
    out = one_step("adam", 0.1)
    # m = 0.1·2 = 0.2, v = 0.001·4 = 0.004, m̂ = 0.2/0.1 = 2, v̂ = 0.004/0.001 = 4,
    # w ← 0.5 − 0.1·2/(2 + 1e-8) = 0.4000000005; b: m̂ = 1, v̂ = 1, b ← −0.1/(1 + 1e-8) = −0.099999999
    assert out["W_final"][0][0][0] == pytest.approx(0.4000000005, rel=1e-15)
    assert out["b_final"][0][0] == pytest.approx(-0.099999999, rel=1e-15)
    assert out["state"]["exp_avg"]["W"][0][0][0] == pytest.approx(0.2, rel=1e-15)
    assert out["state"]["exp_avg_sq"]["b"][0][0] == pytest.approx(0.001, rel=1e-15)
    # adamw, λ = 0.1: w ← 0.5·(1 − 0.01) = 0.495, then the same step on g = 2: 0.3950000005
    assert one_step("adamw", 0.1, weight_decay=0.1)["W_final"][0][0][0] == pytest.approx(
        0.3950000005, rel=1e-15
    )
    # adam, λ = 0.1: g = 2 + 0.1·0.5 = 2.05 goes through m and v: m̂ = 2.05, v̂ = 2.05², one step of
    # 0.1·2.05/(2.05 + 1e-8) ≈ 0.1 − 4.9e-10, so w ≈ 0.4000000005 again, but m = 0.205
    out = one_step("adam", 0.1, weight_decay=0.1)
    assert out["state"]["exp_avg"]["W"][0][0][0] == pytest.approx(0.205, rel=1e-15)


def test_rmsprop_step_by_hand():
    out = one_step("rmsprop", 0.01)
    # s = 0.01·4 = 0.04, w ← 0.5 − 0.01·2/(0.2 + 1e-8) ≈ 0.400000005
    # b: s = 0.01·1 = 0.01, b ← −0.01·1/(0.1 + 1e-8) ≈ −0.09999999
    assert out["W_final"][0][0][0] == pytest.approx(0.400000005, rel=1e-14)
    assert out["b_final"][0][0] == pytest.approx(-0.09999999, rel=1e-14)
    assert out["state"]["square_avg"]["W"][0][0][0] == pytest.approx(0.04, rel=1e-15)


def test_momentum_and_nesterov_by_hand():
    # momentum, two steps, lr 0.1. Step 1: v_w = 2, w ← 0.5 − 0.2 = 0.3; v_b = 1, b ← −0.1.
    # Step 2: ŷ = 2·0.3 − 0.1 = 0.5, L = 0.125, g_w = 0.5·2 = 1, v_w = 0.9·2 + 1 = 2.8,
    # w ← 0.3 − 0.28 = 0.02; g_b = 0.5, v_b = 0.9·1 + 0.5 = 1.4, b ← −0.1 − 0.14 = −0.24
    out = one_step("momentum", 0.1, steps=2)
    assert out["loss"] == pytest.approx([0.5, 0.125], rel=1e-15)
    assert out["W_final"][0][0][0] == pytest.approx(0.02, rel=1e-14)
    assert out["b_final"][0][0] == pytest.approx(-0.24, rel=1e-15)
    assert out["state"]["velocity"]["W"][0][0][0] == pytest.approx(2.8, rel=1e-15)
    assert out["state"]["velocity"]["b"][0][0] == pytest.approx(1.4, rel=1e-15)
    # nesterov: v = 2, w ← 0.5 − 0.1·(2 + 0.9·2) = 0.12; μ = 0.5 and λ = 0.5:
    # g = 2 + 0.25 = 2.25, v = 2.25, w ← 0.5 − 0.1·(2.25 + 1.125) = 0.1625
    assert one_step("nesterov", 0.1)["W_final"][0][0][0] == pytest.approx(0.12, rel=1e-15)
    assert one_step("nesterov", 0.1, momentum=0.5, weight_decay=0.5)["W_final"][0][0][
        0
    ] == pytest.approx(0.1625, rel=1e-15)


def test_sgd_is_the_default_and_bad_names_are_refused():
    assert one_step("sgd", 0.1) == one_step("sgd", 0.1, weight_decay=0.0)
    assert one_step("sgd", 0.1)["W_final"][0][0][0] == pytest.approx(0.3, rel=1e-15)  # 0.5 − 0.1·2
    with pytest.raises(ValueError, match="optimizer"):
        one_step("lion", 0.1)
    with pytest.raises(ValueError, match="hyperparameters"):
        one_step("adam", 0.1, beta3=0.5)


ENGINE_NETS = [  # sizes, activation (as a workbook's options give it), loss
    ([2, 3, 1], "relu,linear", "mse"),
    ([2, 1], "sigmoid", "binary_cross_entropy"),
    ([3, 4, 2], "tanh,sigmoid", "binary_cross_entropy"),
    ([2, 4, 3], "leaky_relu", "cross_entropy"),
    ([2, 3, 3, 2], "sigmoid,leaky_relu,linear", "half_sse"),
]


def _close(a, b):
    """Relative to the value, or to a thousandth of the largest where cancellation left it
    near 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-3 * np.max(np.abs(b)))))


@pytest.mark.parametrize("weight_decay", [0.0, 0.02])
@pytest.mark.parametrize("optimizer", oracle.OPTIMIZERS)
def test_oracle_equals_the_engine(optimizer, weight_decay):
    rng = random.Random(f"{optimizer}-{weight_decay}")
    hyper = dict(
        momentum=0.8, alpha=0.9, beta1=0.85, beta2=0.99, eps=1e-7, weight_decay=weight_decay
    )
    for (sizes, activation, loss), bias in itertools.product(ENGINE_NETS, [True, False]):
        W, b = random_net(rng, sizes, bias)
        X, Y = random_data(rng, 5, sizes[0], sizes[-1], loss)
        if (
            loss == "cross_entropy"
        ):  # one-hot, as the spec requires: the engine's δ = p − y takes Σy = 1
            Y[-1] = [1.0] + [0.0] * (sizes[-1] - 1)
        out = oracle.train(
            X,
            Y,
            W,
            b,
            lr=0.05,
            batch=2,
            steps=8,
            activation=activation,
            loss=loss,
            bias=bias,
            optimizer=optimizer,
            **hyper,
        )
        n = len(sizes) - 1
        names = (
            engine.layer_activations(activation, loss, n)
            if "," not in activation
            else activation.split(",")
        )
        t = engine.train(
            np.array(X),
            np.array(Y),
            [np.array(w) for w in W],
            [np.array(v) for v in b] if bias else None,
            activations=names,
            loss=loss,
            lr=0.05,
            batch=2,
            steps=8,
            optimizer=engine.Optimizer(optimizer, **hyper),
        )
        assert _close(out["loss"], t.loss) < 1e-12
        for l in range(n):
            assert _close(out["W_final"][l], t.W[l][-1]) < 1e-12
            if bias:
                assert _close(out["b_final"][l], t.b[l][-1]) < 1e-12
            for key, value in out["state"].items():
                assert _close(value["W"][l], t.state.W[l][key]) < 1e-12
                if bias:
                    assert _close(value["b"][l], t.state.b[l][key]) < 1e-12
        assert set(out["state"]) == set(engine.Optimizer(optimizer).rule.state)
