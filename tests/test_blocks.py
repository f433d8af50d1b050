"""The blocks layout: a block of rows per step, the batch's samples as rows, the parameters as
matrices, every sum of products one SUMPRODUCT."""

from __future__ import annotations

import re

import numpy as np
import oracle
import pytest
from conftest import assert_contract, edit_named, needs_soffice
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from excelbp.build import make_spec
from excelbp.cli import main
from excelbp.errors import InputError
from excelbp.spec import BuildOptions
from excelbp.verify import verify
from excelbp.verify.libreoffice import recalculate

NETWORKS = {
    "tanh-ce-b5": dict(layers=(3, 4, 3), activation="tanh", loss="cross_entropy", batch=5, steps=3),
    "sigmoid-wide-b7": dict(
        layers=(2, 6, 1), activation="sigmoid", loss="half_sse", batch=7, steps=4
    ),
    "relu-mse-nobias": dict(
        layers=(6, 5, 2), activation="relu", loss="mse", batch=6, bias=False, steps=3
    ),
    "linear-deep": dict(
        layers=(2, 3, 3, 2), activation="linear", loss="sse", batch=2, steps=2, lr=0.05
    ),
    "sigmoid-2-3-1": dict(template="sigmoid-2-3-1", steps=4),
    "linear": dict(template="linear", steps=5),
    "classifier": dict(template="classifier", batch=4, steps=6),
}


@pytest.mark.parametrize("name", NETWORKS)
def test_blocks_recalculate_to_the_engine_after_edits(make_workbook, name):
    path = make_workbook(name, layout="blocks", **NETWORKS[name])
    structure = load_workbook(path)["excelbp"]["A2"].value
    assert '"layout": "blocks"' in structure
    scaled = "X_raw" in load_workbook(path).defined_names
    edits = {
        "lr": 0.03,
        "W1_init": {(0, 0): 0.25},
        ("X_raw" if scaled else "X"): {(1, 0): 0.5 if not scaled else 130.0},
    }
    edit_named(path, edits)
    report = verify(path)
    assert report.ok, report.lines()
    assert report.stats["parameters used, turned (Wᵀ)"].cells > 0


def _sumproduct_ranges(formula: str) -> list[tuple[str, str]]:
    return re.findall(r"SUMPRODUCT\(([^(),]+),([^(),]+)\)", formula)


def _shape(ref: str) -> tuple[int, int]:
    ref = ref.split("!")[-1].replace("$", "")
    if ":" not in ref:
        return 1, 1
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return max_row - min_row + 1, max_col - min_col + 1


def _formulas(path):
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    yield ws.title, c.coordinate, c.value


@pytest.mark.slow
@pytest.mark.parametrize(
    "options",
    [
        dict(template="digits", steps=2),
        dict(template="digits", steps=1, layout="rows", batch=3),
        dict(template="classifier"),
        dict(template="sigmoid-2-3-1", layout="blocks", batch=5),
        dict(
            layers=(6, 5, 2),
            activation="relu",
            loss="mse",
            batch=6,
            bias=False,
            steps=2,
            layout="blocks",
        ),
    ],
)
def test_every_sumproduct_pairs_ranges_of_one_shape(make_workbook, options):
    """SUMPRODUCT of a row and a column is #VALUE! (in Excel, LibreOffice and `formulas`
    alike, measured): every SUMPRODUCT of these workbooks pairs two ranges of one shape,
    checked here without recalculating them."""
    seen = 0
    for sheet, cell, formula in _formulas(make_workbook(**options)):
        for a, b in _sumproduct_ranges(formula):
            assert _shape(a) == _shape(b), f"{sheet}!{cell}: {formula}"
            seen += 1
    assert seen > 0


