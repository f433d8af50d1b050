"""The engine's activations and losses against torch.nn.functional in float64: values, and
derivatives against autograd, over a grid that reaches the pre-activations (±1000) where the
contract promises finite, stable forms.

Tolerances: 1e-12 relative. Where an absolute floor is added, the comment beside it says
which numbers need it and why; none hides a difference larger than a few units in the last
place of the quantity's own scale.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from excelbp import engine
from excelbp.engine.functions import ACTIVATIONS, LOSSES, OUTPUT_ACTIVATION

TINY = np.finfo(float).tiny  # the smallest normal double, 2.2e-308
# Pre-activations: the extremes the contract names, the edges of exp's range (e^±709.78
# overflows, e^−745 is the last subnormal), zeros of both signs, the points where tanh and
# sigmoid round to ±1, and a spread of ordinary values.
EDGES = [
    -1000.0,
    -745.0,
    -744.0,
    -720.0,
    -709.0,
    -700.0,
    -100.0,
    -40.0,
    -36.5,
    -20.0,
    -1.0,
    -1e-300,
    -0.0,
    0.0,
    1e-300,
    1e-8,
    0.5,
    1.0,
    5.0,
    18.0,
    19.0,
    20.0,
    36.0,
    37.0,
    40.0,
    100.0,
    709.0,
    710.0,
    1000.0,
]
Z = np.concatenate(
    [
        EDGES,
        np.random.default_rng(0).uniform(-40, 40, 300),
        np.random.default_rng(1).normal(size=300),
    ]
)


def torch_activation(torch, name):
    F = torch.nn.functional
    return {
        "linear": torch.nn.Identity(),
        "sigmoid": F.sigmoid,
        "tanh": F.tanh,
        "relu": F.relu,
        "leaky_relu": F.leaky_relu,  # torch's default slope, 0.01: the contract's
    }[name]


def test_every_activation_is_checked():
    assert set(ACTIVATIONS) == {"linear", "sigmoid", "tanh", "relu", "leaky_relu"}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_and_its_slope_against_torch(name, torch):
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    a = torch_activation(torch, name)(z)
    (slope,) = torch.autograd.grad(a.sum(), z)
    a, slope = a.detach().numpy(), slope.numpy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # the stable forms
        mine = engine.activate(name, Z[None])
        my_slope = engine.activation_slope(name, Z[None], mine)[0]
    mine = mine[0]
    assert np.all(np.isfinite(mine)) and np.all(np.isfinite(my_slope))
    if name in ("linear", "relu", "leaky_relu"):  # no rounding anywhere: bit for bit, z = ±0
        # included (the contract's slopes there, relu 0 and leaky_relu 0.01, are autograd's)
        np.testing.assert_array_equal(mine, a)
        np.testing.assert_array_equal(my_slope, slope)
        return
    # sigmoid below z ≈ −709.8: torch's 1/(1 + e^−z) has overflowed to 1/inf = 0, while the
    # engine's e^z/(1 + e^z) keeps the subnormal (σ(−745) = 4.9e-324, the true value to
    # the last bit): the floor TINY lets the two differ there and nowhere else.
    np.testing.assert_allclose(mine, a, rtol=1e-12, atol=TINY)
    # The slopes, a(1 − a) and 1 − a², are both sides' formula (torch's backward uses the
    # same); they are at most 1 and near saturation differ by an ulp of a: at z = 19 torch's
    # tanh is 1 − 2⁻⁵³ (correctly rounded), NumPy's 1.0, so the slopes are 2.2e-16 and 0.
    np.testing.assert_allclose(my_slope, slope, rtol=1e-12, atol=4 * np.finfo(float).eps)
    # the extremes the contract names, exactly
    at = {v: i for i, v in enumerate(EDGES)}
    hi, lo = at[1000.0], at[-1000.0]
    assert (mine[hi], mine[lo]) == ((1.0, 0.0) if name == "sigmoid" else (1.0, -1.0))
    assert (my_slope[hi], my_slope[lo]) == (0.0, 0.0) == (slope[hi], slope[lo])


SOFTMAX_ROWS = np.array(
    [
        [1000.0, -1000.0, 0.0],
        [1000.0, 1000.0, 999.0],
        [-1000.0, -1000.0, -1000.0],
        [-1000.0, -999.0, -1000.0],
        [745.0, 0.0, -745.0],
        [40.0, 0.0, -40.0],
        [0.0, 0.0, 0.0],
        [1e-300, -1e-300, 0.0],
    ]
)


def test_softmax_against_torch(torch):
    rows = np.concatenate([SOFTMAX_ROWS, np.random.default_rng(2).normal(scale=20, size=(50, 3))])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # the stable form
        m, s, p = engine.softmax_parts(rows)
    theirs = torch.nn.functional.softmax(torch.tensor(rows), dim=1).numpy()
    # p below TINY: e^(z − max) for z − max < −708 is subnormal on both sides, each
    # rounded its own way there
    np.testing.assert_allclose(p, theirs, rtol=1e-12, atol=TINY)
    # ln S + max is torch's logsumexp, the cross-entropy's first term
    lse = torch.logsumexp(torch.tensor(rows), dim=1).numpy()
    np.testing.assert_allclose(m + np.log(s), lse, rtol=1e-12, atol=0)


# --- losses -----------------------------------------------------------------------------
#
# Each loss through the engine's own training step, on a one-layer network whose
# pre-activations are exactly the rows of ZL: X is the identity, no bias, W = ZL. So
# z = ZL, the engine's per-sample loss, its mean, δ = ∂(sample loss)/∂z and ∂L/∂W = δ/B come
# from the same code a build uses, and torch's autograd takes the same derivatives.

ZL = np.array(
    [
        [1000.0, -1000.0, 0.5],
        [-1000.0, -1000.0, -1000.0],
        [1000.0, 999.0, -3.0],
        [0.3, -0.7, 2.0],
        [-40.0, 40.0, 0.0],
        [36.0, -36.0, 1e-8],
        [-0.25, 1.5, -2.0],
    ]
)
ONE_HOT = np.eye(3)[[1, 0, 2, 0, 1, 1, 2]]  # 2 and 6: the target is a −1000 or far-down logit
# soft targets that sum to 1 exactly (the engine's δ = p − y assumes Σy = 1; a build only
# ever has one-hot ones, spec/model.py refuses others)
SOFT = np.array(
    [
        [0.25, 0.75, 0.0],
        [0.5, 0.25, 0.25],
        [0.0, 0.0, 1.0],
        [0.125, 0.375, 0.5],
        [0.5, 0.5, 0.0],
        [1.0, 0.0, 0.0],
        [0.0625, 0.9375, 0.0],
    ]
)
# targets in [0, 1], the ends included, each where it meets an extreme
UNIT = np.array(
    [
        [0.0, 1.0, 0.3],
        [1.0, 0.0, 0.5],
        [1.0, 1.0, 0.0],
        [0.2, 0.9, 0.6],
        [0.0, 1.0, 0.5],
        [1.0, 0.0, 0.999],
        [0.75, 0.1, 0.4],
    ]
)

# every loss with each last activation the contract allows it
LOSS_CASES = [
    (loss, OUTPUT_ACTIVATION[loss]) if loss in OUTPUT_ACTIVATION else None for loss in LOSSES
]
LOSS_CASES = [c for c in LOSS_CASES if c] + [
    (loss, f) for loss, f in itertools.product(LOSSES, ACTIVATIONS) if loss not in OUTPUT_ACTIVATION
]
LOSS_CASES += [("cross_entropy-soft", "softmax")]


def torch_sample_loss(torch, loss, z, y, last):
    """Per-sample loss from the logits z, in torch.nn.functional's own terms."""
    F = torch.nn.functional
    if loss == "cross_entropy":  # probability targets (torch ≥ 1.10)
        return F.cross_entropy(z, y, reduction="none")
    if loss == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(z, y, reduction="none").mean(1)
    out = torch_activation(torch, last)(z)
    squares = F.mse_loss(out, y, reduction="none")
    return {"sse": squares.sum(1), "half_sse": 0.5 * squares.sum(1), "mse": squares.mean(1)}[loss]


