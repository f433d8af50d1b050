"""What verify will read and evaluate, bounded before it does, from what the workbook's own
structure record says it holds: a file's cost follows its cells, formulas and ranges, not its
bytes (24 MB of zipped XML can hold 11.8 million cells; a formula of 30 bytes can span every
cell of a sheet). Every refusal is one line naming what is too large (InputError, exit 2).

The record itself is checked first against what excelbp can write (layout/size.py), so that
a record claiming 10⁹ steps or samples costs nothing; then the sheets must hold what it
claims (a record claiming more steps than the sheets hold is refused before the engine runs
them all), and may hold only so much more."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..errors import InputError
from ..layout.grid import Block
from ..layout.inputs import inputs_sheet
from ..layout.size import MAX_CELLS, MAX_COLS, MAX_ROWS, settle
from ..layout.steps import step_layout
from ..spec.structure import shaped_spec

SLACK_CELLS = 200_000  # a learner's notes and edits, beyond the cells the layout places
# The `formulas` package compiles a formula outside the translator's grammar in 20-50 ms:
# digits needs about 100, excelbp's other workbooks fewer.
MAX_TEMPLATES = 300
# One reference's cells: the data block of the largest workbook excelbp writes is far
# smaller (digits: 1,797 × 64); a whole column is 1,048,576.
MAX_RANGE_CELLS = 4 * 1024 * 1024
# XML the streaming reader does not take is read by openpyxl (openpyxl_cells.py), at 16 µs and
# a Python object a cell.
MAX_FALLBACK_CELLS = 100_000


@dataclass(frozen=True)
class Budget:
    cells: int  # cells (of all sheets) the reader may hold
    shapes: int  # distinct formula shapes (each is tokenised and translated once)
    work: int  # Σ over formula cells of the cells their references span (an array formula's
    # anchor counts its ranges once, each other cell of its ref one cell: fast_read.py)
    last_rows: dict[str, int]  # sheet → the last row the record says it uses


def record_numbers(recorded: dict, source: str) -> None:
    """Refuse numbers no excelbp workbook can have before shaped_spec allocates arrays of them."""

    def bad(what: str) -> InputError:
        return InputError(
            f"{source}: the excelbp structure sheet claims {what}, more than a workbook excelbp"
            " writes can hold"
        )

    try:
        sizes = [int(n) for n in recorded["sizes"]]
        n, n_test, steps = (
            int(recorded["n_samples"]),
            int(recorded.get("n_test", 0)),
            int(recorded["steps"]),
        )
    except (KeyError, TypeError, ValueError):
        return  # shaped_spec names what is missing or malformed
    if not 2 <= len(sizes) <= 64 or any(not 1 <= s <= MAX_COLS for s in sizes):
        raise bad(f"layer sizes {','.join(map(str, sizes[:8]))}{'…' if len(sizes) > 8 else ''}")
    if (
        not 0 <= n <= MAX_ROWS
        or not 0 <= n_test <= MAX_ROWS
        or (n + n_test) * (sizes[0] + sizes[-1]) > MAX_CELLS
    ):
        raise bad(f"{n:,} samples and {n_test:,} test samples of {sizes[0]:,} inputs")
    if not 1 <= steps <= MAX_ROWS:
        raise bad(f"{steps:,} steps")
    if sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) > MAX_CELLS:
        raise bad(f"{sum(a * b for a, b in zip(sizes[:-1], sizes[1:])):,} weights")
    if not 0 <= int(recorded.get("compare_lr", 0) or 0) <= 64:
        raise bad(f"{recorded.get('compare_lr')} learning rates")


def budget(recorded: dict, source: str) -> Budget:
    """The budget of a workbook whose structure record is `recorded` (already read)."""
    record_numbers(recorded, source)
    spec = shaped_spec(recorded, source=source)
    try:
        settle(spec.network)  # the build's own limits: rows, columns, 50 million cells
    except InputError as e:
        said = re.sub(r"--([a-z][\w-]*)", lambda m: m[1].replace("-", "_"), str(e))
        raise InputError(
            f"{source}: the excelbp structure sheet claims more than excelbp writes ({said})"
        ) from None
    steps = step_layout(spec)
    last_rows, cells = {}, 0
    for t in steps.sheets:
        rows, cols = t.extent(spec.steps)
        last_rows[t.title] = max(t.row(spec.steps) + dr for _, dr, _ in t.positions())
        cells += rows * cols * (1 + len(spec.compare_lr))  # a sweep copies the main sheet
    inputs = inputs_sheet(spec)
    blocks = [b for b in _blocks(inputs)]
    cells += max(b.row + b.rows for b in blocks) * max(b.col + b.cols for b in blocks)
    cells = cells + cells // 4 + SLACK_CELLS
    # a step's formulas repeat a few shapes, but a reference to a sample's Inputs row is a
    # shape of its own (digits: 80,000 shapes for 1,050,000 formula cells)
    return Budget(cells=cells, shapes=cells // 8 + 20_000, work=64 * cells, last_rows=last_rows)


def _blocks(obj) -> list[Block]:
    out = []
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        for b in v.values() if isinstance(v, dict) else v if isinstance(v, tuple) else (v,):
            if isinstance(b, Block):
                out.append(b)
    return out
