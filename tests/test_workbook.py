"""Built workbooks, recalculated by the `formulas` package, equal the engine in every cell."""

from __future__ import annotations

import re

import pytest
from conftest import assert_contract, edit_named
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from excelbp.spec.network import ACTIVATIONS, LOSSES
from excelbp.spec.templates import template_names
from excelbp.verify import reader as xlsx_reader
from excelbp.verify import verify

TEMPLATES = ["linear", "neuron", "linear-2-2-1", "sigmoid-2-3-1", "classifier"]


def test_the_five_templates_exist():
    assert set(TEMPLATES) <= set(template_names())


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_recalculates_to_the_engine(make_workbook, template):
    report = verify(make_workbook(template=template))
    assert report.ok, report.lines()
    assert sum(s.cells for s in report.stats.values()) > 100


@pytest.mark.parametrize(
    "options",
    [
        dict(layers=(2, 2, 2), activation="sigmoid", loss="half_sse", lr=0.5, steps=1),
        dict(layers=(2, 2, 2), activation="sigmoid", loss="half_sse", lr=0.5, steps=40),
        dict(layers=(3, 4, 2), activation="tanh", loss="mse", batch=2),
        dict(layers=(2, 3, 3), activation="relu", loss="cross_entropy", batch=3),
        dict(layers=(2, 5, 4, 2), activation="sigmoid", loss="half_sse"),
    ],
    ids=["2-2-2x1", "2-2-2x40", "tanh-mse-b2", "relu-ce-b3", "2-5-4-2"],
)
def test_acceptance_networks_recalculate_to_the_engine(make_workbook, options):
    report = verify(make_workbook(**options))
    assert report.ok, report.lines()


def _named_values(path):
    """Named inputs and outputs from a `formulas` recalculation, as the oracle wants them."""
    book = xlsx_reader.open_book(path)
    values = xlsx_reader.recalculate(book).values
    wb = load_workbook(path, read_only=False)
    out = {}
    for name, dn in wb.defined_names.items():
        [(sheet, ref)] = list(dn.destinations)
        rows = wb[sheet][ref.replace("$", "")]
        if not isinstance(rows, tuple):
            rows = ((rows,),)
        elif not isinstance(rows[0], tuple):
            rows = (rows,)
        grid = [[values.get(f"{sheet}!{c.coordinate}", c.value) for c in row] for row in rows]
        out[name] = grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid
    return out


@pytest.mark.parametrize(
    "options",
    [
        dict(template="linear"),
        dict(template="sigmoid-2-3-1"),
        dict(layers=(2, 3, 3), activation="relu", loss="cross_entropy", batch=3),
    ],
    ids=["linear", "sigmoid-2-3-1", "relu-ce-b3"],
)
def test_live_after_editing_lr_a_sample_and_initial_weights(make_workbook, options):
    path = make_workbook(**options)
    structure = xlsx_reader.open_book(path)
    from excelbp.verify import read_structure

    structure = read_structure(structure)
    data = "X_raw" if structure["scaled"] else "X"
    edit_named(
        path,
        {
            "lr": 0.0007 if structure["template"] == "linear" else 0.3,
            data: {(1, 0): 2.5},
            "W1_init": {(0, 0): 0.25},
        },
    )
    assert verify(path).ok
    assert_contract(_named_values(path), structure)


def test_editing_w_true_moves_y_true(make_workbook):
    path = make_workbook(template="linear")
    edit_named(path, {"w_true": {(0, 0): -1.5}})
    report = verify(path)
    assert report.ok
    named = _named_values(path)
    x = named["X"][0]
    assert named["Y"][0][0] == pytest.approx(-1.5 * x[0] - 3 * x[1] + 5 * x[2])


def test_a_changed_formula_is_named(make_workbook):
    path = make_workbook(template="linear")
    wb = load_workbook(path)
    ws = wb["Steps"]
    cell = wb.defined_names["loss"].attr_text.split("$")[1] + "12"
    ws[cell] = ws[cell].value + "*1.0001"
    wb.save(path)
    report = verify(path)
    assert not report.ok
    assert report.first_mismatch.startswith(f"Steps!{cell}")


