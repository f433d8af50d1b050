"""Stage 6, the sheets: every cell of the workbook as plain data (text, formula, cached value,
style), from the spec, the engine's run and the layout. The sheets compute nothing: formula
text from quantities and the layout's references, values the engine's, placed by the layout."""
