"""The learning-rate sweep (--compare-lr, issue 14): one copy of the training per rate, in
live formulas that read the rate from the sweep sheet, and the sweep sheet's table and chart."""

from __future__ import annotations

from dataclasses import replace

import oracle
import pytest
from conftest import edit_named, needs_soffice, oracle_run, structure_of
from openpyxl import load_workbook

from excelbp.build import make_spec
from excelbp.engine import Training
from excelbp.layout.inputs import inputs_sheet
from excelbp.layout.steps import step_layout
from excelbp.sheets.workbook import workbook_plan
from excelbp.spec import BuildOptions
from excelbp.verify import verify

ISSUE = dict(
    layers=(2, 2, 2), activation="sigmoid", loss="half_sse", compare_lr=(0.1, 0.2, 0.5, 0.8, 1, 2)
)
CASES = {
    "issue-2-2-2": dict(ISSUE, steps=12),
    "sgd-blocks": dict(
        template="sigmoid-2-3-1", layout="blocks", batch=2, steps=6, compare_lr=(0.05, 0.5, 3)
    ),
    "adam-rows": dict(
        layers=(1, 4, 1),
        activation="relu,linear",
        loss="mse",
        optimizer="adam",
        batch=2,
        steps=6,
        weight_decay=0.01,
        compare_lr=(0.001, 0.05),
    ),
    "adam-blocks-ce": dict(
        layers=(2, 3, 3),
        activation="tanh",
        loss="cross_entropy",
        optimizer="adam",
        layout="blocks",
        batch=2,
        steps=5,
        compare_lr=(0.01, 0.1, 0.3),
    ),
    "adamw-rows-zh": dict(
        template="linear-2-2-1",
        optimizer="adamw",
        weight_decay=0.1,
        steps=5,
        lang="zh",
        compare_lr=(0.01, 0.2),
    ),
}


def _cell(wb, name: str, i: int = 0, j: int = 0):
    [(sheet, ref)] = list(wb.defined_names[name].destinations)
    first = ref.replace("$", "").split(":")[0]
    return wb[sheet][first].offset(i, j)


def test_the_sweep_is_named_and_every_copy_reads_its_own_rate(make_workbook):
    path = make_workbook("issue", **CASES["issue-2-2-2"])
    wb = load_workbook(path)
    assert wb.defined_names["sweep_lr"].attr_text == "'LR sweep'!$B$4:$G$4"
    assert wb.defined_names["sweep_loss"].attr_text == "'LR sweep'!$B$8:$G$19"  # 12 steps × 6 rates
    assert [_cell(wb, "sweep_lr", 0, j).value for j in range(6)] == [0.1, 0.2, 0.5, 0.8, 1, 2]
    titles = wb.sheetnames
    assert titles[titles.index("LR sweep") + 1 : titles.index("LR sweep") + 7] == [
        f"Rate {j}" for j in range(1, 7)
    ]
    steps, rate3 = wb["Steps"], wb["Rate 3"]
    # the step's rate lr_t: the name lr on the main sheet, on each copy its own rate's cell
    [col] = [c.column_letter for c in steps[5] if c.value == "=lr"]
    assert rate3[f"{col}5"].value == "='LR sweep'!$D$4"
    assert [
        c for c in steps[5] if isinstance(c.value, str) and f"-${col}5*" in c.value
    ]  # the updates read it
    # everything else is the same formula
    assert [c.value for c in steps[5] if c.column_letter != col] == [
        c.value for c in rate3[5] if c.column_letter != col
    ]
    assert (
        _cell(wb, "sweep_loss", 3, 2).value
        == "='Rate 3'!$" + wb.defined_names["loss"].attr_text.split("$")[1] + "$7"
    )
    assert wb["LR sweep"]["D5"].value == "=D19"  # the final loss, under its rate
    assert verify(path).ok


@pytest.mark.parametrize("name", ["sgd-blocks", "adamw-rows-zh"])
def test_verify_covers_every_layout_and_language(make_workbook, name):
    report = verify(make_workbook(name, **CASES[name]))
    assert report.ok, report.lines()
    assert {"learning-rate copies", "LR sweep sheet"} <= set(report.stats)