@pytest.mark.slow
def test_digits_block_formulas_are_dot_products_of_a_row_or_a_column(make_workbook):
    """The forward pass pairs a sample's 64 inputs with a row of W1ᵀ; the gradient pairs two
    columns of the 32-sample batch and divides by 32."""
    path = make_workbook(template="digits", steps=2)
    ws = load_workbook(path)["Training"]
    headers = {c.value: c.column_letter for c in ws[6] if c.value}  # the first block's unit names
    assert "z h1" in headers and "δ h1" in headers
    z = ws[f"{headers['z h1']}7"].value
    [(inputs, weights)] = _sumproduct_ranges(z)
    assert _shape(inputs) == (1, 64) and _shape(weights) == (1, 64)
    assert re.fullmatch(r"=SUMPRODUCT\(B7:BM7,[A-Z]+7:[A-Z]+7\)\+[A-Z]+\d+", z), z  # plus the bias
    titles = {c.value: c.column for c in ws[5] if c.value}
    dW = next(col for title, col in titles.items() if title.startswith("∂L/∂W1"))
    grad = ws.cell(7, dW).value
    [(delta, acts)] = _sumproduct_ranges(grad)
    assert _shape(delta) == (32, 1) and _shape(acts) == (32, 1) and grad.endswith("/32")
    # the second block uses the first block's updated weights
    W = next(col for title, col in titles.items() if title.startswith("W1 used"))
    Wp = next(col for title, col in titles.items() if title.startswith("W1 updated"))
    height = next(r for r in range(5, 200) if ws.cell(r, 1).value == "Step") - 4
    assert ws.cell(7 + height, W).value == f"={ws.cell(7, Wp).column_letter}7"


def test_a_changed_formula_in_a_block_is_named(make_workbook):
    path = make_workbook(template="classifier", layout="blocks", batch=4, steps=3)
    wb = load_workbook(path)
    ws = wb["Training"]
    second = [r for r in range(1, 40) if ws.cell(r, 1).value == "Step"][1]
    z = next(c.column for c in ws[second + 2] if c.value == "z h1")
    cell = ws.cell(second + 4, z)  # the second block's second sample
    cell.value = cell.value + "*1.001"
    wb.save(path)
    report = verify(path)
    assert not report.ok
    assert report.first_mismatch.startswith(f"Training!{cell.coordinate} (z h1, step 2)")


def test_weights_of_every_block_are_heat_maps_on_one_scale_per_layer(make_workbook):
    path = make_workbook(template="classifier", layout="blocks", batch=4, steps=3)
    ws = load_workbook(path)["Training"]
    rules = [str(cf.sqref).split() for cf in ws.conditional_formatting]
    assert [len(r) for r in rules] == [3, 3]  # a rule per layer, over the W of each of 3 steps
    for ref in (ref for r in rules for ref in r):
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        assert ws.cell(min_row - 3, 1).value == "Step"  # a block's W, under its three heading rows
        assert all(
            ws.cell(r, c).value.startswith("=")
            for r in range(min_row, max_row + 1)
            for c in range(min_col, max_col + 1)
        )


def test_a_colour_scale_covers_at_most_250_blocks():
    """Excel stops finding a colour scale's min and max past 253 ranges in one rule."""
    from excelbp.layout.blocks import blocks_layout

    spec = make_spec(BuildOptions(template="neuron", layout="blocks", steps=600))
    assert [len(ref.split()) for ref in blocks_layout(spec).heatmaps(spec.steps)] == [250, 250, 100]


def test_layout_is_chosen_where_the_rows_layout_cannot_fit():
    assert make_spec(BuildOptions(template="classifier")).layout == "rows"
    assert make_spec(BuildOptions(template="digits")).layout == "blocks"
    assert make_spec(BuildOptions(template="digits", layout="rows", batch=3)).layout == "rows"
    # the seed's own setting: a full batch of 1,000 samples, which no row could hold
    seed = make_spec(
        BuildOptions(template="digits", activation="sigmoid", loss="sse", bias=False, batch=1000)
    )
    assert seed.layout == "blocks"
    with pytest.raises(InputError, match="--layout blocks"):
        make_spec(BuildOptions(template="digits", layout="rows", batch=1000))


