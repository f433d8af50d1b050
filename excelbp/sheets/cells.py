"""The workbook as plain data: sheets of rows of cells, charts, defined names.

Nothing here knows openpyxl or any other stage: the writer turns a WorkbookPlan into a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Cell:
    """value: a number, a formula ("=…", kind "formula"), text (kind "text", never a formula)
    or nothing (kind "blank": only the style, e.g. a band of colour text may run over)."""

    value: object
    style: str = "text"
    kind: str = "text"  # "text" | "number" | "formula" | "array_part" | "blank"
    comment: str | None = None
    cached: float | None = (
        None  # the engine's value of a formula, for readers that do not calculate
    )
    # a formula shared by a rectangle of cells (written once): (si, "A1:B2") on its first cell,
    # (si,) on the others, whose formulas are the first one's moved with them
    shared: tuple | None = None
    # an array formula (kind "formula") over a rectangle: its range ("B10:AG41") on the first
    # cell; the rectangle's other cells are kind "array_part", holding only their cached value
    array: str | None = None


@dataclass(frozen=True)
class Series:
    name: str
    sheet: str
    col: int  # 1-based
    first_row: int
    last_row: int
    x_col: int | None = None  # a scatter chart's x values, same rows
    points: bool = False  # markers, no line
    name_ref: str | None = (
        None  # a cell whose value names the series live ('Sheet'!$B$4); `name` is its text as built
    )
    last_col: int | None = None  # a row of cells col…last_col (first_row = last_row), not a column


@dataclass(frozen=True)
class ChartPlan:
    title: str
    y_title: str
    log_y: bool
    series: list[Series]
    categories: Series  # the x axis: step numbers
    anchor: str
    size_cm: tuple[float, float] = (16.0, 8.5)  # width, height
    scatter: bool = False  # x values from the series' x_col (categories name the x axis)
    bar: bool = False  # columns over the categories (a bar chart), not lines
    y_limits: tuple[float, float] | None = None  # a fixed value axis (probabilities: 0 to 1)


@dataclass(frozen=True)
class SheetPlan:
    title: str
    rows: Iterable[list[Cell | None]]  # may be a generator: rows are made as they are written
    widths: dict[int, float] = field(default_factory=dict)  # 1-based column → width
    freeze: str | None = None
    hidden: bool = False
    charts: list[ChartPlan] = field(default_factory=list)
    fit_width: bool = False  # print (and render) one page wide, landscape
    print_scale: int | None = None  # print (and render) landscape at this percentage
    extent: tuple[int, int] | None = (
        None  # rows × columns, written as <dimension> so readers need not scan
    )
    heatmaps: list[tuple[str, str]] = field(
        default_factory=list
    )  # (range, "diverging" | "ink" | "counts" | "verdict")
    heights: object | None = None  # row → points: anything with .get(row) (sheets/style.RowHeights)


@dataclass(frozen=True)
class WorkbookPlan:
    sheets: list[SheetPlan]  # in display order; each sheet's rows depend on nothing written before
    names: dict[str, str]


def text(value: str, style: str = "text") -> Cell:
    return Cell(str(value), style, "text")


def number(value: float, style: str = "input") -> Cell:
    return Cell(float(value), style, "number")


def formula(
    value: str, style: str = "real", cached: float | None = None, shared: tuple | None = None
) -> Cell:
    return Cell(value, style, "formula", cached=cached, shared=shared)


def blank(style: str) -> Cell:
    return Cell(None, style, "blank")


def grid_rows(
    cells: dict[tuple[int, int], Cell], cached: dict[tuple[int, int], float] | None = None
) -> list[list[Cell | None]]:
    """Cells placed by (row, col), 1-based, as rows from row 1 (with the engine's values of
    the formula cells, where given)."""
    n_rows, n_cols = max(r for r, _ in cells), max(c for _, c in cells)
    cached = cached or {}
    out = []
    for r in range(1, n_rows + 1):
        row = [cells.get((r, c)) for c in range(1, n_cols + 1)]
        out.append(
            [
                (
                    Cell(x.value, x.style, x.kind, x.comment, cached[(r, c)], x.shared, x.array)
                    if (r, c) in cached
                    else x
                )
                for c, x in enumerate(row, start=1)
            ]
        )
    return out
