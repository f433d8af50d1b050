"""A network is a tuple of Dense layer values: what each layer owns, and the one Network a
Spec holds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from excelbp.build import make_spec
from excelbp.engine.layers import activation_backward, dense_backward, dense_forward
from excelbp.errors import InputError
from excelbp.quantities.step import parameter_kinds
from excelbp.spec import BuildOptions, Network
from excelbp.spec.layers import Dense
from excelbp.spec.optimizers import OPTIMIZERS, Optimizer
from excelbp.spec.structure import shaped_spec, structure


def _net(**changes) -> Network:
    given = dict(
        sizes=(3, 4, 2),
        activations=("tanh", "softmax"),
        bias=True,
        loss="cross_entropy",
        batch=2,
        lr=0.1,
        steps=3,
        layout=None,
    )
    return Network.of(**(given | changes))


def test_the_layers_are_the_source_of_sizes_and_activations():
    net = _net()
    assert net.layers == (Dense(3, 4, "tanh"), Dense(4, 2, "softmax"))
    assert net.sizes == (3, 4, 2) and net.activations == ("tanh", "softmax")
    assert net.n_params == 3 * 4 + 4 + 4 * 2 + 2 and net.n_layers == 2 and net.bias
    assert net.layers[0].shapes == {"W": (3, 4), "b": (4,)}
    assert _net(bias=False).layers[1].shapes == {"W": (4, 2)}


def test_a_layers_keys_group_its_parameters_by_the_unit_they_feed():
    keys = Dense(2, 2, "relu").param_keys(1)
    assert keys == [("W", 1, 0, 0), ("W", 1, 1, 0), ("b", 1, 0)] + [
        ("W", 1, 0, 1),
        ("W", 1, 1, 1),
        ("b", 1, 1),
    ]
    assert Dense(2, 1, "relu", bias=False).param_keys(3, ("dW", "db")) == [
        ("dW", 3, 0, 0),
        ("dW", 3, 1, 0),
    ]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_the_count_of_parameter_kinds_is_the_steps(name):
    net = _net(optimizer=Optimizer(name))
    assert net.n_param_kinds == len(parameter_kinds(net))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"sizes": (3,)}, "at least two sizes"),
        ({"activations": ("tanh",)}, "names 1 layer"),
        ({"loss": "nope"}, "--loss: unknown"),
    ],
)
def test_a_network_of_bad_layers_is_refused_before_any_layer_is_made(changes, message):
    with pytest.raises(InputError, match=message):
        _net(**changes)


def test_a_spec_holds_its_network_and_replace_changes_it():
    spec = make_spec(BuildOptions(template="classifier", steps=3))
    assert spec.network.layers == spec.layers and spec.sizes == spec.network.sizes
    faster = replace(spec, lr=0.5)
    assert faster.network.lr == faster.lr == 0.5 and faster.network.layers == spec.layers
    with pytest.raises(TypeError):
        replace(spec, lrr=0.5)


def test_the_layout_places_the_first_layer():
    fashion = make_spec(BuildOptions(template="fashion", steps=2))
    assert fashion.layers[0].in_place and not any(lay.in_place for lay in fashion.layers[1:])
    rows = make_spec(
        BuildOptions(template="fashion", steps=2, layers=(784, 2, 10), batch=1, layout="rows")
    )
    assert rows.layout == "rows" and not rows.in_place


def test_the_hidden_record_reads_back_the_layers_and_old_records_too():
    spec = make_spec(BuildOptions(template="fashion", steps=2))
    recorded = structure(spec)
    again = shaped_spec(recorded, source="t")
    assert again.layers == spec.layers
    old = {k: v for k, v in recorded.items() if k not in ("in_place", "scale_pixels")}
    assert not shaped_spec(old, source="t").in_place


def test_dense_forward_and_backward_against_finite_differences():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)

    def loss(W, b, x):  # the batch mean of Σ a²/2
        return (dense_forward(x, W, b, "tanh")[1] ** 2).sum() / 2 / len(x)

    z, a, softmax = dense_forward(x, W, b, "tanh")
    assert softmax is None
    delta = activation_backward("tanh", z, a, a)  # ∂(a²/2)/∂a = a
    dW, db, dx = dense_backward(x, W, delta)
    eps = 1e-6
    for (i, j), _ in np.ndenumerate(W):
        up, down = W.copy(), W.copy()
        up[i, j] += eps
        down[i, j] -= eps
        assert dW[i, j] == pytest.approx((loss(up, b, x) - loss(down, b, x)) / (2 * eps), abs=1e-8)
    assert db.shape == (2,) and dx.shape == x.shape
    assert dense_backward(x, W, delta, inputs_grad=False)[2] is None


def test_a_spec_grown_past_the_cell_limit_after_it_was_made_is_refused_by_build(tmp_path):
    """make_spec settles the fit once; a spec changed since (replace) still meets the limit in
    build, before any training, and no file is written."""
    from excelbp.build import build

    # a million steps fit a sheet's rows; eleven copies of them (a sweep) do not fit the limit
    spec = replace(make_spec(BuildOptions(steps=5)), steps=1_000_000, compare_lr=(0.01,) * 10)
    out = tmp_path / "huge.xlsx"
    with pytest.raises(InputError, match="million formula cells"):
        build(spec, out)
    assert not out.exists()