def test_rows_layout_width_is_counted_without_laying_it_out():
    """The automatic choice counts the rows layout's columns arithmetically (a batch of
    100,000 would otherwise make millions of columns to count)."""
    import random

    from excelbp.layout.rows import rows_layout
    from excelbp.layout.size import rows_layout_width

    rng = random.Random(7)
    specs = [
        make_spec(BuildOptions(template=t, batch=b, layout="rows"))
        for t in ("linear", "sigmoid-2-3-1", "classifier")
        for b in (1, 3)
    ]
    for _ in range(60):
        sizes = [rng.randint(1, 4) for _ in range(rng.randint(2, 4))]
        loss = rng.choice(["sse", "half_sse", "mse", "cross_entropy"])
        sizes[-1] = max(sizes[-1], 2) if loss == "cross_entropy" else sizes[-1]
        activation = rng.choice(["linear", "sigmoid", "tanh", "relu"])
        specs.append(
            make_spec(
                BuildOptions(
                    layers=tuple(sizes),
                    activation=activation,
                    loss=loss,
                    batch=rng.randint(1, 5),
                    bias=rng.random() < 0.5,
                )
            )
        )
    for spec in specs:
        assert rows_layout_width(spec.network) == len(rows_layout(spec).columns), spec.sizes


@pytest.mark.slow
def test_a_network_too_wide_for_rows_gets_blocks_and_builds(make_workbook):
    # 30 samples of a 10-100-10 network side by side would need 20,192 columns
    options = dict(layers=(10, 100, 10), batch=30, activation="sigmoid", loss="half_sse", steps=2)
    assert make_spec(BuildOptions(**options)).layout == "blocks"
    assert verify(make_workbook(**options)).ok


@pytest.mark.parametrize(
    "args, words",
    [
        (["--layout", "grid"], ["--layout", "grid"]),
        (["--layout", ""], ["--layout"]),
        # 20 steps of 12 million cells each: refused, not hours of building
        (["--layers", "3000,1000,10"], ["--steps/--batch/--layers", "million formula cells"]),
        (["--layers", "2,3,1", "--batch", "1048568"], ["--batch/--steps", "at most 1 steps"]),
        (["--template", "digits", "--batch", "100000"], ["--batch/--steps", "at most 10 steps"]),
        (
            ["--layers", "5000,5000,1", "--layout", "rows"],
            ["parameters three times", "use fewer units"],
        ),
        (["--layers", "1000,9000,10"], ["--layers", "weight matrices"]),
    ],
)
def test_layouts_that_cannot_be_built_are_one_line_exit_2(tmp_path, capsys, args, words):
    out = tmp_path / "x.xlsx"
    assert main(["build", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and all(w in err for w in words), err
    assert list(tmp_path.iterdir()) == []


def test_blocks_cells_are_counted_without_laying_them_out():
    from excelbp.layout.blocks import blocks_layout
    from excelbp.layout.size import blocks_cells_per_step

    for options in (
        dict(template="digits"),
        dict(template="linear"),
        dict(template="sigmoid-2-3-1", batch=3),
        dict(template="classifier", bias=False),
    ):
        spec = make_spec(BuildOptions(layout="blocks", **options))
        assert blocks_cells_per_step(spec.network) == len(blocks_layout(spec).positions())


@pytest.mark.slow
def test_how_it_works_points_at_the_blocks(make_workbook):
    wb = load_workbook(make_workbook(template="digits", steps=1))
    text = " ".join(str(c.value) for row in wb["How it works"].iter_rows() for c in row if c.value)
    assert "SUMPRODUCT" in text and "Training!" in text and "Wᵀ" in text


@pytest.mark.slow
@pytest.mark.libreoffice
def test_seed_configuration_full_batch_in_libreoffice(make_workbook, tmp_path):
    """Seed 002's own setting (sigmoid hidden and output, squared error, no bias, every one
    of the 1,000 training images in each step), recalculated by LibreOffice, equals the
    contract's oracle."""
    needs_soffice()
    steps = 2
    path = make_workbook(
        template="digits",
        activation="sigmoid",
        loss="sse",
        bias=False,
        batch=1000,
        lr=4.0,
        steps=steps,
    )
    named = oracle.read_named(recalculate([path], tmp_path / "lo")[0])
    assert named["batch"] == 1000
    structure = {
        "sizes": [64, 16, 10],
        "bias": False,
        "steps": steps,
        "activations": ["sigmoid", "sigmoid"],
        "loss": "sse",
    }
    assert_contract(named, structure)
    assert np.all(np.diff(named["loss"]) < 0)
