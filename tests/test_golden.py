"""Golden dumps of small workbooks: every cell's address, formula or value, cached value, style
and note, and the sheets' names, widths, panes, colour scales and charts, as text.

A change to what a workbook holds shows here as a readable diff. The dumps under
tests/golden/ change only on purpose, in a commit of their own that says why:

    python tests/test_golden.py            # rewrite every dump from the current code
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from excelbp.cli import main

GOLDEN = Path(__file__).parent / "golden"

# name → build options (each a few steps: the shape of a step is what matters)
_SIGMOID_2_3_2 = "--layers 2,3,2 --activation sigmoid --loss mse --batch 2 --steps 3"
WORKBOOKS = {
    "linear": "--template linear --steps 3".split(),
    "neuron": "--template neuron --steps 3".split(),
    "linear-2-2-1": "--template linear-2-2-1 --steps 3".split(),
    "sigmoid-2-3-1": "--template sigmoid-2-3-1 --steps 3".split(),
    "classifier": "--template classifier --steps 3".split(),
    "2-3-2-b2-rows": f"{_SIGMOID_2_3_2} --layout rows".split(),
    "2-3-2-b2-blocks": f"{_SIGMOID_2_3_2} --layout blocks".split(),
    "sigmoid-2-3-1-blocks-zh": (
        "--template sigmoid-2-3-1 --steps 2 --layout blocks --lang zh".split()
    ),
    "classifier-ce-blocks": "--template classifier --steps 2 --batch 3 --layout blocks".split(),
    "digits": "--template digits --steps 1 --batch 2".split(),
}
# big workbooks are dumped in part: the first and the last rows of each sheet
EDGES = {"digits": (25, 15)}


def _number(v: float) -> str:
    # ten significant digits: the layout and the formulas are the point, not the last bit
    if not math.isfinite(v):
        return repr(v)
    return "0" if abs(v) < 1e-12 else f"{v:.10g}"


def _rounding_sensitive(wb) -> dict[tuple[str, str], object]:
    """{(sheet, cell): how to show its cached value} for the cells that amplify rounding: the
    Gradient check's finite differences subtract two losses that agree to 10 digits, so the
    last bits of a loss (which NumPy releases and CPUs compute differently) show in their
    tenth digit, and the relative differences computed from them are rounding noise. A
    finite difference is shown to 8 decimals, a relative difference as the side of the
    sheet's threshold it lies on (what its colour shows)."""
    out = {}
    if "gradcheck_numeric" in wb.defined_names:
        for sheet, ref in wb.defined_names["gradcheck_numeric"].destinations:
            for row in wb[sheet][ref.replace("$", "")]:
                for c in row:
                    out[sheet, c.coordinate] = lambda v: f"{v:.8f}"
    for ws in wb.worksheets:
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                if rule.operator == "lessThan" and rule.formula:
                    limit = float(rule.formula[0])
                    for cells in cf.sqref.ranges:
                        for row in ws.iter_rows(
                            min_row=cells.min_row,
                            max_row=cells.max_row,
                            min_col=cells.min_col,
                            max_col=cells.max_col,
                        ):
                            for c in row:
                                out[ws.title, c.coordinate] = lambda v, limit=limit: (
                                    f"<{limit:g}" if abs(v) < limit else _number(v)
                                )
    return out


def dump(path: Path, edges: tuple[int, int] | None = None) -> str:
    """The workbook as text, one line per cell, sheet by sheet (with `edges`, only the first
    and last rows of each sheet)."""
    wb = load_workbook(path)
    cached = load_workbook(path, data_only=True)
    sensitive = _rounding_sensitive(wb)
    out = ["[names]"]
    out += [f"{name} = {dn.attr_text}" for name, dn in sorted(wb.defined_names.items())]
    for ws in wb.worksheets:
        out.append(f"[sheet {ws.title}] state={ws.sheet_state} freeze={ws.freeze_panes}")
        widths = {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.width}
        out.append("widths " + " ".join(f"{k}={w:g}" for k, w in widths.items()))
        heights = {k: d.height for k, d in sorted(ws.row_dimensions.items()) if d.height}
        out.append("heights " + " ".join(f"{k}={h:g}" for k, h in heights.items()))
        setup = ws.page_setup
        out.append(
            f"page orientation={setup.orientation} fitToWidth={setup.fitToWidth}"
            f" fitToHeight={setup.fitToHeight}"
        )
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                scale = rule.colorScale
                if scale is None:  # a rule on the cell's value: its test and its fill
                    out.append(
                        f"cell rule {cf.sqref}: {rule.operator} {rule.formula} fill"
                        f" {rule.dxf.fill.bgColor.rgb}"
                    )
                    continue
                stops = [
                    f"{o.type}{'' if o.val is None else ':' + _number(float(o.val))}"
                    for o in scale.cfvo
                ]
                out.append(
                    f"colour scale {cf.sqref}: {' '.join(stops)}"
                    f" {' '.join(c.rgb for c in scale.color)}"
                )
        for chart in ws._charts:
            title = chart.title.tx.rich.p[0].r[0].t if chart.title else None
            marker = chart.anchor._from
            # a line chart's series have values; a scatter chart's, x and y values
            series = [
                s.val.numRef.f if s.val is not None else f"{s.xVal.numRef.f} → {s.yVal.numRef.f}"
                for s in chart.series
            ]
            names = [s.tx.v for s in chart.series]
            out.append(
                f"chart at col {marker.col} row {marker.row}: {title!r}"
                f" log={chart.y_axis.scaling.logBase} series={series} names={names}"
            )
        values = cached[ws.title]
        for row in ws.iter_rows():
            for c in row:
                if edges and edges[0] < c.row <= ws.max_row - edges[1]:
                    break
                if c.value is None:
                    continue
                v = c.value
                if isinstance(v, str) and v.startswith("=") and c.data_type == "f":
                    cv = values[c.coordinate].value
                    show = sensitive.get((ws.title, c.coordinate), _number)
                    shown = f"{v} -> {show(cv) if isinstance(cv, (int, float)) else repr(cv)}"
                elif isinstance(v, (int, float)):
                    shown = f"{v!r}"
                else:
                    shown = repr(v)
                note = f" note={c.comment.text!r}" if c.comment else ""
                out.append(f"{c.coordinate} [{c.style}] {shown}{note}")
    return "\n".join(out) + "\n"


def build_and_dump(name: str, folder: Path) -> str:
    path = folder / f"{name}.xlsx"
    assert main(["build", *WORKBOOKS[name], "-o", str(path), "--quiet", "--force"]) == 0
    return dump(path, EDGES.get(name))


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in EDGES else n for n in sorted(WORKBOOKS)],
)
def test_workbook_matches_its_golden_dump(name, tmp_path):
    expected = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    got = build_and_dump(name, tmp_path)
    if got != expected:
        (tmp_path / f"{name}.txt").write_text(got, encoding="utf-8")
        diff = [f"- {a}\n+ {b}" for a, b in zip(expected.splitlines(), got.splitlines()) if a != b][
            :5
        ]
        pytest.fail(
            f"{name}: the workbook differs from tests/golden/{name}.txt ({len(got.splitlines())}"
            f" lines now, {len(expected.splitlines())} before); first differences:\n"
            + "\n".join(diff)
        )


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name in sorted(WORKBOOKS):
            (GOLDEN / f"{name}.txt").write_text(
                build_and_dump(name, Path(folder)), encoding="utf-8"
            )
            print(f"wrote {GOLDEN / name}.txt", file=sys.stderr)
