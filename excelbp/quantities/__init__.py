"""Stage 4, the quantities: what each cell of a step is (formula, engine value, words, style),
independent of where a layout puts it."""
