"""The words of the texts a layout places (layout/step_sheet.Label), in the workbook's language."""

from __future__ import annotations

from ..layout.step_sheet import Label
from ..quantities.context import EXPLICIT_TERMS
from ..quantities.names import dest, unit
from ..quantities.registry import kind_of
from ..spec import Spec
from ..words import sheet_titles, words
from .cells import Cell

WIDE_TABLE = 400  # columns; beyond it a header's note is given once per kind and layer
# the areas of a block whose first cell's note explains them (on the first block only)
NOTED = {"z", "a", "Lb", "hit", "g", "d", "W", "W+"}


def says(spec: Spec, what: tuple) -> str:
    w = words(spec.lang)
    kind = what[0]
    if kind in ("word", "section"):
        text = w[what[1]]
        return text.format_map(context(spec)) if "{" in text else text
    if kind == "sub":
        return w[what[1]].format(n=what[2] if len(what) > 2 else "")
    if kind == "header":
        return kind_of(what[1]).header(spec, what[1])
    if kind == "area":
        return area_title(spec, *what[1:])
    if kind == "unit":
        return unit(spec, what[1], what[2])
    if kind == "dest":
        return dest(spec, what[1], what[2])
    return ""  # ("blank",)


def context(spec: Spec) -> dict[str, str]:
    """What words may name: the sheets, the optimizer and its update rule."""
    return sheet_titles(spec.lang) | {
        "opt": spec.optimizer.name,
        "rule": words(spec.lang)["rule_" + spec.optimizer.name],
    }


def area_title(spec: Spec, name: str, layer: int, cols: int, matrix: bool) -> str:
    """The title over a group of a block's columns."""
    w = words(spec.lang)
    if cols == 1 and not matrix:  # a long title would be cut off by the next group
        return w["layer"].format(n=layer) if layer else ""
    if name.endswith("_turned") and f"area_{name}" not in w:  # an optimizer's state, turned
        return area_title(spec, name.removesuffix("_turned"), layer, cols, matrix) + w["turned"]
    word = spec.layers[layer - 1].area_word(name) if layer else f"area_{name}"
    return w[word].format(
        l=layer, act=spec.act(layer) if layer else "", rule=w["rule_" + spec.optimizer.name]
    )


def area_note(spec: Spec, name: str, layer: int) -> str | None:
    w = words(spec.lang)
    if name.endswith("_turned"):  # a first layer read in place (layout/blocks.py)
        return w["note_turned"].format_map(context(spec))
    # the SUMPRODUCT notes only where the formulas are SUMPRODUCTs (see quantities/context.py)
    if name == "Wt" or (name == "dW" and spec.batch > 1):
        return w[f"note_{name}"]
    if name == "g" and layer < spec.n_layers and spec.sizes[layer + 1] > EXPLICIT_TERMS:
        return w["note_g"]
    if name == "dW":
        return kind_of(("dW",)).note(spec, ("dW", layer, 0, 0))
    if name not in NOTED:
        return None
    key = (
        (name, layer, 0, 0)
        if name in ("W", "W+")
        else (name, 0)
        if name in ("Lb", "hit")
        else (name, 0, layer, 0)
    )
    return kind_of(key).note(spec, key)


def render(
    spec: Spec, labels: list[Label], *, notes: bool, wide: bool = False
) -> dict[tuple[int, int], Cell]:
    """(row, 0-based column) → Cell. Notes only with `notes`; in a `wide` table each kind
    and layer gets one note, not thousands."""
    out: dict[tuple[int, int], Cell] = {}
    noted: set[tuple] = set()
    for label in labels:
        comment = None
        if notes and label.note is not None:
            if label.note[0] == "area":
                comment = area_note(spec, *label.note[1:])
            else:
                key = label.note[1]
                family = (
                    key[0],
                    key[2] if key[0] in ("z", "a", "g", "d") else key[1] if len(key) > 2 else None,
                )
                if not (wide and family in noted):
                    comment = kind_of(key).note(spec, key)
                noted.add(family)
        if label.says == ("blank",):
            out[(label.row, label.col)] = Cell(None, label.style, "blank")
        else:
            out[(label.row, label.col)] = Cell(
                says(spec, label.says), label.style, "text", comment=comment
            )
    return out