def test_verify_reads_the_rates_live_and_names_a_tampered_cell(make_workbook):
    path = make_workbook("issue", **dict(CASES["issue-2-2-2"], steps=7))
    edit_named(path, {"sweep_lr": {(0, 4): 0.35}})
    assert verify(path).ok  # the copy recomputes with the new rate, and verify reruns it
    wb = load_workbook(path)
    loss = _cell(wb, "sweep_loss", 5, 1)  # step 6 of rate 2
    loss.value = loss.value + "*1.001"
    wb.save(path)
    report = verify(path)
    assert not report.ok and report.first_mismatch.startswith("LR sweep!C13 ")
    wb = load_workbook(path)
    loss = _cell(wb, "sweep_loss", 5, 1)
    loss.value = loss.value.removesuffix("*1.001")
    ws = wb["Rate 5"]
    cell = next(
        c for c in ws[9] if isinstance(c.value, str) and "'LR sweep'!$F$4" in c.value
    )  # step 6's update
    cell.value = cell.value.replace("$F$4", "$E$4")  # the wrong rate
    wb.save(path)
    report = verify(path)
    assert not report.ok and report.first_mismatch.startswith(f"Rate 5!{cell.coordinate} ")


def test_the_chart_has_a_curve_per_rate_on_a_log_axis_where_losses_span_decades():
    spec = make_spec(BuildOptions(**dict(ISSUE, steps=40, batch=8)))
    steps = step_layout(spec)
    runs = [Training(replace(spec, lr=r)) for r in spec.compare_lr]
    plan = workbook_plan(spec, inputs_sheet(spec), steps, Training(spec), sweep_trainings=runs)
    [sweep] = [s for s in plan.sheets if s.title == "LR sweep"]
    [chart] = sweep.charts
    assert [s.name_ref for s in chart.series] == [f"'LR sweep'!${c}$4" for c in "BCDEFG"]
    assert [s.name for s in chart.series] == ["0.1", "0.2", "0.5", "0.8", "1", "2"]
    spans = max(r.loss.max() for r in runs) / min(r.loss.min() for r in runs)
    assert chart.log_y == (spans > 100)
    # few steps at small rates: the losses hardly move, a linear axis shows them
    spec = make_spec(BuildOptions(**dict(ISSUE, steps=3, compare_lr=(0.01, 0.02))))
    plan = workbook_plan(
        spec,
        inputs_sheet(spec),
        step_layout(spec),
        Training(spec),
        sweep_trainings=[Training(spec)] * 2,
    )
    assert not [s for s in plan.sheets if s.title == "LR sweep"][0].charts[0].log_y


def test_too_many_cells_names_the_sweep():
    from excelbp.errors import InputError

    make_spec(BuildOptions(template="linear-2-2-1", steps=200_000))  # 6 million formula cells: fine
    with pytest.raises(InputError, match="--compare-lr: the steps, 11 times over"):  # 66 million
        make_spec(BuildOptions(template="linear-2-2-1", steps=200_000, compare_lr=(0.1,) * 10))


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_sweep_equals_the_contract_per_rate_before_and_after_edits(
    make_workbook, tmp_path
):
    """Each sweep_loss column, recalculated by LibreOffice, is the oracle's training on the
    workbook's named inputs with that column's sweep_lr, also after a rate is edited."""
    needs_soffice()
    from excelbp.verify.libreoffice import recalculate

    paths = []
    for name, options in CASES.items():
        for edited in (False, True):
            path = make_workbook(f"{name}-{'edited' if edited else 'as-built'}", **options)
            if edited:
                rates = options["compare_lr"]
                edit_named(
                    path,
                    {
                        "sweep_lr": {(0, len(rates) - 1): float(f"{rates[-1] * 0.7:.6g}")},
                        "lr": 0.0123,
                    },
                )
            paths.append((path, options))
    out = tmp_path / "recalculated"
    out.mkdir()
    for recalculated, (path, options) in zip(recalculate([p for p, _ in paths], out), paths):
        named = oracle.read_named(recalculated)
        structure = structure_of(path)
        rates = named["sweep_lr"] if isinstance(named["sweep_lr"], list) else [[named["sweep_lr"]]]
        losses = named["sweep_loss"]
        assert len(rates[0]) == len(options["compare_lr"]) and len(losses) == structure["steps"]
        for j, rate in enumerate(rates[0]):
            expected = _oracle(named, structure, rate)
            assert [row[j] for row in losses] == pytest.approx(expected, rel=1e-9, abs=1e-12), (
                f"{path.name}, rate {j + 1} ({rate})"
            )


def _oracle(named: dict, structure: dict, lr: float) -> list[float]:
    return oracle_run(named, structure, lr)["loss"]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_verify_with_libreoffice_covers_the_sweep(make_workbook):
    needs_soffice()
    path = make_workbook("adam-blocks", **CASES["adam-blocks-ce"])
    edit_named(path, {"sweep_lr": {(0, 1): 0.07}})
    report = verify(path, engine="libreoffice")
    assert report.ok, report.lines()
    assert (
        report.stats["learning-rate copies"].cells > 0 and report.stats["LR sweep sheet"].cells > 0
    )
