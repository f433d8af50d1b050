"""Learning-rate schedules: the engine's lr_t and training against torch.optim.lr_scheduler
(StepLR, CosineAnnealingLR, `scheduler.step()` after each optimizer step) in float64, every
optimizer; the workbooks' lr_schedule cells live in both layouts (edits of lr, step_size and
gamma recompute), recalculated by formulas and LibreOffice; bad values refused in one line."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import edit_named, needs_soffice
from test_optimizer_workbooks import _named
from test_optimizers import assert_steps_equal, engine_steps, torch_optimizer

from excelbp import engine
from excelbp.build import make_spec
from excelbp.cli import main
from excelbp.errors import InputError
from excelbp.spec import BuildOptions
from excelbp.spec.optimizers import OPTIMIZERS, RULES
from excelbp.spec.schedules import Schedule
from excelbp.verify import verify


def test_the_contract_defaults_and_rates():
    assert Schedule.of("step", steps=10) == Schedule("step", 3, 0.1)  # N = ⌊T/3⌋
    assert Schedule.of("step", steps=2).step_size == 1  # at least 1
    assert Schedule.of("cosine", steps=5, gamma=0.5) == Schedule(
        "cosine"
    )  # inputs it has no use for are dropped
    np.testing.assert_array_equal(Schedule.of(steps=4).rates(0.5, 4), [0.5] * 4)
    assert list(Schedule("step", 2, 0.5).rates(1.0, 5)) == [1, 1, 0.5, 0.5, 0.25]
    cos = Schedule("cosine").rates(2.0, 4)
    assert cos == pytest.approx(
        [2, 1 + math.cos(math.pi / 4), 1, 1 - math.cos(math.pi / 4)], rel=1e-15
    )


@pytest.mark.parametrize(
    "bad",
    [
        dict(name="linear"),
        dict(name="step", step_size=0),
        dict(name="step", gamma=0.0),
        dict(name="step", gamma=float("inf")),
    ],
)
def test_bad_schedules_are_refused(bad):
    with pytest.raises(InputError):
        Schedule.of(bad.pop("name"), steps=6, **bad)


# --- against torch.optim.lr_scheduler ------------------------------------------------

NETS = {  # loss → (sizes, activations)
    "mse": ((3, 4, 2), ("tanh", "linear")),
    "cross_entropy": ((3, 4, 3), ("relu", "softmax")),
}


def torch_scheduled(torch, spec, name, sched, weight_decay):
    """torch's run of the spec's network: each step's rate, loss, ∂L/∂p, parameters and state."""
    F = torch.nn.functional
    tw = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in spec.W_init]
    tb = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in spec.b_init]
    params = [p for pair in zip(tw, tb) for p in pair]  # the engine's order: W1, b1, W2, b2
    opt = torch_optimizer(torch, name, params, spec.lr, weight_decay, None)
    lr_scheduler = torch.optim.lr_scheduler
    if sched == "step":
        scheduler = lr_scheduler.StepLR(
            opt, step_size=spec.schedule.step_size, gamma=spec.schedule.gamma
        )
    else:
        scheduler = lr_scheduler.CosineAnnealingLR(opt, T_max=spec.steps, eta_min=0)
    keys = {
        "velocity": "momentum_buffer",
        "square_avg": "square_avg",
        "exp_avg": "exp_avg",
        "exp_avg_sq": "exp_avg_sq",
        "sum": "sum",
    }
    X, Y = torch.tensor(spec.X), torch.tensor(spec.Y)
    out = {"loss": [], "grad": [], "param": [], **{k: [] for k in RULES[name].state}}
    rates = []
    for s in range(spec.steps):
        rows = [(s * spec.batch + k) % spec.n_samples for k in range(spec.batch)]
        a = X[rows]
        for l in range(len(tw)):
            z = a @ tw[l] + tb[l]
            a = (
                z
                if l == len(tw) - 1
                else (torch.tanh(z) if spec.activations[l] == "tanh" else F.relu(z))
            )
        y = Y[rows]
        L = (
            F.mse_loss(a, y, reduction="none").mean(1)
            if spec.loss == "mse"
            else F.cross_entropy(a, y, reduction="none")
        ).mean()
        opt.zero_grad()
        L.backward()
        rates.append(opt.param_groups[0]["lr"])
        out["loss"].append(L.item())
        out["grad"].append([p.grad.numpy().copy() for p in params])
        opt.step()
        scheduler.step()  # after each optimizer step, as the contract says
        out["param"].append([p.detach().numpy().copy() for p in params])
        for k in RULES[name].state:
            out[k].append([opt.state[p][keys[k]].numpy().copy() for p in params])
    return rates, out