def test_only_inputs_are_literal_numbers(make_workbook):
    path = make_workbook(template="sigmoid-2-3-1")
    wb = load_workbook(path)
    input_cells = set()
    for name in (
        "lr",
        "weight_decay",
        "batch",
        "X_raw",
        "Y_raw",
        "x_scale",
        "y_scale",
        "W1_init",
        "W2_init",
        "b1_init",
        "b2_init",
        "gradcheck_eps",
        "hand_step",
    ):
        [(sheet, ref)] = list(wb.defined_names[name].destinations)
        cells = wb[sheet][ref.replace("$", "")]
        flat = (
            [cells]
            if not isinstance(cells, tuple)
            else [c for row in cells for c in (row if isinstance(row, tuple) else (row,))]
        )
        input_cells |= {(sheet, c.coordinate) for c in flat}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    assert (
                        ws.title,
                        c.coordinate,
                    ) in input_cells, f"literal number at {ws.title}!{c.coordinate}"


FORBIDDEN = re.compile(
    r"\b(OFFSET|INDIRECT|RAND|RANDBETWEEN|NOW|TODAY|LET|LAMBDA|XLOOKUP|FILTER|SEQUENCE)\("
)


def test_no_volatile_or_365_only_functions(make_workbook):
    for template in TEMPLATES:
        wb = load_workbook(make_workbook(template, template=template))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        assert not FORBIDDEN.search(c.value.upper()), c.value


@pytest.mark.slow
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    activation=st.sampled_from(ACTIVATIONS),
    loss=st.sampled_from(LOSSES),
    batch=st.integers(1, 3),
    bias=st.booleans(),
    steps=st.integers(1, 6),
)
def test_random_networks_recalculate_to_the_engine(
    make_workbook, sizes, activation, loss, batch, bias, steps
):
    if loss == "cross_entropy" and sizes[-1] < 2:
        sizes[-1] = 2
    path = make_workbook(
        "random",
        layers=tuple(sizes),
        activation=activation,
        loss=loss,
        batch=batch,
        bias=bias,
        steps=steps,
        lr=0.2,
    )
    report = verify(path)
    assert report.ok, report.lines()
    path.unlink()


@pytest.mark.parametrize(
    "options",
    [dict(template="neuron"), dict(template="classifier"), dict(template="sigmoid-2-3-1")],
)
def test_pre_activations_of_1000_stay_finite(make_workbook, options):
    path = make_workbook(**options)
    edit_named(path, {"W1_init": {(0, 0): 1000.0}, "lr": 1e-9})  # z = ±1000 and more
    result = xlsx_reader.recalculate(xlsx_reader.open_book(path))
    assert not [
        k
        for k in result.formulas
        if isinstance(result.values[k], str) and result.values[k].startswith("#")
    ]
    assert verify(path).ok


def test_pasted_values_are_not_live(make_workbook):
    """A step table whose formulas were replaced by their values does not verify."""
    path = make_workbook(template="neuron")
    formulas, cached = load_workbook(path), load_workbook(path, data_only=True)
    for row in formulas["Steps"].iter_rows(min_row=10, max_row=10):
        for cell in row:
            cell.value = cached["Steps"][cell.coordinate].value
    formulas.save(path)
    report = verify(path)
    assert not report.ok and "a value where excelbp wrote a formula" in report.first_mismatch


def test_an_input_may_be_typed_as_a_formula(make_workbook):
    path = make_workbook(template="neuron")
    edit_named(path, {"lr": "=1/4"})
    assert verify(path).ok


def test_batch_is_not_an_input(make_workbook):
    wb = load_workbook(make_workbook(layers=(2, 2, 1), batch=3))
    [(sheet, ref)] = list(wb.defined_names["batch"].destinations)
    assert wb[sheet][ref.replace("$", "")].value == "=3"


def test_other_hidden_layers_keep_the_templates_data(make_workbook):
    from excelbp.build import make_spec
    from excelbp.spec import BuildOptions

    own = make_spec(BuildOptions(template="classifier"))
    wider = make_spec(BuildOptions(template="classifier", layers=(2, 8, 3)))
    assert (wider.raw_X == own.raw_X).all() and (wider.X_test == own.X_test).all()
    assert "with options" in wider.description
    assert verify(make_workbook(template="classifier", layers=(2, 8, 3), steps=5)).ok
