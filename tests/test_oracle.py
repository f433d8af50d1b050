"""The oracle checked against finite differences of its own loss and a hand-worked case."""

import itertools
import math
import random

import openpyxl
import oracle
import pytest


def random_net(rng, sizes, bias):
    W = [[[rng.uniform(-1, 1) for _ in range(o)] for _ in range(i)]
         for i, o in zip(sizes, sizes[1:])]
    b = [[rng.uniform(-0.5, 0.5) for _ in range(o)] for o in sizes[1:]] if bias else None
    return W, b


def random_data(rng, n, n_in, n_out, loss):
    X = [[rng.uniform(-2, 2) for _ in range(n_in)] for _ in range(n)]
    if loss == "cross_entropy":
        # one-hot rows, and one row of unnormalised soft targets
        labels = [rng.randrange(n_out) for _ in range(n - 1)]
        Y = [[1.0 if k == label else 0.0 for k in range(n_out)] for label in labels]
        Y.append([rng.uniform(0, 1) for _ in range(n_out)])
    else:
        Y = [[rng.uniform(-1, 1) for _ in range(n_out)] for _ in range(n)]
    return X, Y


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("loss", oracle.LOSSES)
@pytest.mark.parametrize("activation", oracle.ACTIVATIONS)
def test_gradients_match_central_differences(activation, loss, bias):
    rng = random.Random(f"{activation}-{loss}-{bias}")
    h = 1e-6
    for sizes in ([3, 1], [2, 3, 2], [3, 4, 2, 3]):
        W, b = random_net(rng, sizes, bias)
        X, Y = random_data(rng, 3, sizes[0], sizes[-1], loss)

        def f():
            return oracle.batch_loss(X, Y, W, b, activation=activation, loss=loss)

        L, gW, gb = oracle.gradients(X, Y, W, b, activation=activation, loss=loss)
        assert L == pytest.approx(f(), rel=1e-12)
        params = [(W[l][i], j, gW[l][i][j]) for l in range(len(W))
                  for i in range(len(W[l])) for j in range(len(W[l][i]))]
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
    out = oracle.train(X, Y, W, b, lr=lr, batch=2, steps=1, activation="tanh",
                       loss="cross_entropy", bias=bias)
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
    out = oracle.train([[1.0, 2.0, 3.0]], [[10.0]], [[[0.0], [0.0], [0.0]]], None,
                       lr=0.01, batch=1, steps=1, activation="linear", loss="sse", bias=False)
    assert out["loss"] == [100.0]
    assert [row[0] for row in out["W_final"][0]] == pytest.approx([0.2, 0.4, 0.6], abs=1e-15)


def test_batches_walk_the_data_in_order_and_wrap():
    assert [oracle.batch_indices(s, 2, 3) for s in (1, 2, 3, 4)] == [[0, 1], [2, 0], [1, 2], [0, 1]]
    # lr = 0 keeps the parameters, so each step's loss is the mean over its samples.
    rng = random.Random(3)
    W, b = random_net(rng, [2, 2, 1], True)
    X, Y = random_data(rng, 3, 2, 1, "mse")
    out = oracle.train(X, Y, W, b, lr=0, batch=2, steps=4, activation="sigmoid", loss="mse",
                       bias=True)
    per_sample = [oracle.sample_loss(x, y, W, b, activation="sigmoid", loss="mse")
                  for x, y in zip(X, Y)]
    expected = [(per_sample[i] + per_sample[j]) / 2 for i, j in ([0, 1], [2, 0], [1, 2], [0, 1])]
    assert out["loss"] == pytest.approx(expected, rel=1e-14)


def test_stable_forms_stay_finite():
    assert oracle.sigmoid(-1000.0) == 0.0 and oracle.sigmoid(1000.0) == 1.0
    assert oracle.softmax([1000.0, 0.0]) == [1.0, 0.0]
    assert oracle.log_softmax([1000.0, 0.0]) == [0.0, -1000.0]
    W = [[[1000.0, -1000.0]]]
    L = oracle.sample_loss([1.0], [0.0, 1.0], W, None, activation="relu", loss="cross_entropy")
    assert L == 2000.0
    assert math.isfinite(oracle.gradients([[1.0]], [[0.0, 1.0]], W, None, activation="relu",
                                          loss="cross_entropy")[1][0][0][0])


def test_cross_entropy_uses_softmax_whatever_the_hidden_activation():
    W = [[[0.5, -0.25]]]
    for activation in oracle.ACTIVATIONS:
        L = oracle.sample_loss([2.0], [1.0, 0.0], W, None, activation=activation,
                               loss="cross_entropy")
        assert L == pytest.approx(math.log(1 + math.exp(-1.5)), rel=1e-14)


def test_read_named(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data sheet"
    ws.append([1, 2.5, 3])
    ws.append([4, 5, 6])
    ws["E1"] = 0.125
    ws["E2"] = "=E1*2"
    for name, ref in [("X", "$A$1:$C$2"), ("lr", "$E$1"), ("row", "$A$2:$C$2"),
                      ("col", "$B$1:$B$2")]:
        wb.defined_names[name] = openpyxl.workbook.defined_name.DefinedName(
            name, attr_text=f"'Data sheet'!{ref}")
    path = tmp_path / "named.xlsx"
    wb.save(path)
    assert oracle.read_named(path) == {
        "X": [[1.0, 2.5, 3.0], [4.0, 5.0, 6.0]], "lr": 0.125,
        "row": [[4.0, 5.0, 6.0]], "col": [[2.5], [5.0]],
    }
    wb.defined_names["twice"] = openpyxl.workbook.defined_name.DefinedName(
        "twice", attr_text="'Data sheet'!$E$2")
    wb.save(path)
    with pytest.raises(ValueError, match="twice"):  # openpyxl stores no cached value
        oracle.read_named(path)
