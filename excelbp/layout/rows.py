"""The rows layout: one row per step, every quantity a column, the samples side by side.

Columns come in groups: Step | Parameters | Forward | Loss | Backward | Gradient | Update,
as the seeds' tables have them. Where two keys are equal by definition (a = z for a linear
layer, δ = ∂L/∂a there, loss = the sample's loss when B = 1) the second points at the first
one's column instead of repeating it. The same table, with other columns, is the blocks
layout's Steps sheet (blocks.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..quantities.registry import KINDS
from ..quantities.step import param_keys, parameter_kinds, sample_areas
from ..spec import Spec
from ..words import sheet_title
from .grid import letter
from .step_sheet import Label, StepSheet

HEAD = 3  # header rows: groups, sub-groups, names


@dataclass(frozen=True)
class Column:
    key: tuple
    section: str
    sub: tuple = ()  # ("sample", 2), ("layer", 1), ("w_true",), ("batch_mean",) or ()


@dataclass(frozen=True)
class StepTable(StepSheet):
    """One row per step; `mirrored` (the blocks layout's Steps sheet) shows cells of another
    sheet's blocks: {t<dr>} is row dr of the step's block there."""

    columns: tuple[Column, ...]
    where: dict = field(repr=False)  # key → 0-based column index, aliases included
    epoch: int = 1  # steps in one pass over the data: the window of the accuracy
    title: str = "Steps"
    first_row: int = HEAD + 1
    height: int = 1
    mirrored: StepSheet | None = None

    @property
    def width(self) -> int:
        return len(self.columns)

    def letter(self, key: tuple) -> str:
        return letter(self.where[key] + 1)

    def has(self, key: tuple) -> bool:
        return key in self.where

    def position(self, key: tuple) -> tuple[int, int]:
        return 0, self.where[key]

    def positions(self) -> list[tuple[tuple, int, int]]:
        return [(col.key, 0, c) for c, col in enumerate(self.columns)]

    def at(self, key: tuple, which: str = "r", *, fixed_column: bool = False) -> str:
        return f"{'$' if fixed_column else ''}{self.letter(key)}{{{which}}}"

    def window(self, keys: list[tuple]) -> str:
        return f"{self.letter(keys[0])}{{w}}:{self.letter(keys[-1])}{{r}}"

    def mirror(self, key: tuple) -> tuple[str, str] | None:
        if self.mirrored is None or not self.mirrored.has(key):
            return None
        dr, c = self.mirrored.position(key)
        return self.mirrored.title, f"{letter(c + 1)}{{t{dr}}}"

    def fill(self, step: int, data_rows: list[int]) -> dict[str, int]:
        r = self.row(step)
        out = {"r": r, "w": max(self.first_row, r - self.epoch + 1)}
        if step > 1:  # step 1 has no previous row: a template asking for one fails loudly
            out["p"] = r - 1
        out.update((f"d{b}", d) for b, d in enumerate(data_rows))
        if self.mirrored is not None:
            top = self.mirrored.row(step)
            out.update((f"t{dr}", top + dr) for dr in range(self.mirrored.height))
        return out

    def heading(self) -> list[Label]:
        """Three rows: the group, the sub-group (sample, layer), the quantity with its note."""
        out = []
        last = (None, None)
        for c, col in enumerate(self.columns):
            new_section = col.section != last[0]
            new_sub = (col.section, col.sub) != last
            out.append(
                Label(
                    1,
                    c,
                    ("section", col.section) if new_section else ("blank",),
                    f"group_{col.section}",
                )
            )
            out.append(
                Label(
                    2,
                    c,
                    ("sub", *col.sub) if new_sub and col.sub else ("blank",),
                    f"sub_{col.section}",
                )
            )
            out.append(
                Label(3, c, ("header", col.key), f"header_{col.section}", note=("key", col.key))
            )
            last = (col.section, col.sub)
        return out

    def freeze(self) -> str | None:
        first_param = next(c for c, col in enumerate(self.columns) if col.section != "step")
        return f"{letter(first_param + 1)}{self.first_row}"


class _Columns:
    """Columns in the making: `add` gives a key its own column, `alias` shares one."""

    def __init__(self) -> None:
        self.columns: list[Column] = []
        self.where: dict = {}

    def add(self, key: tuple, section: str, sub: tuple = ()) -> None:
        self.where[key] = len(self.columns)
        self.columns.append(Column(key, section, sub))

    def alias(self, key: tuple, same_as: tuple) -> None:
        self.where[key] = self.where[same_as]

    def table(self, spec: Spec, **kw) -> StepTable:
        return StepTable(
            columns=tuple(self.columns),
            where=self.where,
            epoch=spec.epoch,
            title=sheet_title(spec.lang, "steps"),
            **kw,
        )


def rows_layout(spec: Spec) -> StepTable:
    t = _Columns()
    B = spec.batch
    t.add(("step",), "step")
    t.add(("lr_t",), "step")
    for b in range(B):
        t.add(("sample", b), "step")
    for key in param_keys(spec):
        t.add(key, "params", ("layer", key[1]))
    if spec.w_true is not None:  # beside the weights, for the convergence chart
        for i in range(spec.sizes[0]):
            t.add(("wt", i), "reference")
    areas = sample_areas(spec)

    def per_sample(section: str) -> None:
        for b in range(B):
            for area in (a for a in areas if a.section == section):
                for key, same in zip(
                    area.keys(b), area.alias_keys(b) if area.alias else area.keys(b)
                ):
                    t.alias(key, same) if area.alias else t.add(key, section, ("sample", b + 1))

    per_sample("forward")
    for area in (a for a in areas if a.section == "loss"):
        for b in range(B):
            t.add(area.keys(b)[0], "loss", ("sample", b + 1) if B > 1 else ())
        if area.kind == "Lb":
            t.add(("loss",), "loss", ("batch_mean",)) if B > 1 else t.alias(("loss",), ("Lb", 0))
        if area.kind == "hit":
            t.add(("acc",), "loss")
    per_sample("backward")
    for kinds in parameter_kinds(spec)[1:]:
        for key in param_keys(spec, kinds):
            t.add(key, KINDS[kinds[0]].section, ("layer", key[1]))
    return t.table(spec)
