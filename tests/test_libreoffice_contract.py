"""Workbooks recalculated by LibreOffice equal an independent implementation of the contract
(tests/oracle.py, plain Python) run on the workbook's own named inputs, before and after edits."""

from __future__ import annotations

import random

import oracle
import pytest
from conftest import assert_contract, edit_named, needs_soffice, structure_of
from openpyxl import load_workbook

from excelbp.spec.optimizers import Optimizer
from excelbp.verify import verify
from excelbp.verify.libreoffice import recalculate

pytestmark = pytest.mark.libreoffice

CASES = {
    "linear": dict(template="linear", steps=20),
    "neuron": dict(template="neuron"),
    "linear-2-2-1": dict(template="linear-2-2-1"),
    "sigmoid-2-3-1": dict(template="sigmoid-2-3-1"),
    "classifier": dict(template="classifier"),
    "2-2-2x1": dict(layers=(2, 2, 2), activation="sigmoid", loss="half_sse", lr=0.5, steps=1),
    "2-2-2x40": dict(layers=(2, 2, 2), activation="sigmoid", loss="half_sse", lr=0.5, steps=40),
    "tanh-mse-b2": dict(layers=(3, 4, 2), activation="tanh", loss="mse", batch=2),
    "relu-ce-b3": dict(layers=(2, 3, 3), activation="relu", loss="cross_entropy", batch=3),
    "2-5-4-2": dict(layers=(2, 5, 4, 2), activation="sigmoid", loss="half_sse"),
    # the blocks layout: a block of rows per step, SUMPRODUCT over rows and columns
    "blocks-classifier": dict(template="classifier", layout="blocks", batch=5, steps=8),
    "blocks-sigmoid-2-3-1": dict(template="sigmoid-2-3-1", layout="blocks"),
    "blocks-relu-mse-b6": dict(
        layers=(6, 5, 2), activation="relu", loss="mse", batch=6, bias=False, layout="blocks"
    ),
    "blocks-2-5-4-2": dict(
        layers=(2, 5, 4, 2), activation="sigmoid", loss="half_sse", batch=3, layout="blocks"
    ),
    # binary cross-entropy: one output (logistic regression), and several
    "bce-logistic": dict(
        layers=(2, 1), activation="sigmoid", loss="binary_cross_entropy", batch=2, steps=6
    ),
    "bce-leaky-blocks": dict(
        layers=(3, 4, 2),
        activation="leaky_relu",
        loss="binary_cross_entropy",
        batch=3,
        steps=4,
        layout="blocks",
    ),
}
# every optimizer × both layouts × a small regression and a softmax classifier (issue 13)
for _opt in ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "adagrad"):
    for _layout in ("rows", "blocks"):
        CASES[f"{_opt}-{_layout}-regression"] = dict(
            layers=(1, 4, 1),
            activation="relu,linear",
            loss="mse",
            optimizer=_opt,
            layout=_layout,
            batch=2,
            steps=6,
            lr=0.05,
            weight_decay=0.01,
        )
        CASES[f"{_opt}-{_layout}-classifier"] = dict(
            layers=(2, 3, 3),
            activation="tanh",
            loss="cross_entropy",
            optimizer=_opt,
            layout=_layout,
            batch=2,
            steps=6,
            lr=0.1,
        )
# the learning-rate schedules, each with an optimizer whose update reads lr_t differently
CASES["step-rows-adamw"] = dict(
    layers=(2, 3, 1),
    activation="tanh",
    loss="mse",
    optimizer="adamw",
    weight_decay=0.05,
    batch=2,
    steps=7,
    schedule="step",
    step_size=2,
    gamma=0.5,
)
CASES["cosine-blocks-adagrad"] = dict(
    template="classifier", layout="blocks", batch=3, steps=6, optimizer="adagrad", schedule="cosine"
)
# edits of each optimizer's hyperparameters, within ranges that train
HYPER_RANGES = {
    "momentum": (0.5, 0.95),
    "alpha": (0.8, 0.999),
    "beta1": (0.5, 0.95),
    "beta2": (0.9, 0.9999),
    "eps": (1e-8, 1e-6),
    "weight_decay": (0.0, 0.05),
}


def _random_edits(structure: dict, lr: float, rng: random.Random) -> dict:
    """Arbitrary values in every kind of named input cell (lr within ±50%, to stay convergent)."""
    sizes = structure["sizes"]
    data = "X_raw" if structure["scaled"] else "X"
    edits = {
        "lr": float(f"{lr * rng.uniform(0.5, 1.5):.6g}"),
        data: {
            (rng.randrange(structure["n_samples"]), rng.randrange(sizes[0])): round(
                rng.uniform(-2, 2), 6
            )
        },
    }
    for l in range(1, len(sizes)):
        edits[f"W{l}_init"] = {
            (rng.randrange(sizes[l - 1]), rng.randrange(sizes[l])): round(rng.uniform(-1, 1), 6)
        }
        if structure["bias"]:
            edits[f"b{l}_init"] = {(0, rng.randrange(sizes[l])): round(rng.uniform(-0.5, 0.5), 6)}
    if structure["scaled"] and edits[data]:
        key = next(iter(edits[data]))
        edits[data] = {key: abs(edits[data][key]) * 100}
    if (
        not structure["has_w_true"]
        and structure["loss"] != "cross_entropy"
        and not structure["scaled"]
    ):
        edits["Y"] = {(rng.randrange(structure["n_samples"]), 0): round(rng.uniform(0, 1), 6)}
    hyper = Optimizer(structure.get("optimizer", "sgd")).hyperparameters
    edits.update({name: float(f"{rng.uniform(*HYPER_RANGES[name]):.6g}") for name in hyper})
    if (
        structure.get("schedule") == "step"
    ):  # N need not be whole in a workbook: ⌊(t − 1)/N⌋ still is
        edits.update(
            step_size=float(f"{rng.uniform(1, 4):.3g}"), gamma=float(f"{rng.uniform(0.3, 0.9):.6g}")
        )
    return edits


@pytest.mark.slow
def test_libreoffice_equals_the_contract_before_and_after_edits(make_workbook, tmp_path):
    needs_soffice()
    rng = random.Random(2026)
    paths, structures = [], []
    for name, options in CASES.items():
        for edited in (False, True):
            path = make_workbook(f"{name}-{'edited' if edited else 'as-built'}", **options)
            structure = structure_of(path)
            if edited:
                wb = load_workbook(path)
                [(sheet, ref)] = list(wb.defined_names["lr"].destinations)
                lr = wb[sheet][ref.replace("$", "")].value
                edit_named(path, _random_edits(structure, lr, rng))
            paths.append(path)
            structures.append(structure)
    out = tmp_path / "recalculated"
    out.mkdir()
    for recalculated, structure, path in zip(recalculate(paths, out), structures, paths):
        try:
            assert_contract(oracle.read_named(recalculated), structure)
            assert verify(path).ok  # and excelbp verify agrees, edited or not
        except AssertionError as e:
            raise AssertionError(f"{path.name}: {e}") from None


@pytest.mark.parametrize("name", ["linear", "classifier", "relu-ce-b3"])
def test_verify_with_libreoffice(make_workbook, name):
    needs_soffice()
    report = verify(make_workbook(name, **CASES[name]), engine="libreoffice")
    assert report.ok, report.lines()
