"""The engine's optimizers: hand-worked steps, torch.optim step for step, and chunked runs
that carry the state across their edges exactly."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from excelbp import engine
from excelbp.build import make_spec
from excelbp.engine import Optimizer
from excelbp.engine.optimizers import OPTIMIZERS
from excelbp.engine.training import Training
from excelbp.errors import InputError
from excelbp.spec import BuildOptions
from excelbp.spec.optimizers import RULES

# One linear neuron with a bias, half_sse, x = 2, y = 0, w = 0.5, b = 0:
# ŷ = 2·0.5 + 0 = 1, L = ½·1² = ½, ∂L/∂w = (ŷ − y)·x = 2, ∂L/∂b = ŷ − y = 1.
X1, Y1 = np.array([[2.0]]), np.array([[0.0]])
W1, B1 = [np.array([[0.5]])], [np.array([0.0])]


def one_step(optimizer: Optimizer, lr: float, **kw) -> engine.Trace:
    return engine.train(
        X1,
        Y1,
        W1,
        B1,
        activations=["linear"],
        loss="half_sse",
        lr=lr,
        batch=1,
        steps=1,
        optimizer=optimizer,
        **kw,
    )


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


def test_adagrad_step_by_hand():
    # ε 1e-10: s = 0 + 2² = 4, w ← 0.5 − 0.1·2/(√4 + 1e-10) = 0.5 − 0.1/(1 + 5e-11);
    # step 2 on the same g: s = 4 + 4 = 8, the step 0.1·2/√8 = 0.1/√2
    t = one_step(Optimizer("adagrad"), lr=0.1)
    assert Optimizer("adagrad").eps == 1e-10 and Optimizer("adam").eps == 1e-8  # torch's defaults
    assert t.opt["sum"][0][0, 0, 0] == 4.0 and t.opt_b["sum"][0][0, 0] == 1.0
    assert t.W[0][1, 0, 0] == pytest.approx(0.5 - 0.1 / (1 + 5e-11), rel=1e-15)
    t2 = one_step(Optimizer("adagrad"), lr=0.1, first_step=1, state=t.state)
    assert t2.opt["sum"][0][0, 0, 0] == 8.0
    assert t2.W[0][1, 0, 0] == pytest.approx(0.5 - 0.1 / 2**0.5, rel=1e-9)


def test_the_trace_records_each_optimizers_state_and_nothing_for_a_missing_bias():
    for name in OPTIMIZERS:
        t = engine.train(
            X1,
            Y1,
            W1,
            None,
            activations=["linear"],
            loss="half_sse",
            lr=0.1,
            batch=1,
            steps=3,
            optimizer=Optimizer(name),
        )
        hats = ("exp_avg_hat", "exp_avg_sq_hat") if name.startswith("adam") else ()
        assert tuple(t.opt) == ("grad",) + RULES[name].state + hats
        assert all(a[0].shape == (3, 1, 1) for a in t.opt.values())
        assert t.opt_b == {} and t.state.b is None and set(t.state.W[0]) == set(RULES[name].state)
    with pytest.raises(ValueError, match="not adam's"):
        engine.train(
            X1,
            Y1,
            W1,
            B1,
            activations=["linear"],
            loss="half_sse",
            lr=0.1,
            batch=1,
            steps=1,
            optimizer=Optimizer("adam"),
            state=one_step(Optimizer("momentum"), 0.1).state,
        )


@pytest.mark.parametrize(
    "bad",
    [
        dict(name="lion"),
        dict(beta1=1.0),
        dict(beta2=-0.1),
        dict(momentum=float("nan")),
        dict(weight_decay=-1.0),
        dict(gamma=0.5),
    ],
)
def test_bad_hyperparameters_are_refused(bad):
    with pytest.raises(InputError):
        Optimizer(bad.pop("name", "sgd"), **bad)


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
        "momentum": lambda: torch.optim.SGD(
            params, lr=lr, momentum=o.momentum, weight_decay=o.weight_decay
        ),
        "nesterov": lambda: torch.optim.SGD(
            params, lr=lr, momentum=o.momentum, nesterov=True, weight_decay=o.weight_decay
        ),
        "rmsprop": lambda: torch.optim.RMSprop(
            params, lr=lr, alpha=o.alpha, eps=o.eps, weight_decay=o.weight_decay
        ),
        "adam": lambda: torch.optim.Adam(
            params, lr=lr, betas=(o.beta1, o.beta2), eps=o.eps, weight_decay=o.weight_decay
        ),
        "adamw": lambda: torch.optim.AdamW(
            params, lr=lr, betas=(o.beta1, o.beta2), eps=o.eps, weight_decay=o.weight_decay
        ),
        "adagrad": lambda: torch.optim.Adagrad(
            params, lr=lr, eps=o.eps, weight_decay=o.weight_decay
        ),
    }[name]()
    f = {
        "relu": torch.relu,
        "tanh": torch.tanh,
        "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
        "linear": lambda z: z,
    }
    Xt, Yt, losses = torch.tensor(X), torch.tensor(Y), []
    for s in range(steps):
        rows = [(s * batch + k) % len(X) for k in range(batch)]
        a = Xt[rows]
        for l in range(len(tw)):
            z = a @ tw[l] + tb[l]
            a = z if l == len(tw) - 1 else f[activations[l]](z)
        y = Yt[rows]
        if loss == "binary_cross_entropy":
            per = F.binary_cross_entropy_with_logits(a, y, reduction="none").mean(1)
        elif loss == "cross_entropy":
            per = -(y * torch.log_softmax(a, 1)).sum(1)
        else:
            assert loss == "mse", loss
            per = ((a - y) ** 2).mean(1)
        L = per.mean()
        losses.append(L.item())
        make.zero_grad()
        L.backward()
        make.step()
    torch_keys = {
        "velocity": "momentum_buffer",
        "square_avg": "square_avg",
        "exp_avg": "exp_avg",
        "exp_avg_sq": "exp_avg_sq",
        "sum": "sum",
    }
    state = {k: [make.state[p][torch_keys[k]].numpy() for p in params] for k in RULES[name].state}
    return losses, [p.detach().numpy() for p in params], state


def rel_err(a, b, scale: float | None = None) -> float:
    """Each difference relative to the value, or to a thousandth of the array's largest value
    (or of `scale`) where cancellation has left the value itself near zero."""
    a, b = np.asarray(a), np.asarray(b)
    scale = np.max(np.abs(b)) if scale is None else scale
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-3 * scale)))


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_against_torch_optim(name, weight_decay, torch):
    rng = np.random.default_rng(11)
    hyper = Optimizer(
        name, momentum=0.8, alpha=0.9, beta1=0.8, beta2=0.95, eps=1e-6, weight_decay=weight_decay
    )
    worst = 0.0
    for sizes, activations, loss in NETS:
        X = rng.uniform(-1, 1, size=(5, sizes[0]))
        Y = (
            np.eye(sizes[-1])[rng.integers(0, sizes[-1], 5)]
            if loss == "cross_entropy"
            else rng.uniform(0, 1, size=(5, sizes[-1]))
        )
        W = [rng.normal(size=(i, o)) for i, o in zip(sizes, sizes[1:])]
        b = [rng.normal(size=o) * 0.5 for o in sizes[1:]]
        steps, batch, lr = 7, 2, 0.05  # 7 steps of 2 wrap round the 5 samples twice
        t = engine.train(
            X,
            Y,
            W,
            b,
            activations=activations,
            loss=loss,
            lr=lr,
            batch=batch,
            steps=steps,
            optimizer=hyper,
        )
        losses, params, state = torch_run(
            torch, name, hyper, lr, X, Y, W, b, activations, loss, steps, batch
        )
        ours = [w[-1] for w in t.W] + [v[-1] for v in t.b]
        ours_state = {
            k: [st[k] for st in t.state.W + t.state.b] for k in RULES[name].state
        }  # torch's order: W1, W2, …, b1, …
        pairs = (
            [(t.loss, losses)]
            + list(zip(ours, params))
            + [(a, c) for k in state for a, c in zip(ours_state[k], state[k])]
        )
        for mine, theirs in pairs:
            worst = max(worst, rel_err(mine, theirs))
            assert rel_err(mine, theirs) <= 1e-12, (mine, theirs)
    print(f"{name} λ={weight_decay}: worst relative error against torch {worst:.1e}")


# Weight decay λ > 0 for each optimizer, step by step against torch.optim in float64: the
# loss, ∂L/∂p, every parameter and the optimizer's state after every step. `defaults` builds
# torch's optimizers with torch's own defaults (α, β1, β2, ε; only lr, λ and, for SGD, μ
# given) and the engine's with the contract's, through the spec stage, so the two sets of
# defaults must agree; `tuned` sets every hyperparameter off its default.
TUNED = {"momentum": 0.7, "alpha": 0.8, "beta1": 0.75, "beta2": 0.9, "eps": 1e-4}
# (sizes, activations, loss, bias), each run with each batch size below over 6 samples
WD_NETS = {
    1: ((3, 4, 2), ("relu", "linear"), "mse", False),  # one sample a step
    4: ((3, 4, 3), ("tanh", "softmax"), "cross_entropy", True),  # batches that wrap round
    6: ((3, 5, 2), ("sigmoid", "sigmoid"), "binary_cross_entropy", True),  # the full batch
}


def torch_optimizer(torch, name, params, lr, weight_decay, hyper):
    """torch.optim's optimizer for `name`; `hyper` None leaves torch's defaults."""
    h = {} if hyper is None else hyper
    kw = {"lr": lr, "weight_decay": weight_decay}
    sgd_momentum = h.get("momentum", 0.9)  # torch's SGD has no momentum unless given
    if name == "rmsprop" and hyper is not None:
        kw.update(alpha=h["alpha"], eps=h["eps"])
    if name in ("adam", "adamw") and hyper is not None:
        kw.update(betas=(h["beta1"], h["beta2"]), eps=h["eps"])
    if name == "adagrad" and hyper is not None:
        kw.update(eps=h["eps"])
    return {
        "sgd": lambda: torch.optim.SGD(params, **kw),
        "momentum": lambda: torch.optim.SGD(params, momentum=sgd_momentum, **kw),
        "nesterov": lambda: torch.optim.SGD(params, momentum=sgd_momentum, nesterov=True, **kw),
        "rmsprop": lambda: torch.optim.RMSprop(params, **kw),
        "adam": lambda: torch.optim.Adam(params, **kw),
        "adamw": lambda: torch.optim.AdamW(params, **kw),
        "adagrad": lambda: torch.optim.Adagrad(params, **kw),
    }[name]()


def torch_steps(torch, name, lr, weight_decay, hyper, X, Y, W, b, activations, loss, steps, batch):
    """Each step's loss, and after it each parameter's gradient, value and state, in the
    engine's order (W1, b1, W2, b2, …; no b without bias), from torch.optim."""
    F = torch.nn.functional
    tw = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in W]
    tb = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in b] if b else []
    params = [p for pair in zip(tw, tb or [None] * len(tw)) for p in pair if p is not None]
    opt = torch_optimizer(torch, name, params, lr, weight_decay, hyper)
    f = {
        "linear": lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": F.leaky_relu,
    }
    per = {
        "mse": lambda a, y: F.mse_loss(a, y, reduction="none").mean(1),
        "cross_entropy": lambda z, y: F.cross_entropy(z, y, reduction="none"),
        "binary_cross_entropy": (
            lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="none").mean(1)
        ),
    }[loss]
    keys = {
        "velocity": "momentum_buffer",
        "square_avg": "square_avg",
        "exp_avg": "exp_avg",
        "exp_avg_sq": "exp_avg_sq",
        "sum": "sum",
    }
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    out = {"loss": [], "grad": [], "param": [], **{k: [] for k in RULES[name].state}}
    for s in range(steps):
        rows = [(s * batch + k) % len(X) for k in range(batch)]
        a = Xt[rows]
        for l in range(len(tw)):
            z = a @ tw[l] + (tb[l] if tb else 0)
            a = z if (l == len(tw) - 1 and loss != "mse") else f[activations[l]](z)  # logits
        L = per(a, Yt[rows]).mean()
        opt.zero_grad()
        L.backward()
        out["loss"].append(L.item())
        out["grad"].append([p.grad.numpy().copy() for p in params])
        opt.step()
        out["param"].append([p.detach().numpy().copy() for p in params])
        for k in RULES[name].state:
            out[k].append([opt.state[p][keys[k]].numpy().copy() for p in params])
    assert all(p.dtype == torch.float64 for p in params)
    return out


