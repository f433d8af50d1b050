"""`verify --engine NAME`, and `--engine all`: the same workbook recalculated by every engine,
each engine's result compared in full."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExternalError, InputError
from .compare import verify
from .reader import ENGINES
from .report import Report


@dataclass
class Outcome:
    engine: str
    report: Report | None = None  # None when the engine failed
    error: str | None = None  # its one-line error
    status: int = 0  # the exit status this engine alone would give: 0, 1, 2 or 3


def verify_all(
    path: Path, engine: str = "all", *, progress: Callable[[int, int], None] | None = None
) -> list[Outcome]:
    """Each engine's verdict on the file, in ENGINES' order, or the one engine's.

    With one engine, its errors are raised as verify() raises them. With "all", a file the first
    engine (formulas) finds bad is bad input for every engine: that InputError is raised at once;
    a later engine's failure (LibreOffice, Gnumeric or IronCalc missing, failing, timing out) is its
    outcome, and the others still run."""
    if engine not in (*ENGINES, "all"):
        raise InputError(f"--engine: unknown {engine!r}; choose from {', '.join(ENGINES)} or all")
    out = []
    for name in ENGINES if engine == "all" else (engine,):
        try:
            report = verify(path, engine=name, progress=progress)
        except (InputError, ExternalError) as e:
            if engine != "all" or (name == ENGINES[0] and isinstance(e, InputError)):
                raise
            out.append(Outcome(name, error=str(e), status=2 if isinstance(e, InputError) else 3))
        else:
            out.append(Outcome(name, report, status=0 if report.ok else 1))
    return out


def status(outcomes: list[Outcome]) -> int:
    """0 when every engine agrees; 1 when any finds a mismatch; else the first failure's status."""
    codes = [o.status for o in outcomes]
    return 1 if 1 in codes else next((c for c in codes if c), 0)


def lines(outcomes: list[Outcome], *, quiet: bool) -> tuple[list[str], list[str]]:
    """(stdout, stderr): each engine's report (quiet: its verdict line); for several, a blank
    line after each report and a last line for them all."""
    out: list[str] = []
    err = [f"excelbp: error: --engine {o.engine}: {o.error}" for o in outcomes if o.report is None]
    for o in outcomes:
        if o.report is not None:
            report = o.report.lines()
            out += report[-1:] if quiet else [*report, ""] if len(outcomes) > 1 else report
    if len(outcomes) > 1:
        word = {0: "OK", 1: "MISMATCH", 2: "bad input", 3: "failed"}
        every = ", ".join(f"{o.engine} {word[o.status]}" for o in outcomes)
        out.append(f"{'ALL OK' if status(outcomes) == 0 else 'NOT ALL OK'}: {every}")
    return out, err
