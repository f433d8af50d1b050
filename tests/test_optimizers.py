"""The engine's optimizers: hand-worked steps, torch.optim step for step, and chunked runs
that carry the state across their edges exactly."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from excelbp import engine
from excelbp.build import make_spec
from excelbp.engine import Optimizer
from excelbp.engine.optimizers import OPTIMIZERS, STATE
from excelbp.engine.training import Training
from excelbp.spec import BuildOptions

# One linear neuron with a bias, half_sse, x = 2, y = 0, w = 0.5, b = 0:
# ŷ = 2·0.5 + 0 = 1, L = ½·1² = ½, ∂L/∂w = (ŷ − y)·x = 2, ∂L/∂b = ŷ − y = 1.
X1, Y1 = np.array([[2.0]]), np.array([[0.0]])
W1, B1 = [np.array([[0.5]])], [np.array([0.0])]


def one_step(optimizer: Optimizer, lr: float, **kw) -> engine.Trace:
    return engine.train(X1, Y1, W1, B1, activations=["linear"], loss="half_sse", lr=lr, batch=1, steps=1, optimizer=optimizer, **kw)


def test_adam_step_by_hand():
    t = one_step(Optimizer("adam"), lr=0.1)  # β1 0.9, β2 0.999, ε 1e-8
    # w: m = 0.1·2 = 0.2, v = 0.001·2² = 0.004, m̂ = 0.2/(1 − 0.9) = 2, v̂ = 0.004/(1 − 0.999) = 4,
    # w ← 0.5 − 0.1·2/(√4 + 1e-8) = 0.5 − 0.1/(1 + 5e-9) = 0.5 − (0.1 − 5e-10 + …) = 0.4000000005
    assert t.loss[0] == 0.5
    assert t.opt["grad"][0][0, 0, 0] == 2.0
    assert t.opt["exp_avg"][0][0, 0, 0] == pytest.approx(0.2, rel=1e-15)
    assert t.opt["exp_avg_sq"][0][0, 0, 0] == pytest.approx(0.004, rel=1e-15)
    assert t.opt["exp_avg_hat"][0][0, 0, 0] == pytest.approx(2.0, rel=1e-15)
    assert t.opt["exp_avg_sq_hat"][0][0, 0, 0] == pytest.approx(4.0, rel=1e-15)
    assert t.W[0][1, 0, 0] == pytest.approx(0.4000000005, rel=1e-15)
    # b: g = 1, m = 0.1, v = 0.001, m̂ = 1, v̂ = 1, b ← 0 − 0.1·1/(1 + 1e-8) = −0.099999999
    assert t.opt_b["exp_avg"][0][0, 0] == pytest.approx(0.1, rel=1e-15)
    assert t.b[0][1, 0] == pytest.approx(-0.099999999, rel=1e-15)
    # Step 2 from the same w and b (a chunk that starts at step 2 with that state): the same
    # g = 2, m = 0.9·0.2 + 0.1·2 = 0.38, v = 0.999·0.004 + 0.001·4 = 0.007996,
    # m̂ = 0.38/(1 − 0.9²) = 0.38/0.19 = 2, v̂ = 0.007996/(1 − 0.999²) = 0.007996/0.001999 = 4:
    # with t = 2 the correction gives the same step again (t = 1 would give m̂ = 3.8).
    t2 = one_step(Optimizer("adam"), lr=0.1, first_step=1, state=t.state)
    assert t2.opt["exp_avg"][0][0, 0, 0] == pytest.approx(0.38, rel=1e-15)
    assert t2.opt["exp_avg_sq"][0][0, 0, 0] == pytest.approx(0.007996, rel=1e-15)
    assert t2.opt["exp_avg_hat"][0][0, 0, 0] == pytest.approx(2.0, rel=1e-14)
    assert t2.opt["exp_avg_sq_hat"][0][0, 0, 0] == pytest.approx(4.0, rel=1e-14)
    assert t2.W[0][1, 0, 0] == pytest.approx(0.4000000005, rel=1e-15)


def test_adamw_shrinks_first_then_steps_on_the_plain_gradient():
    t = one_step(Optimizer("adamw", weight_decay=0.1), lr=0.1)
    # w ← 0.5·(1 − 0.1·0.1) = 0.495, then the adam step of the test above on g = 2 (not 2 + λ·w):
    # 0.495 − 0.0999999995 = 0.3950000005
    assert t.opt["grad"][0][0, 0, 0] == 2.0
    assert t.W[0][1, 0, 0] == pytest.approx(0.3950000005, rel=1e-15)


def test_rmsprop_step_by_hand():
    t = one_step(Optimizer("rmsprop"), lr=0.01)  # α 0.99, ε 1e-8
    # w: s = 0.01·2² = 0.04, w ← 0.5 − 0.01·2/(√0.04 + 1e-8) = 0.5 − 0.02/0.20000001
    #    = 0.5 − 0.1/(1 + 5e-8) = 0.5 − (0.1 − 5e-9 + 2.5e-16) ≈ 0.400000005
    assert t.opt["square_avg"][0][0, 0, 0] == pytest.approx(0.04, rel=1e-15)
    assert t.W[0][1, 0, 0] == pytest.approx(0.400000005, rel=1e-14)
    # b: s = 0.01·1² = 0.01, b ← 0 − 0.01·1/(0.1 + 1e-8) = −0.1/(1 + 1e-7) ≈ −0.09999999
    assert t.opt_b["square_avg"][0][0, 0] == pytest.approx(0.01, rel=1e-15)
    assert t.b[0][1, 0] == pytest.approx(-0.09999999, rel=1e-14)


def test_weight_decay_joins_the_gradient_of_every_parameter():
    t = one_step(Optimizer("momentum", weight_decay=0.5), lr=0.1)
    # w: g = 2 + 0.5·0.5 = 2.25, v = 0.9·0 + 2.25, w ← 0.5 − 0.1·2.25 = 0.275; b: g = 1 + 0.5·0 = 1
    assert t.opt["grad"][0][0, 0, 0] == 2.25 and t.opt["velocity"][0][0, 0, 0] == 2.25
    assert t.W[0][1, 0, 0] == pytest.approx(0.275, rel=1e-15)
    assert t.b[0][1, 0] == pytest.approx(-0.1, rel=1e-15)


def test_nesterov_steps_with_the_gradient_plus_the_new_velocity():
    # v = 0.9·0 + 2 = 2, w ← 0.5 − 0.1·(2 + 0.9·2) = 0.5 − 0.38 = 0.12
    t = one_step(Optimizer("nesterov"), lr=0.1)
    assert t.W[0][1, 0, 0] == pytest.approx(0.12, rel=1e-15)


def test_the_trace_records_each_optimizers_state_and_nothing_for_a_missing_bias():
    for name in OPTIMIZERS:
        t = engine.train(X1, Y1, W1, None, activations=["linear"], loss="half_sse", lr=0.1, batch=1, steps=3, optimizer=Optimizer(name))
        hats = ("exp_avg_hat", "exp_avg_sq_hat") if name.startswith("adam") else ()
        assert tuple(t.opt) == ("grad",) + STATE[name] + hats
        assert all(a[0].shape == (3, 1, 1) for a in t.opt.values())
        assert t.opt_b == {} and t.state.b is None and set(t.state.W[0]) == set(STATE[name])
    with pytest.raises(ValueError, match="not adam's"):
        engine.train(X1, Y1, W1, B1, activations=["linear"], loss="half_sse", lr=0.1, batch=1, steps=1,
                     optimizer=Optimizer("adam"), state=one_step(Optimizer("momentum"), 0.1).state)


@pytest.mark.parametrize("bad", [dict(name="adagrad"), dict(beta1=1.0), dict(beta2=-0.1), dict(momentum=float("nan")), dict(weight_decay=-1.0)])
def test_bad_hyperparameters_are_refused(bad):
    with pytest.raises(ValueError):
        Optimizer(**bad)


# --- against torch.optim --------------------------------------------------------------

NETS = [  # sizes, activations, loss
    ((3, 4, 2), ("relu", "sigmoid"), "binary_cross_entropy"),
    ((2, 5, 3), ("tanh", "softmax"), "cross_entropy"),
    ((2, 4, 3, 1), ("leaky_relu", "tanh", "linear"), "mse"),
]


def torch_run(torch, name, hyper, lr, X, Y, W, b, activations, loss, steps, batch):
    F = torch.nn.functional
    tw = [torch.tensor(w, requires_grad=True, dtype=torch.float64) for w in W]
    tb = [torch.tensor(v, requires_grad=True, dtype=torch.float64) for v in b]
    o, params = hyper, tw + tb
    make = {
        "sgd": lambda: torch.optim.SGD(params, lr=lr, weight_decay=o.weight_decay),
        "momentum": lambda: torch.optim.SGD(params, lr=lr, momentum=o.momentum, weight_decay=o.weight_decay),
        "nesterov": lambda: torch.optim.SGD(params, lr=lr, momentum=o.momentum, nesterov=True, weight_decay=o.weight_decay),
        "rmsprop": lambda: torch.optim.RMSprop(params, lr=lr, alpha=o.alpha, eps=o.eps, weight_decay=o.weight_decay),
        "adam": lambda: torch.optim.Adam(params, lr=lr, betas=(o.beta1, o.beta2), eps=o.eps, weight_decay=o.weight_decay),
        "adamw": lambda: torch.optim.AdamW(params, lr=lr, betas=(o.beta1, o.beta2), eps=o.eps, weight_decay=o.weight_decay),
    }[name]()
    f = {"relu": torch.relu, "tanh": torch.tanh, "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "linear": lambda z: z}
    Xt, Yt, losses = torch.tensor(X), torch.tensor(Y), []
    for s in range(steps):
        rows = [(s * batch + k) % len(X) for k in range(batch)]
        a = Xt[rows]
        for l in range(len(tw)):
            z = a @ tw[l] + tb[l]
            a = z if l == len(tw) - 1 else f[activations[l]](z)
        y = Yt[rows]
        per = {
            "binary_cross_entropy": lambda: F.binary_cross_entropy_with_logits(a, y, reduction="none").mean(1),
            "cross_entropy": lambda: -(y * torch.log_softmax(a, 1)).sum(1),
            "mse": lambda: ((a - y) ** 2).mean(1),
        }[loss]()
        L = per.mean()
        losses.append(L.item())
        make.zero_grad()
        L.backward()
        make.step()
    torch_keys = {"velocity": "momentum_buffer", "square_avg": "square_avg", "exp_avg": "exp_avg", "exp_avg_sq": "exp_avg_sq"}
    state = {k: [make.state[p][torch_keys[k]].numpy() for p in params] for k in STATE[name]}
    return losses, [p.detach().numpy() for p in params], state


def rel_err(a, b) -> float:
    """Each difference relative to the value, or to a thousandth of the array's largest value
    where cancellation has left the value itself near zero."""
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-3 * np.max(np.abs(b)))))


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_against_torch_optim(name, weight_decay, torch):
    rng = np.random.default_rng(11)
    hyper = Optimizer(name, momentum=0.8, alpha=0.9, beta1=0.8, beta2=0.95, eps=1e-6, weight_decay=weight_decay)
    worst = 0.0
    for sizes, activations, loss in NETS:
        X = rng.uniform(-1, 1, size=(5, sizes[0]))
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 5)] if loss == "cross_entropy" else rng.uniform(0, 1, size=(5, sizes[-1]))
        W = [rng.normal(size=(i, o)) for i, o in zip(sizes, sizes[1:])]
        b = [rng.normal(size=o) * 0.5 for o in sizes[1:]]
        steps, batch, lr = 7, 2, 0.05  # 7 steps of 2 wrap round the 5 samples twice
        t = engine.train(X, Y, W, b, activations=activations, loss=loss, lr=lr, batch=batch, steps=steps, optimizer=hyper)
        losses, params, state = torch_run(torch, name, hyper, lr, X, Y, W, b, activations, loss, steps, batch)
        ours = [w[-1] for w in t.W] + [v[-1] for v in t.b]
        ours_state = {k: [st[k] for st in t.state.W + t.state.b] for k in STATE[name]}  # torch's order: W1, W2, …, b1, …
        pairs = [(t.loss, losses)] + list(zip(ours, params)) + [(a, c) for k in state for a, c in zip(ours_state[k], state[k])]
        for mine, theirs in pairs:
            worst = max(worst, rel_err(mine, theirs))
            assert rel_err(mine, theirs) <= 1e-12, (mine, theirs)
    print(f"{name} λ={weight_decay}: worst relative error against torch {worst:.1e}")


# --- chunks ---------------------------------------------------------------------------


class WithOptimizer:
    """A spec with an optimizer, as the spec stage will give one (a name and hyperparameters)."""

    def __init__(self, spec, optimizer: str, **hyper) -> None:
        self._spec, self.optimizer = spec, optimizer
        self.__dict__.update(hyper)

    def __getattr__(self, name):
        return getattr(self._spec, name)


def stacked(traces, field):
    value = [getattr(t, field) for t in traces]
    if isinstance(value[0], dict):
        return {k: [np.concatenate([v[k][l] for v in value]) for l in range(len(value[0][k]))] for k in value[0]}
    if isinstance(value[0], list):
        if field in ("W", "b"):  # steps + 1 rows: each chunk's last row is the next one's first
            return [np.concatenate([v[l][:-1] for v in value] + [value[-1][l][-1:]]) for l in range(len(value[0]))]
        return [np.concatenate([v[l] for v in value]) for l in range(len(value[0]))]
    return None if value[0] is None else np.concatenate(value)


@pytest.mark.parametrize("name,template", list(itertools.product(["adam", "rmsprop", "adamw", "nesterov"], ["classifier", "sigmoid-2-3-1"])))
def test_chunked_run_equals_the_whole_run(name, template):
    spec = WithOptimizer(make_spec(BuildOptions(template=template, steps=30, batch=2)), name, weight_decay=0.01, beta1=0.8)
    [whole] = Training(spec, chunk_steps=spec.steps).chunks()
    training = Training(spec, chunk_steps=4)
    parts = [c.trace for c in training.chunks()]
    assert len(parts) == 8
    assert set(whole.trace.opt) > set(STATE[name]) and set(whole.trace.opt_b) == set(whole.trace.opt)
    for field in ("W", "b", "z", "a", "loss", "hits", "delta", "dW", "db", "opt", "opt_b"):
        a, b = stacked(parts, field), getattr(whole.trace, field)
        if isinstance(a, dict):
            assert a.keys() == b.keys()
            a, b = [x for k in a for x in a[k]], [y for k in b for y in b[k]]
        elif a is None:
            assert b is None
            continue
        elif not isinstance(a, list):
            a, b = [a], [b]
        assert len(a) == len(b)
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    for mine, theirs in zip(training.final_state.W, whole.trace.state.W):
        for k in mine:
            np.testing.assert_array_equal(mine[k], theirs[k])
    assert training.final_loss == whole.trace.loss[-1]


def test_engine_options_read_the_spec():
    spec = make_spec(BuildOptions(layers=(2, 3, 3), activation="tanh", loss="cross_entropy"))
    assert engine.engine_options(spec) == (("tanh", "softmax"), Optimizer("sgd"))
    assert engine.engine_options(make_spec(BuildOptions(layers=(2, 3, 1), activation="relu", loss="mse")))[0] == ("relu", "relu")
    acts, opt = engine.engine_options(WithOptimizer(spec, "adam", beta1=0.5, eps=1e-6))
    assert opt == Optimizer("adam", beta1=0.5, eps=1e-6)
    assert engine.engine_options(WithOptimizer(spec, Optimizer("rmsprop")))[1] == Optimizer("rmsprop")


def test_an_explicit_sgd_is_bit_for_bit_the_default():
    """A spec that names sgd (λ = 0) must keep today's numbers, and so the golden workbooks."""
    spec = make_spec(BuildOptions(template="classifier", steps=20, batch=2))
    plain, named = Training(spec, chunk_steps=6), Training(WithOptimizer(spec, "sgd"), chunk_steps=6)
    for a, b in zip(plain.chunks(), named.chunks()):
        for l in range(spec.n_layers):
            assert a.trace.W[l].tobytes() == b.trace.W[l].tobytes() and a.trace.b[l].tobytes() == b.trace.b[l].tobytes()
        assert a.trace.loss.tobytes() == b.trace.loss.tobytes()