def engine_steps(t, name, bias):
    """The engine's trace in torch_steps' shape."""
    n = len(t.W)

    def each(Ws, bs, s):
        return [x for l in range(n) for x in ([Ws[l][s], bs[l][s]] if bias else [Ws[l][s]])]

    out = {"loss": list(t.loss)}
    out["grad"] = [each(t.dW, t.db, s) for s in range(len(t.loss))]
    out["param"] = [each(t.W, t.b, s + 1) for s in range(len(t.loss))]
    for k in RULES[name].state:
        out[k] = [each(t.opt[k], t.opt_b.get(k), s) for s in range(len(t.loss))]
    return out


def assert_steps_equal(mine, theirs, tol=1e-12):
    assert mine.keys() == theirs.keys()
    assert rel_err(mine["loss"], theirs["loss"]) <= tol, (mine["loss"], theirs["loss"])
    for key in mine:
        if key == "loss":
            continue
        assert len(mine[key]) == len(theirs[key])
        for s, (ours, torchs) in enumerate(zip(mine[key], theirs[key])):
            assert len(ours) == len(torchs)
            # a layer's whole gradient can be small beside the others' (sums that cancel), so
            # a near-zero value is judged on the scale of the step's largest, all layers
            scale = max(np.max(np.abs(y)) for y in torchs)
            for i, (x, y) in enumerate(zip(ours, torchs)):
                err = rel_err(x, y, scale)
                where = (key, f"step {s + 1}", f"parameter {i}", err, x, y)
                assert x.shape == y.shape and err <= tol, where