def test_every_loss_is_checked():
    assert {c[0].removesuffix("-soft") for c in LOSS_CASES} == set(LOSSES)
    assert set(LOSSES) == {"sse", "half_sse", "mse", "cross_entropy", "binary_cross_entropy"}


@pytest.mark.parametrize("case,last", LOSS_CASES, ids=[f"{c}-{f}" for c, f in LOSS_CASES])
def test_loss_and_its_gradient_against_torch(case, last, torch):
    loss = case.removesuffix("-soft")
    Y = {"cross_entropy": ONE_HOT, "cross_entropy-soft": SOFT}.get(case, UNIT)
    B = len(ZL)
    t = engine.train(
        np.eye(B), Y, [ZL], None, activations=[last], loss=loss, lr=0.1, batch=B, steps=1
    )
    np.testing.assert_array_equal(t.z[0][0], ZL)  # the harness: z is ZL to the bit

    W = torch.tensor(ZL, dtype=torch.float64, requires_grad=True)
    z = torch.eye(B, dtype=torch.float64) @ W
    per = torch_sample_loss(torch, loss, z, torch.tensor(Y), last)
    L = per.mean()
    (dz,) = torch.autograd.grad(per.sum(), z, retain_graph=True)  # per sample: δ
    (dW,) = torch.autograd.grad(L, W)
    per, dz, dW = per.detach().numpy(), dz.numpy(), dW.numpy()

    assert np.all(np.isfinite(t.sample_loss)) and np.all(np.isfinite(t.delta[0]))
    # Both cross-entropies are written as sums of terms of z's size that cancel, the
    # contract's (m + ln S)·Σy − Σ y·z and max(z, 0) − y·z + ln(1 + e^−|z|): a loss below an
    # ulp of the row's largest |z| is lost to it. Row 5 with target class 0 (soft targets):
    # the true loss is ln(1 + e^−36 + e^−72) = 2.3e-16, torch's log_softmax gives 2.2e-16
    # and the engine 36 + 2.2e-16 − 36 = 0. So each row is allowed 4 ulps of its max |z|.
    floor = 4 * np.finfo(float).eps * np.abs(ZL).max(axis=1)
    diff = np.abs(t.sample_loss[0] - per)
    assert np.all(diff <= 1e-12 * np.abs(per) + floor), (t.sample_loss[0], per)
    assert t.loss[0] == pytest.approx(L.item(), rel=1e-12, abs=floor.mean())
    # δ's scale is its largest entry: entries that cancel to near zero (p − y with p ≈ y)
    # are judged on it, as are the 0s of saturated units that torch leaves at ±1e-300
    scale = np.max(np.abs(dz))
    np.testing.assert_allclose(t.delta[0][0], dz, rtol=1e-12, atol=1e-15 * scale)
    np.testing.assert_allclose(t.dW[0][0], dW, rtol=1e-12, atol=1e-15 * scale / B)
    if loss == "cross_entropy":
        p = torch.nn.functional.softmax(z, 1)
    else:
        p = torch_activation(torch, "sigmoid" if loss == "binary_cross_entropy" else last)(z)
    np.testing.assert_allclose(t.a[0][0], p.detach().numpy(), rtol=1e-12, atol=TINY)


