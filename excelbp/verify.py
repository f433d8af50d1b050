"""Recalculate a workbook, rerun the engine on the inputs as they stand, compare every cell.

The workbook stores its structure (not its values) on a hidden sheet; the inputs are read
from the recalculated workbook, so a learner's edits are honoured.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from openpyxl.utils import get_column_letter

from . import layout, xlsx_reader
from .training import train
from .errors import InputError
from .expected import images_values, inputs_values, step_value
from .block_layout import step_layout, step_sheets
from .layout import IMAGES, NAME, SPEC_SHEET
from .spec import Spec

RTOL = 1e-9

QUANTITIES = {
    "step": "step numbers",
    "sample": "sample numbers",
    "W": "parameters used",
    "b": "parameters used",
    "x": "inputs x",
    "y": "targets y",
    "raw": "predictions (raw units)",
    "z": "pre-activations z",
    "a": "activations a",
    "m": "softmax max z",
    "S": "softmax Σ e^(z−max)",
    "Lb": "per-sample losses",
    "loss": "step losses",
    "g": "upstream gradients ∂L/∂a",
    "d": "error terms δ",
    "dW": "gradients ∂L/∂w",
    "db": "gradients ∂L/∂b",
    "W+": "updated parameters",
    "b+": "updated parameters",
    "Wt": "parameters used, turned (Wᵀ)",
    "hit": "right (1/0)",
    "bacc": "batch accuracy",
    "acc": "accuracy (last epoch)",
    "inputs": "Inputs sheet formulas",
    "images": "Images sheet formulas",
}


@dataclass
class Stat:
    cells: int = 0
    max_abs: float = 0.0
    max_rel: float = 0.0


@dataclass
class Report:
    path: Path
    engine: str
    stats: dict[str, Stat] = field(default_factory=dict)
    first_mismatch: str | None = None
    mismatches: int = 0

    @property
    def ok(self) -> bool:
        return self.mismatches == 0

    def lines(self) -> list[str]:
        out = [f"{'quantity':<28} {'cells':>8} {'max abs err':>12} {'max rel err':>12}"]
        for name, st in self.stats.items():
            out.append(f"{name:<28} {st.cells:>8} {st.max_abs:>12.3g} {st.max_rel:>12.3g}")
        total = sum(st.cells for st in self.stats.values())
        if self.ok:
            out.append(f"OK: all {total} formula cells agree with the engine (recalculated by {self.engine}, rtol {RTOL:g})")
        else:
            out.append(f"MISMATCH: {self.mismatches} of {total} cells differ; first: {self.first_mismatch}")
        return out


def _is_error(v) -> bool:
    return isinstance(v, str) and v.startswith("#")


def _agree(got, expected: float, scale: float) -> tuple[bool, float, float]:
    """Within RTOL of the expected value, or of the quantity's scale near zero.

    A non-finite expected value (diverged training) matches any Excel error value.
    """
    if not math.isfinite(expected):
        return (_is_error(got) or (isinstance(got, float) and not math.isfinite(got))), 0.0, 0.0
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False, math.inf, math.inf
    diff = abs(float(got) - expected)
    rel = diff / abs(expected) if expected else (0.0 if diff == 0 else math.inf)
    return diff <= RTOL * max(abs(expected), 1e-3 * scale, 1e-300), diff, rel


def read_structure(book: xlsx_reader.Book) -> dict:
    try:
        raw = book.literal(SPEC_SHEET, "A2")
        structure = json.loads(raw)
        assert isinstance(structure, dict) and "sizes" in structure
    except Exception:
        raise InputError(f"{book.path}: not a workbook made by excelbp (no readable '{SPEC_SHEET}' sheet)") from None
    return structure


def spec_from_workbook(structure: dict, value: Callable[[str, str], object], path: Path) -> tuple[Spec, layout.InputsSheet]:
    """The Spec whose inputs are the workbook's current (recalculated) input values."""
    from .options import BuildOptions, make_spec

    try:
        sizes = tuple(int(n) for n in structure["sizes"])
        n, n_test = int(structure["n_samples"]), int(structure.get("n_test", 0))
        # a spec of the right shape, whose values are then replaced by the workbook's
        shell = make_spec(
            BuildOptions(
                layers=sizes,
                activation=structure["activation"],
                loss=structure["loss"],
                bias=bool(structure["bias"]),
                batch=int(structure["batch"]),
                steps=int(structure["steps"]),
                lang=structure.get("lang", "en"),
                layout=structure.get("layout", "rows"),
            )
        )
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"{path}: the excelbp structure sheet is damaged ({e})") from None

    def block(b: layout.Block | None) -> np.ndarray | None:
        if b is None:
            return None
        out = np.empty((b.rows, b.cols))
        for i in range(b.rows):
            for j in range(b.cols):
                v = value(NAME, b.cell(i, j, absolute=False))
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise InputError(f"{path}: {NAME}!{b.cell(i, j, absolute=False)} should hold a number, holds {v!r}")
                out[i, j] = v
        return out

    dummy = np.zeros((n, sizes[0]))
    shaped = replace(
        shell,
        template=structure.get("template", "custom"),
        raw_X=dummy,
        raw_Y=np.zeros((n, sizes[-1])),
        w_true=np.zeros(sizes[0]) if structure.get("has_w_true") else None,
        x_scale=np.ones(sizes[0]) if structure.get("scaled") else None,
        y_scale=np.ones(sizes[-1]) if structure.get("scaled") else None,
        X_test=np.zeros((n_test, sizes[0])) if n_test else None,
        Y_test=np.zeros((n_test, sizes[-1])) if n_test else None,
        input_names=tuple(structure["input_names"]),
        output_names=tuple(structure["output_names"]),
        image_side=structure.get("image_side"),
    )
    sheet = layout.inputs_sheet(shaped)
    raw_X = block(sheet.raw_X) if sheet.raw_X is not None else block(sheet.X)
    spec = replace(
        shaped,
        lr=float(block(sheet.lr)[0, 0]),
        raw_X=raw_X,
        raw_Y=None if shaped.w_true is not None else block(sheet.raw_Y if sheet.raw_Y is not None else sheet.Y),
        w_true=None if sheet.w_true is None else block(sheet.w_true)[0],
        x_scale=None if sheet.x_scale is None else block(sheet.x_scale)[0],
        y_scale=None if sheet.y_scale is None else block(sheet.y_scale)[0],
        W_init=tuple(block(b) for b in sheet.W_init),
        b_init=None if sheet.b_init is None else tuple(block(b)[0] for b in sheet.b_init),
        X_test=block(sheet.X_test),
        Y_test=block(sheet.Y_test),
    )
    # no rounding here: the engine must use exactly what the workbook holds
    return spec, sheet


