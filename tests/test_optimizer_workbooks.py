"""Workbooks with per-layer activations, binary cross-entropy and every optimizer: the
recalculated cells equal the engine (whose optimizers tests/test_optimizers.py checks
against torch.optim and hand-worked steps), edits of the hyperparameters are live, the two
teaching templates learn, and bad values are refused in one line."""

from __future__ import annotations

import pytest
from conftest import edit_named
from openpyxl import load_workbook

from excelbp.cli import main
from excelbp.spec.optimizers import OPTIMIZERS, Optimizer
from excelbp.verify import reader, verify


def _named(path, name):
    """A defined name's recalculated values (formulas engine), as a flat list."""
    values = reader.recalculate(reader.open_book(path)).values
    wb = load_workbook(path)
    [(sheet, ref)] = list(wb.defined_names[name].destinations)
    cells = wb[sheet][ref.replace("$", "")]
    cells = (
        [cells]
        if not isinstance(cells, tuple)
        else [c for row in cells for c in (row if isinstance(row, tuple) else (row,))]
    )
    return [values.get(f"{sheet}!{c.coordinate}", c.value) for c in cells]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("layout", ["rows", "blocks"])
def test_every_optimizer_recalculates_to_the_engine(make_workbook, optimizer, layout):
    path = make_workbook(
        layers=(1, 3, 1),
        activation="relu,linear",
        loss="mse",
        optimizer=optimizer,
        layout=layout,
        batch=2,
        steps=4,
        lr=0.05,
        weight_decay=0.02,
    )
    report = verify(path)
    assert report.ok, report.lines()
    if optimizer != "sgd":  # the state is shown, and checked
        assert any(name.startswith("optimizer state") for name in report.stats)


@pytest.mark.parametrize("optimizer", ["sgd", "nesterov", "rmsprop", "adamw", "adagrad"])
def test_hyperparameters_are_live_inputs(make_workbook, optimizer):
    """Editing a hyperparameter changes the training, and the workbook still equals the
    engine run on the edited values."""
    path = make_workbook(
        layers=(2, 3, 3),
        activation="tanh",
        loss="cross_entropy",
        optimizer=optimizer,
        batch=2,
        steps=5,
        lr=0.1,
    )
    before = _named(path, "loss")
    edits = {"weight_decay": 0.03, "lr": 0.07}
    edits.update(
        {
            name: 0.8
            for name in Optimizer(optimizer).hyperparameters
            if name in ("momentum", "beta1")
        }
    )
    edits.update({name: 0.95 for name in Optimizer(optimizer).hyperparameters if name == "alpha"})
    if optimizer == "adagrad":  # its ε matters: s is small after a few steps
        edits["eps"] = 0.1
    edit_named(path, edits)
    assert _named(path, "loss")[1:] != pytest.approx(before[1:], rel=1e-6)
    assert verify(path).ok


def test_binary_cross_entropy_stays_finite_for_z_of_1000(make_workbook):
    path = make_workbook(layers=(2, 1), activation="sigmoid", loss="binary_cross_entropy", steps=3)
    edit_named(path, {"W1_init": {(0, 0): 1000.0}, "lr": 1e-9})
    result = reader.recalculate(reader.open_book(path))
    assert not [
        k
        for k in result.formulas
        if isinstance(result.values[k], str) and result.values[k].startswith("#")
    ]
    assert verify(path).ok


@pytest.mark.slow
def test_the_logistic_template_separates_its_held_out_points(make_workbook):
    path = make_workbook(template="logistic")
    assert verify(path).ok
    assert _named(path, "test_accuracy")[0] >= 0.9


@pytest.mark.slow
def test_the_regression_template_bends_to_its_curve(make_workbook):
    path = make_workbook(template="regression")
    assert verify(path).ok
    loss = _named(path, "loss")
    assert loss[-1] < loss[0] / 10  # full batches: each step's loss is over all the points


@pytest.mark.slow
def test_a_relu_layer_with_adam_learns_made_up_data(make_workbook):
    """The issue's command: 1 → 8 ReLU → 1 linear, Adam. One sample a step, so each step's
    loss is one sample's: the loss over the first pass against the last pass's."""
    path = make_workbook(
        layers=(1, 8, 1), activation="relu,linear", loss="mse", optimizer="adam", lr=0.05, steps=200
    )
    loss, epoch = _named(path, "loss"), 8
    assert sum(loss[-epoch:]) < sum(loss[:epoch]) / 10
    assert verify(path).ok


@pytest.mark.parametrize(
    "args, option",
    [
        (["--optimizer", "adam", "--beta1", "1"], "--beta1"),
        (["--optimizer", "adam", "--beta2", "-0.1"], "--beta2"),
        (["--optimizer", "adam", "--eps", "0"], "--eps"),
        (["--optimizer", "momentum", "--momentum", "1.5"], "--momentum"),
        (["--weight-decay", "-1"], "--weight-decay"),
        (["--optimizer", "lion"], "--optimizer"),
        (["--optimizer", "adagrad", "--eps", "-1e-10"], "--eps"),
        (["--layers", "2,3,1", "--activation", "relu,softmax", "--loss", "mse"], "--activation"),
        (["--layers", "2,3,1", "--activation", "relu,relu,linear"], "--activation"),
        (
            ["--layers", "2,3,1", "--activation", "relu,linear", "--loss", "binary_cross_entropy"],
            "--activation",
        ),
        (
            [
                "--layers",
                "2,1",
                "--activation",
                "sigmoid",
                "--loss",
                "binary_cross_entropy",
                "--data",
                "MISSING",
            ],
            "MISSING",
        ),
    ],
)
def test_bad_values_are_one_line_and_no_file(tmp_path, capsys, args, option):
    out = tmp_path / "x.xlsx"
    args = [str(tmp_path / "missing.csv") if a == "MISSING" else a for a in args]
    assert main(["build", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and (option in err or "missing.csv" in err), err
    assert not out.exists()
