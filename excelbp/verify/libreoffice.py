"""Recalculate xlsx workbooks in headless LibreOffice.

LibreOffice keeps the cached values of an xlsx unless told otherwise, so every call
runs soffice with a private, throw-away profile whose settings force a full
recalculation on load (``OOXMLRecalcMode`` = 0, "Always"). Each call gets its own
profile, so several calls may run in parallel. The recalculated copy is written with
``--convert-to xlsx``; the source file is never touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import ExternalError, InputError
from .external import run

NOT_FOUND = (
    "LibreOffice (soffice) not found; install it (apt-get install "
    "libreoffice-calc-nogui) or set EXCELBP_SOFFICE"
)

# Forces "Recalculation on file load" for Excel 2007+ files to "Always".
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    """Return the path of the LibreOffice executable, or None if there is none.

    Looks at the environment variable ``EXCELBP_SOFFICE`` first, then for ``soffice``
    and ``libreoffice`` on PATH, then at /usr/bin/soffice and
    /opt/libreoffice*/program/soffice.
    """
    env = os.environ.get("EXCELBP_SOFFICE")
    if env:
        return env if os.path.isfile(env) else shutil.which(env)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = ["/usr/bin/soffice"] + sorted(glob.glob("/opt/libreoffice*/program/soffice"))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def recalculate(
    paths: Iterable[Path], outdir: Path | None = None, *, timeout: float = 600
) -> list[Path]:
    """Recalculate workbooks fully, in one soffice start; return the recalculated copies.

    Each copy is ``outdir / (stem + ".xlsx")``, so the files must have distinct stems;
    without ``outdir`` they go to a new temporary folder that the caller owns. ``outdir``
    must not be a source's folder. Raises InputError when soffice is missing, and
    ExternalError when it fails, times out or writes no file.
    """
    sources = [Path(p).resolve() for p in paths]
    if not sources:
        return []
    for src in sources:
        if not src.is_file():
            raise InputError(f"{src}: no such file")
    stems = [src.stem for src in sources]
    if len(set(stems)) != len(stems):
        raise InputError("recalculate: input files must have distinct names")
    soffice = find_soffice()
    if soffice is None:
        raise InputError(NOT_FOUND)
    if outdir is None:
        outdir = Path(tempfile.mkdtemp(prefix="excelbp-recalc-"))
    outdir = Path(outdir).resolve()
    if any(outdir == src.parent for src in sources):
        raise InputError(f"{outdir}: output folder must not be the source's folder")
    outdir.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="excelbp-soffice-"))
    try:
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
        staging = work / "out"  # soffice writes here first: no stale or partial files
        staging.mkdir()
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(staging),
            *map(str, sources),
        ]
        scratch = work / "tmp"  # soffice's own temporary files (lu*.tmp), removed with the rest
        scratch.mkdir()
        stdout, stderr = run(
            cmd,
            timeout,
            program="LibreOffice",
            squeeze=_one_line,
            env={**os.environ, "TMPDIR": str(scratch)},
        )
        results = []
        for src in sources:
            produced = staging / (src.stem + ".xlsx")
            if not produced.is_file() or produced.stat().st_size == 0:
                detail = _one_line(stderr) or _one_line(stdout) or "no output"
                raise ExternalError(f"{src}: LibreOffice wrote no recalculated file ({detail})")
            target = outdir / produced.name
            shutil.move(str(produced), str(target))
            results.append(target)
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _one_line(text: str) -> str:
    """Squeeze soffice's output into one short line for an error message.

    Drops the harmless "failed to launch javaldx" warning that every run prints.
    """
    lines = [line for line in text.splitlines() if "javaldx" not in line]
    return " ".join(" ".join(lines).split())[:300]