def verify(path: Path, *, engine: str = "formulas", progress: Callable[[int, int], None] | None = None) -> Report:
    path = Path(path)
    book = xlsx_reader.open_book(path)
    structure = read_structure(book)
    result = xlsx_reader.recalculate(book, engine=engine, progress=progress)
    values = result.values

    def value(sheet: str, cell: str):
        return values.get(f"{sheet}!{cell}")

    spec, sheet = spec_from_workbook(structure, value, path)
    table = step_layout(spec)
    trace = train(spec)
    report = Report(path=path, engine=engine)

    def check(group: str, where: str, got, expected: float, scale: float, what) -> None:
        ok, diff, rel = _agree(got, expected, scale)
        if where not in result.formulas:  # a typed-in number, however right, is not live
            ok, what = False, "a value where excelbp wrote a formula"
        st = report.stats.setdefault(QUANTITIES.get(group, group), Stat())
        st.cells += 1
        if math.isfinite(diff):
            st.max_abs, st.max_rel = max(st.max_abs, diff), max(st.max_rel, rel if math.isfinite(rel) else 0.0)
        if not ok:
            report.mismatches += 1
            if report.first_mismatch is None:
                what = what() if callable(what) else what
                report.first_mismatch = f"{where} ({what}): expected {float(expected)!r}, got {got!r}"

    from .labels import header

    # step by step, so that the first mismatch reported is the earliest step that goes wrong
    placed = [(t, [(key, dr, get_column_letter(c + 1)) for key, dr, c in t.positions()]) for t in step_sheets(table)]
    expected = {key: np.array([step_value(trace, key, s, spec) for s in range(spec.steps)], dtype=float) for t, cells in placed for key, _, _ in cells}
    scales = {key: float(np.max(np.abs(e[np.isfinite(e)]), initial=0.0)) for key, e in expected.items()}
    steps_cells = set()
    for s in range(spec.steps):
        for t, cells in placed:
            top = t.row(s + 1)
            for key, dr, letter in cells:
                where = f"{t.sheet}!{letter}{top + dr}"
                steps_cells.add(where)
                check(key[0], where, values.get(where), expected[key][s], scales[key], lambda: f"{header(spec, key)}, step {s + 1}")
    for (r, c), expected in inputs_values(spec, sheet, trace):
        cell = f"{get_column_letter(c)}{r}"
        check("inputs", f"{NAME}!{cell}", value(NAME, cell), expected, abs(expected), "Inputs formula")
    checked = {f"{NAME}!{get_column_letter(c)}{r}" for (r, c), _ in inputs_values(spec, sheet, trace)}
    view = layout.images_sheet(spec)
    if view is not None:
        pick = value(IMAGES, view.pick.cell(absolute=False))
        if isinstance(pick, bool) or not isinstance(pick, (int, float)) or not 1 <= pick <= spec.n_samples or pick != int(pick):
            raise InputError(f"{path}: {IMAGES}!{view.pick.cell(absolute=False)} should hold a sample number from 1 to {spec.n_samples}, holds {pick!r}")
        for (r, c), expected_value in images_values(spec, view, trace, int(pick)):
            cell = f"{get_column_letter(c)}{r}"
            check("images", f"{IMAGES}!{cell}", value(IMAGES, cell), expected_value, abs(expected_value), "Images formula")
            checked.add(f"{IMAGES}!{cell}")
    # verify reads by layout; make sure no formula cell escaped the comparison
    inputs = {f"{NAME}!{b.cell(i, j, absolute=False)}" for b in layout.input_blocks(sheet) for i in range(b.rows) for j in range(b.cols)}
    if view is not None:
        inputs.add(f"{IMAGES}!{view.pick.cell(absolute=False)}")
    unchecked = result.formulas - steps_cells - checked - inputs  # an input may be typed as a formula
    if unchecked:
        report.mismatches += len(unchecked)
        report.first_mismatch = report.first_mismatch or f"{sorted(unchecked)[0]}: a formula cell excelbp did not write"
    return report