def wd_problem(batch):
    sizes, activations, loss, bias = WD_NETS[batch]
    rng = np.random.default_rng(batch)
    X = rng.uniform(-1, 1, size=(6, sizes[0]))
    k = sizes[-1]
    if loss == "cross_entropy":
        Y = np.eye(k)[rng.integers(0, k, 6)]
    else:
        Y = rng.uniform(0, 1, size=(6, k))
    W = [rng.normal(size=(i, o)) for i, o in itertools.pairwise(sizes)]
    b = [rng.normal(size=o) * 0.5 for o in sizes[1:]] if bias else None
    return X, Y, W, b, activations, loss


@pytest.mark.parametrize("batch", sorted(WD_NETS))
@pytest.mark.parametrize("hyper", ["defaults", "tuned"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_weight_decay_against_torch_optim(name, hyper, batch, torch):
    X, Y, W, b, activations, loss = wd_problem(batch)
    lr, weight_decay, steps = 0.05, (0.1 if hyper == "defaults" else 0.3), 9
    if hyper == "defaults":
        spec = make_spec(BuildOptions(optimizer=name, hyper=(("weight_decay", weight_decay),)))
        optimizer = engine.engine_options(spec)[1]  # the contract's defaults, as a build gets them
        assert optimizer == Optimizer(name, weight_decay=weight_decay)
    else:
        optimizer = Optimizer(name, weight_decay=weight_decay, **TUNED)
    t = engine.train(
        X,
        Y,
        W,
        b,
        activations=activations,
        loss=loss,
        lr=lr,
        batch=batch,
        steps=steps,
        optimizer=optimizer,
    )
    theirs = torch_steps(
        torch,
        name,
        lr,
        weight_decay,
        None if hyper == "defaults" else TUNED,
        X,
        Y,
        W,
        b,
        activations,
        loss,
        steps,
        batch,
    )
    assert_steps_equal(engine_steps(t, name, b is not None), theirs)
    # the decay is no rounding error here: without it torch's parameters end elsewhere
    plain = torch_steps(
        torch,
        name,
        lr,
        0.0,
        None if hyper == "defaults" else TUNED,
        X,
        Y,
        W,
        b,
        activations,
        loss,
        steps,
        batch,
    )
    assert rel_err(plain["param"][-1][0], theirs["param"][-1][0]) > 1e-4


# --- chunks ---------------------------------------------------------------------------


def WithOptimizer(spec, optimizer: str | Optimizer, **hyper):
    """The spec with another optimizer (a name and hyperparameters, or an Optimizer)."""
    return replace(
        spec,
        optimizer=optimizer if isinstance(optimizer, Optimizer) else Optimizer(optimizer, **hyper),
    )


def stacked(traces, field):
    value = [getattr(t, field) for t in traces]
    if isinstance(value[0], dict):
        return {
            k: [np.concatenate([v[k][l] for v in value]) for l in range(len(value[0][k]))]
            for k in value[0]
        }
    if isinstance(value[0], list):
        if field in ("W", "b"):  # steps + 1 rows: each chunk's last row is the next one's first
            return [
                np.concatenate([v[l][:-1] for v in value] + [value[-1][l][-1:]])
                for l in range(len(value[0]))
            ]
        return [np.concatenate([v[l] for v in value]) for l in range(len(value[0]))]
    return None if value[0] is None else np.concatenate(value)


@pytest.mark.parametrize(
    "name,template",
    list(
        itertools.product(["adam", "rmsprop", "adamw", "nesterov"], ["classifier", "sigmoid-2-3-1"])
    ),
)
def test_chunked_run_equals_the_whole_run(name, template):
    spec = WithOptimizer(
        make_spec(BuildOptions(template=template, steps=30, batch=2)),
        name,
        weight_decay=0.01,
        beta1=0.8,
    )
    [whole] = Training(spec, chunk_steps=spec.steps).chunks()
    training = Training(spec, chunk_steps=4)
    parts = [c.trace for c in training.chunks()]
    assert len(parts) == 8
    assert set(whole.trace.opt) > set(RULES[name].state) and set(whole.trace.opt_b) == set(
        whole.trace.opt
    )
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
    assert engine.engine_options(
        make_spec(BuildOptions(layers=(2, 3, 1), activation="relu", loss="mse"))
    )[0] == ("relu", "relu")
    acts, opt = engine.engine_options(WithOptimizer(spec, "adam", beta1=0.5, eps=1e-6))
    assert opt == Optimizer("adam", beta1=0.5, eps=1e-6)
    assert engine.engine_options(WithOptimizer(spec, Optimizer("rmsprop")))[1] == Optimizer(
        "rmsprop"
    )


def test_an_explicit_sgd_is_bit_for_bit_the_default():
    """A spec that names sgd (λ = 0) must keep today's numbers, and so the golden workbooks."""
    spec = make_spec(BuildOptions(template="classifier", steps=20, batch=2))
    plain, named = (
        Training(spec, chunk_steps=6),
        Training(WithOptimizer(spec, "sgd"), chunk_steps=6),
    )
    for a, b in zip(plain.chunks(), named.chunks()):
        for l in range(spec.n_layers):
            assert (
                a.trace.W[l].tobytes() == b.trace.W[l].tobytes()
                and a.trace.b[l].tobytes() == b.trace.b[l].tobytes()
            )
        assert a.trace.loss.tobytes() == b.trace.loss.tobytes()