# --- a network pushed to the extremes ---------------------------------------------------

SATURATED = [
    (("sigmoid", "softmax"), "cross_entropy"),
    (("tanh", "sigmoid"), "binary_cross_entropy"),
    (("relu", "softmax"), "cross_entropy"),
    (("leaky_relu", "sigmoid"), "binary_cross_entropy"),
    (("tanh", "sigmoid"), "mse"),
    (("sigmoid", "linear"), "half_sse"),
]


@pytest.mark.parametrize(
    "activations,loss", SATURATED, ids=[f"{a[0]},{a[1]}-{loss}" for a, loss in SATURATED]
)
def test_saturated_network_against_autograd(activations, loss, torch):
    """Weights large enough that both layers' pre-activations reach several hundred: the
    loss and every gradient of a step equal autograd's on the same network."""
    F = torch.nn.functional
    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, size=(6, 3))
    Y = ONE_HOT[:6] if loss == "cross_entropy" else UNIT[:6]
    W = [rng.normal(size=(3, 4)) * 400, rng.normal(size=(4, 3)) * 300]
    if activations[0] in ("relu", "leaky_relu"):
        W[1] /= 300  # their outputs are already hundreds
    b = [rng.normal(size=4) * 10, rng.normal(size=3) * 10]
    t = engine.train(X, Y, W, b, activations=activations, loss=loss, lr=0.1, batch=6, steps=1)
    assert np.abs(t.z[0]).max() > 500 and np.abs(t.z[1]).max() > 500  # the extremes are reached
    assert np.isfinite(t.loss[0])

    tw = [torch.tensor(w, requires_grad=True) for w in W]
    tb = [torch.tensor(v, requires_grad=True) for v in b]
    h = torch_activation(torch, activations[0])(torch.tensor(X) @ tw[0] + tb[0])
    z = h @ tw[1] + tb[1]
    y = torch.tensor(Y)
    if loss in ("cross_entropy", "binary_cross_entropy"):
        per = torch_sample_loss(torch, loss, z, y, activations[1])
    else:
        out = torch_activation(torch, activations[1])(z)
        per = {
            "mse": lambda: F.mse_loss(out, y, reduction="none").mean(1),
            "half_sse": lambda: 0.5 * F.mse_loss(out, y, reduction="none").sum(1),
        }[loss]()
    L = per.mean()
    L.backward()
    floor = 4 * np.finfo(float).eps * np.abs(t.z[1][0]).max()  # the cross-entropies' cancellation
    assert t.loss[0] == pytest.approx(L.item(), rel=1e-12, abs=floor)
    ours = [t.dW[0][0], t.db[0][0], t.dW[1][0], t.db[1][0]]
    theirs = [p.grad.numpy() for p in (tw[0], tb[0], tw[1], tb[1])]
    scale = max(np.abs(g).max() for g in theirs)
    assert scale > 0
    for mine, grad in zip(ours, theirs):
        # near-zero entries (saturated units) are judged on the step's largest gradient
        np.testing.assert_allclose(mine, grad, rtol=1e-12, atol=1e-15 * scale)
