"""Stage 5, the layout: where each quantity lives. Pure positions: no formula text, no words."""
