"""The named styles every workbook carries, and the colour scales of its heat maps."""

from __future__ import annotations

from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

# One colour per column group, pale enough to read numbers on.
GROUP_COLOURS = {
    "step": "D9D9D9",
    "params": "E2EFDA",
    "reference": "EDEDED",
    "forward": "DDEBF7",
    "loss": "FCE4D6",
    "backward": "F8CBAD",
    "gradient": "FFF2CC",
    "optimizer": "E4DFEC",
    "update": "C6EFCE",
}
INPUT_FILL = "FFFF99"

# Weights: blue below zero, white at zero, red above, light enough for black figures.
# Pixels: white paper, black ink (their cells show no figure). Counts: white to light blue.
HEATMAPS = {
    "diverging": lambda: ColorScaleRule(
        start_type="min",
        start_color="9DC3E6",
        mid_type="num",
        mid_value=0,
        mid_color="FFFFFF",
        end_type="max",
        end_color="F4B183",
    ),
    "ink": lambda: ColorScaleRule(
        start_type="num", start_value=0, start_color="FFFFFF", end_type="max", end_color="000000"
    ),
    "counts": lambda: ColorScaleRule(
        start_type="min", start_color="FFFFFF", end_type="max", end_color="9BC2E6"
    ),
    # the gradient check: green where backprop agrees with the finite differences, red where not
    "verdict": lambda: [
        CellIsRule(
            operator="lessThan", formula=["1E-6"], fill=PatternFill("solid", bgColor="C6EFCE")
        ),
        CellIsRule(
            operator="greaterThanOrEqual",
            formula=["1E-6"],
            fill=PatternFill("solid", bgColor="FFC7CE"),
        ),
    ],
}


def named_styles() -> list[NamedStyle]:
    """The styles sheets/style.py describes: number formats by kind of value, text by role."""
    thin = Side(style="thin", color="BFBFBF")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    out = [
        NamedStyle("title", font=Font(bold=True, size=14)),
        NamedStyle("subtitle", font=Font(italic=True, size=11)),
        NamedStyle("note", font=Font(italic=True, color="595959")),
        NamedStyle("section", font=Font(bold=True, size=12, color="1F4E78")),
        NamedStyle("label", font=Font(bold=True)),
        NamedStyle("text"),
        # inputs: yellow with blue figures, the usual spreadsheet sign for "type here"
        NamedStyle(
            "input",
            font=Font(color="0000FF"),
            fill=PatternFill("solid", fgColor=INPUT_FILL),
            border=box,
            number_format="General",
        ),
        # General shows as many digits as the column holds: 0.61, 196, 1.96E-05
        NamedStyle("real", border=box, number_format="General"),
        NamedStyle("int", border=box, number_format="0", alignment=Alignment(horizontal="center")),
        NamedStyle("percent", border=box, number_format="0.0%"),
        NamedStyle("result", font=Font(bold=True), border=box, number_format="0.0%"),
        NamedStyle("pixel", number_format=";;;"),  # the colour is the picture
        NamedStyle(
            "moved", font=Font(bold=True), border=box, number_format="General"
        ),  # a parameter moved by ε
        # a pixel the learner types: the colour is the picture, a small grey figure says what
        # to edit
        NamedStyle(
            "drawing",
            font=Font(size=7, color="808080"),
            border=box,
            number_format="General",
            alignment=Alignment(horizontal="center"),
        ),
        NamedStyle(
            "guess",
            font=Font(bold=True, size=16, color="1F4E78"),
            border=box,
            number_format="0",
            alignment=Alignment(horizontal="center", vertical="center"),
        ),
    ]
    for group, colour in GROUP_COLOURS.items():
        fill = PatternFill("solid", fgColor=colour)
        out.append(NamedStyle(f"group_{group}", font=Font(bold=True), fill=fill))
        out.append(
            NamedStyle(f"sub_{group}", font=Font(bold=True), fill=fill, border=Border(bottom=thin))
        )
        wrapped = Alignment(horizontal="center", vertical="bottom", wrap_text=True)
        out.append(
            NamedStyle(
                f"header_{group}", font=Font(bold=True), fill=fill, alignment=wrapped, border=box
            )
        )
    return out
