"""Stage 6, the sheets: every cell of the workbook as plain data (text, formula, cached value,
style), from the spec, the engine's run and the layout."""
