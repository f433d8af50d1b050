"""The engine's evaluation of the final network (engine/evaluate.py), against plain NumPy and
predict; and the layout's references as values (layout/grid.Ref)."""

from __future__ import annotations

import numpy as np

from excelbp.engine import classes, decision_line, layers, predict
from excelbp.layout.grid import Block, Ref


def test_layers_give_every_z_and_a_and_predicts_outputs():
    rng = np.random.default_rng(0)
    W = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    b = [rng.normal(size=4), rng.normal(size=2)]
    X = rng.normal(size=(5, 3))
    run = layers(W, b, X, activations=("tanh", "softmax"))
    assert np.allclose(run.z[0], X @ W[0] + b[0])
    assert np.allclose(run.a[0], np.tanh(run.z[0]))
    assert np.allclose(run.z[1], run.a[0] @ W[1] + b[1])
    assert np.allclose(run.a[1], predict(W, b, X, activations=("tanh", "softmax")))
    one = layers(W, b, X[2], activations=("tanh", "softmax"))  # one vector: the same row
    assert np.allclose(one.a[1], run.a[1][2]) and one.z[1].shape == (2,)


def test_classes_count_right_and_confused():
    scores = np.array([[0.1, 2.0], [3.0, 1.0], [0.0, 5.0]])
    Y = np.array([[0, 1], [0, 1], [0, 1]])
    said = classes(scores, Y)
    assert said.predicted.tolist() == [1, 0, 1] and said.accuracy == 2 / 3
    assert said.confusion.tolist() == [[0, 0], [1, 2]]
    one = classes(np.array([[-1.0], [0.5]]), np.array([[0.0], [0.0]]))  # z ≥ 0: class 1
    assert one.predicted.tolist() == [0, 1] and one.confusion.shape == (2, 2)


def test_the_decision_line_is_where_z_is_zero():
    X = np.array([[-2.0, 0.0], [3.0, 1.0]])
    W, b = np.array([[0.5], [-2.0]]), np.array([0.25])
    line = decision_line(X, W, b)
    assert line[:, 0].tolist() == [-2.0, 3.0]
    assert np.allclose(line @ W[:, 0] + b[0], 0.0)


def test_a_reference_prints_itself_quoted_where_needed():
    assert str(Ref("Inputs", Block(5, 2, 1, 3).ref())) == "Inputs!$B$5:$D$5"
    assert f"={Ref('LR sweep', '$B$4')}*2" == "='LR sweep'!$B$4*2"
    assert Block(5, 2, 2, 2).ref(absolute=False) == "B5:C6"
