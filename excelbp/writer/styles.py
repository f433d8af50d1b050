"""The named styles every workbook carries, and the colour scales of its heat maps."""

from __future__ import annotations

from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

# One colour per column group, pale enough to read numbers on.
GROUP_COLOURS = {
    "step": "D9D9D9",
    "params": "E2EFDA",
    "forward": "DDEBF7",
    "loss": "FCE4D6",
    "backward": "F8CBAD",
    "gradient": "FFF2CC",
    "update": "C6EFCE",
}
INPUT_FILL = "FFFF99"

# Weights: blue below zero, white at zero, red above. Pixels: white paper, black ink.
# Counts: white to a blue light enough to read the number on.
HEATMAPS = {
    "diverging": lambda: ColorScaleRule(start_type="min", start_color="5B9BD5", mid_type="num", mid_value=0, mid_color="FFFFFF", end_type="max", end_color="F8696B"),
    "ink": lambda: ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="000000"),
    "counts": lambda: ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="9BC2E6"),
}


def named_styles() -> list[NamedStyle]:
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
        NamedStyle("input", font=Font(color="0000FF"), fill=PatternFill("solid", fgColor=INPUT_FILL), border=box, number_format="General"),
        NamedStyle("formula", border=box, number_format="0.000000"),
        NamedStyle("percent", font=Font(bold=True), border=box, number_format="0.0%"),
        NamedStyle("percent_plain", number_format="0.0%"),
        NamedStyle("int", number_format="0", alignment=Alignment(horizontal="center")),
        NamedStyle("fixed", number_format="0.000000"),
        NamedStyle("general", number_format="0.000E+00"),
    ]
    for group, colour in GROUP_COLOURS.items():
        fill = PatternFill("solid", fgColor=colour)
        out.append(NamedStyle(f"group_{group}", font=Font(bold=True), fill=fill))
        out.append(NamedStyle(f"header_{group}", font=Font(bold=True), fill=fill, alignment=Alignment(horizontal="center", wrap_text=True), border=box))
    return out