@pytest.mark.parametrize("loss", sorted(NETS))
@pytest.mark.parametrize("sched", ["step", "cosine"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_against_torch_lr_scheduler(name, sched, loss, torch):
    sizes, activations = NETS[loss]
    weight_decay = 0.05  # adamw's decoupled decay must use lr_t too
    # 10 steps: StepLR's default N = 3 falls at steps 4, 7 and 10; torch's defaults besides
    spec = make_spec(
        BuildOptions(
            layers=sizes,
            activation=",".join(activations),
            loss=loss,
            optimizer=name,
            batch=2,
            steps=10,
            lr=0.05,
            schedule=sched,
            gamma=0.5 if sched == "step" else None,
            hyper=(("weight_decay", weight_decay),),
        )
    )
    [chunk] = engine.Training(spec, chunk_steps=spec.steps).chunks()
    rates, theirs = torch_scheduled(torch, spec, name, sched, weight_decay)
    assert chunk.trace.lr == pytest.approx(rates, rel=1e-14, abs=1e-18)
    assert_steps_equal(engine_steps(chunk.trace, name, True), theirs)


def test_chunks_take_the_whole_runs_rate():
    """A chunk of a long run carries on the run's schedule (T the whole run's steps)."""
    spec = make_spec(
        BuildOptions(template="classifier", steps=12, batch=2, schedule="cosine", optimizer="adam")
    )
    [whole] = engine.Training(spec, chunk_steps=12).chunks()
    parts = [c.trace for c in engine.Training(spec, chunk_steps=5).chunks()]
    np.testing.assert_array_equal(np.concatenate([p.lr for p in parts]), whole.trace.lr)
    np.testing.assert_array_equal(parts[-1].W[0][-1], whole.trace.W[0][-1])


# --- workbooks -----------------------------------------------------------------------


@pytest.mark.parametrize("sched", ["constant", "step", "cosine"])
@pytest.mark.parametrize("layout", ["rows", "blocks"])
def test_every_schedule_recalculates_to_the_engine(make_workbook, sched, layout):
    path = make_workbook(
        layers=(2, 3, 3),
        activation="tanh",
        loss="cross_entropy",
        optimizer="adamw",
        weight_decay=0.02,
        layout=layout,
        batch=2,
        steps=7,
        lr=0.1,
        schedule=sched,
    )
    report = verify(path)
    assert report.ok, report.lines()
    assert report.stats["learning rates lr_t"].cells == 7 * (
        2 if layout == "blocks" else 1
    )  # blocks: the Steps sheet shows each too
    rates = _named(path, "lr_schedule")
    assert rates == pytest.approx(
        list(make_spec(BuildOptions(steps=7, schedule=sched)).schedule.rates(0.1, 7)), rel=1e-15
    )
    assert _named(path, "schedule") == [sched]


@pytest.mark.parametrize("layout", ["rows", "blocks"])
def test_edits_of_lr_step_size_and_gamma_recompute(make_workbook, layout):
    path = make_workbook(
        layers=(2, 3, 1),
        activation="sigmoid",
        loss="mse",
        optimizer="momentum",
        layout=layout,
        batch=2,
        steps=8,
        schedule="step",
        step_size=3,
        gamma=0.5,
    )
    before = _named(path, "lr_schedule")
    assert before == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.025] * 2, rel=1e-15)
    edit_named(path, {"lr": 0.2, "step_size": 2, "gamma": 0.25})
    assert _named(path, "lr_schedule") == pytest.approx(
        [0.2, 0.2, 0.05, 0.05, 0.0125, 0.0125, 0.003125, 0.003125], rel=1e-15
    )
    assert verify(path).ok


@pytest.mark.libreoffice
def test_libreoffice_recalculates_edited_schedules(make_workbook):
    needs_soffice()
    paths = [
        make_workbook(
            "step-rows",
            template="sigmoid-2-3-1",
            steps=6,
            schedule="step",
            optimizer="adagrad",
            compare_lr=(0.05, 0.5),
        ),
        make_workbook(
            "cosine-blocks",
            template="classifier",
            layout="blocks",
            batch=3,
            steps=5,
            schedule="cosine",
            optimizer="adamw",
            weight_decay=0.01,
        ),
    ]
    edit_named(paths[0], {"step_size": 1, "gamma": 0.8, "lr": 0.3})
    edit_named(paths[1], {"lr": 0.2})
    for path in paths:
        report = verify(path, engine="libreoffice")
        assert report.ok, report.lines()


@pytest.mark.parametrize(
    "args, option",
    [
        (["--schedule", "linear"], "--schedule"),
        (["--schedule", "step", "--step-size", "0"], "--step-size"),
        (["--schedule", "step", "--gamma", "-0.5"], "--gamma"),
    ],
)
def test_bad_schedule_options_are_one_line_and_no_file(tmp_path, capsys, args, option):
    out = tmp_path / "x.xlsx"
    assert main(["build", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and option in err, err
    assert not out.exists()
