"""LibreOffice's time on one workbook, phase by phase, through its UNO API; prints one JSON line.

    /usr/bin/python3 benchmarks/lo_phases.py WORKBOOK.xlsx

`soffice --convert-to` (what verify runs) times opening, recalculating, saving a copy and
closing together. A learner waits for two of these separately: the file opening, and the
workbook recalculating after an edit. This script opens the workbook without recalculating
(a fresh profile set to "never recalculate on load"), then times: calculateAll() (every
formula cell, as Data ▸ Calculate ▸ Recalculate Hard does), setting `lr` to half its value and
calculate() (what editing lr costs), setting it back, and closing.

It needs Python's `uno` module, which comes with LibreOffice's python3-uno package (Debian:
apt-get install python3-uno) and is importable only by the system's Python, not a venv's:
benchmarks/run.py looks for such a Python and skips these figures without one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import uno  # type: ignore[import-not-found]  # the system Python's, from python3-uno
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

_NEVER_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
"""


def _prop(name: str, value) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def phases(path: str, soffice: str = "soffice") -> dict[str, float]:
    """Seconds of each phase on the workbook at `path`."""
    work = tempfile.mkdtemp(prefix="excelbp-lo-phases-")
    os.makedirs(f"{work}/profile/user")
    with open(f"{work}/profile/user/registrymodifications.xcu", "w") as f:
        f.write(_NEVER_RECALCULATE)
    pipe = f"excelbp{os.getpid()}"
    office = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--invisible",
            "--norestore",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        for _ in range(240):  # a first start with a new profile takes some seconds
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.25)
        else:
            raise RuntimeError("soffice did not start listening within a minute")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        out = {}
        t = time.perf_counter()
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0, (_prop("Hidden", True),)
        )
        out["open"] = time.perf_counter() - t
        t = time.perf_counter()
        doc.calculateAll()
        out["recalculate"] = time.perf_counter() - t
        lr = doc.NamedRanges.getByName("lr").getReferredCells()
        rate = lr.getValue()
        t = time.perf_counter()
        lr.setValue(rate / 2)
        doc.calculate()
        out["edit_lr"] = time.perf_counter() - t
        t = time.perf_counter()
        lr.setValue(rate)
        doc.calculate()
        out["edit_lr_back"] = time.perf_counter() - t
        t = time.perf_counter()
        doc.close(True)
        out["close"] = time.perf_counter() - t
        return out
    finally:
        try:
            os.killpg(office.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        office.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(phases(sys.argv[1], *(sys.argv[2:3]))))
