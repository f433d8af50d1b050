"""Stage 5, the layout: where each quantity lives, as values: blocks of cells (grid.Block),
references to a named sheet's cells (grid.Ref, which prints itself as a formula writes it), a
step sheet's place for each key (step_sheet.py, its cells as row templates such as F{r3}), and
which cell holds each number the engine computed of the final network (values.py). No formula
text (quantities and sheets write it) and no words (words/ names the sheets; a Label says
what it names, the sheets put it in words)."""
