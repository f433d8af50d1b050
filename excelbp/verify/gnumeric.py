"""Recalculate an xlsx workbook with Gnumeric: ``ssconvert --recalc in.xlsx out.xlsx``.

A third engine, independent of the `formulas` package and of LibreOffice. ``--recalc``
recalculates every formula cell, whatever value is cached in the file: measured with
Gnumeric 1.12.55, a formula whose cached value was wrong while its inputs were unchanged,
with and without ``fullCalcOnLoad``, came out right, and so did the cells depending on an
input edited in the XML behind the cached values' back (tests/test_gnumeric.py checks both
on every run). So the copy handed to ssconvert keeps its cached values.

ssconvert runs in its own process group (killed with it on timeout, SIGTERM or Ctrl-C), on
a copy of the file inside a temporary folder that also holds its HOME and TMPDIR, so nothing
is left behind; GSETTINGS_BACKEND=memory keeps it away from dconf. The importer and exporter
are named, so a file is read as xlsx whatever its content looks like.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import ExternalError, InputError
from .external import run

NOT_FOUND = (
    "Gnumeric (ssconvert) not found; install it (apt-get install gnumeric) or set EXCELBP_SSCONVERT"
)
# what ssconvert says about every excelbp workbook: parts of xlsx it does not take, harmless here
_NOISE = ("Unhandled object of type", "Unexpected element", "Ignoring unhandled", "\t")


def find_ssconvert() -> str | None:
    """EXCELBP_SSCONVERT (a path or a name on PATH), else ssconvert on PATH, else None."""
    env = os.environ.get("EXCELBP_SSCONVERT")
    if env:
        return env if os.path.isfile(env) and os.access(env, os.X_OK) else shutil.which(env)
    return shutil.which("ssconvert")


def recalculate(path: Path, outdir: Path, *, timeout: float = 600) -> Path:
    """Recalculate one workbook fully; return the recalculated copy, ``outdir / (stem + ".xlsx")``.

    ``outdir`` must not be the source's folder. Raises InputError when ssconvert is missing,
    ExternalError when it fails, times out or writes no file.
    """
    src = Path(path).resolve()
    if not src.is_file():
        raise InputError(f"{src}: no such file")
    ssconvert = find_ssconvert()
    if ssconvert is None:
        raise InputError(NOT_FOUND)
    outdir = Path(outdir).resolve()
    if outdir == src.parent:
        raise InputError(f"{outdir}: output folder must not be the source's folder")
    outdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="excelbp-gnumeric-"))
    try:
        home, scratch = work / "home", work / "tmp"
        home.mkdir(), scratch.mkdir()
        copy, produced = (
            work / "in.xlsx",
            work / "out.xlsx",
        )  # plain names: ssconvert reads its arguments as URIs
        shutil.copyfile(src, copy)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("XDG_", "DBUS_", "GSETTINGS_", "DISPLAY", "WAYLAND_"))
        }
        env.update(HOME=str(home), TMPDIR=str(scratch), GSETTINGS_BACKEND="memory")
        cmd = [
            ssconvert,
            "--recalc",
            "--import-type=Gnumeric_Excel:xlsx",
            "--export-type=Gnumeric_Excel:xlsx2",
            str(copy),
            str(produced),
        ]
        try:
            stdout, stderr = run(
                cmd, timeout, program="Gnumeric (ssconvert)", squeeze=_one_line, env=env
            )
        except ExternalError as e:  # named by the user's file, not by its copy
            raise ExternalError(f"{src}: {str(e).replace(str(copy), src.name)}") from None
        if not produced.is_file() or produced.stat().st_size == 0:
            detail = _one_line(stderr) or _one_line(stdout) or "no output"
            raise ExternalError(f"{src}: Gnumeric wrote no recalculated file ({detail})")
        target = outdir / (src.stem + ".xlsx")
        shutil.move(str(produced), str(target))
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _one_line(text: str) -> str:
    """ssconvert's output squeezed into one short line, without its warnings about every file."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith(_NOISE)]
    return " ".join(" ".join(lines).split())[:300]
