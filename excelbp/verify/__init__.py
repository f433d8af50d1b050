"""Stage 9, verify: read a workbook safely, recalculate it (the `formulas` package or
LibreOffice), rerun the engine on its inputs as they stand, and compare every cell."""

from .compare import read_structure, verify

__all__ = ["read_structure", "verify"]
