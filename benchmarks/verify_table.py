"""`python benchmarks/run.py --verify`: `excelbp verify` by each engine on the demo at 300,
3,000 and 30,000 steps and on digits (and with --million, the 1,000,000-step demo), each run a whole
process as a user runs it (interpreter start-up, imports, the external program and reading its
copy back included), with its wall time and peak RSS (the largest process of its tree, as
`/usr/bin/time -v` reports it); each engine as a ratio to LibreOffice on the same file in the
same run. Plus ExcelModel load+calculate on the 300-step demo, also a whole cold process.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ENGINES = ("formulas", "libreoffice", "gnumeric")
CASES = [
    ("demo, 300 steps", ["--steps", "300"]),
    ("demo, 3,000 steps", ["--steps", "3000"]),
    ("demo, 30,000 steps", ["--steps", "30000"]),
    ("digits", ["--template", "digits"]),
]
MILLION = ("demo, 1,000,000 steps", ["--steps", "1000000"])


def verify_table(
    run, tmp: Path, *, million: Path | None, repeat: int = 1, engines=ENGINES
) -> list[tuple[str, str, str]]:
    """Print the table; return summary rows (what, figure, target) for run.py's summary.

    `run(cmd)` runs a command as run.py's launcher does: {"rc", "wall", "out", "err", "rss_mb"}."""
    py = [sys.executable, "-m", "excelbp"]
    cases = list(CASES) + ([MILLION] if million is not None else [])
    programs = {
        p: (
            subprocess.run([p, "--version"], capture_output=True, text=True)
            .stdout.strip()
            .splitlines()[:1]
        )
        for p in ("soffice", "ssconvert")
        if shutil.which(p)
    }
    print(
        "8. verify, whole process (python -m excelbp verify FILE --engine E --quiet), best of"
        f" {repeat}; load average {_load()}"
    )
    print("   " + "; ".join(f"{p}: {v[0] if v else '?'}" for p, v in programs.items()))
    print(
        f"   {'workbook':<24} {'formula cells':>13}  "
        + "  ".join(f"{e + ' s / MB':>22}" for e in engines)
        + "   LibreOffice's time / its, its RSS / LibreOffice's"
    )
    results, summary = {}, []
    for name, options in cases:
        path = (
            million
            if options == MILLION[1] and million.exists()
            else tmp / (re.sub(r"\W+", "-", name).strip("-") + ".xlsx")
        )
        if not path.exists():
            t = time.perf_counter()
            r = run([*py, "build", *options, "-o", str(path), "--force", "--quiet"])
            if r["rc"]:
                sys.exit(f"build {name}: exit {r['rc']}\n{r['err']}")
            print(
                f"   (built {name} in {time.perf_counter() - t:.0f} s,"
                f" {path.stat().st_size / 1e6:.1f} MB)"
            )
        row, cells = {}, "?"
        # LibreOffice and Gnumeric take 0.3-0.7 GB at 30,000 steps, and grow with the file:
        # not at 1,000,000
        for engine in engines if options != MILLION[1] else ("formulas",):
            best = None
            for _ in range(repeat):
                r = run([*py, "verify", str(path), "--engine", engine, "--quiet"])
                if best is None or (r["rc"] == 0 and r["wall"] < best["wall"]):
                    best = r
            m = re.search(r"all ([0-9]+) formula cells|of ([0-9]+) cells", best["out"])
            cells = f"{int(m[1] or m[2]):,}" if m else cells
            row[engine] = best
        results[name] = row
        lo = row.get("libreoffice")
        cols = []
        for engine in engines:
            r = row.get(engine)
            cols.append(
                "-"
                if r is None
                else f"{r['wall']:>9.2f} s {r['rss_mb']:>6.0f} MB"
                + ("" if r["rc"] == 0 else f" exit {r['rc']}")
            )
        ratios = ", ".join(
            f"{e} {lo['wall'] / row[e]['wall']:.1f}x, {row[e]['rss_mb'] / lo['rss_mb']:.2f}x"
            for e in engines
            if e != "libreoffice" and lo and lo["rc"] == 0 and e in row and row[e]["rc"] == 0
        )
        print(f"   {name:<24} {cells:>13}  " + "  ".join(f"{c:>22}" for c in cols) + f"   {ratios}")
        for engine, r in row.items():
            if r["rc"] != 0:
                print(
                    f"      {engine}: exit {r['rc']}:"
                    f" {(r['err'].strip().splitlines() or ['(no message)'])[-1][:200]}"
                )
    print(f"   load average after: {_load()}")

    # ExcelModel load+calculate on the 300-step demo, cold, a whole process as verify is
    demo300 = tmp / "demo-300-steps.xlsx"
    m = run(
        [
            sys.executable,
            str(Path(__file__).with_name("run.py")),
            "--child",
            "excelmodel",
            "300",
            str(demo300),
        ]
    )
    v = results[CASES[0][0]]["formulas"]
    print(
        f"   ExcelModel load+calculate, 300 steps, whole process: {m['wall']:.2f} s,"
        f" {m['rss_mb']:.0f} MB (exit {m['rc']}): its time / verify's (formulas)"
        f" {m['wall'] / v['wall']:.1f}x, verify's RSS / its {v['rss_mb'] / m['rss_mb']:.2f}x"
    )
    summary.append(
        (
            "verify 300 steps: ExcelModel / formulas, whole process",
            f"{m['wall'] / v['wall']:.1f}x",
            ">= 30x",
        )
    )
    big = results[CASES[2][0]]
    if big["libreoffice"]["rc"] == 0:
        summary.append(
            (
                "verify 30,000 steps: libreoffice / formulas",
                f"{big['libreoffice']['wall'] / big['formulas']['wall']:.1f}x",
                ">= 2x",
            )
        )
    d = results["digits"]["formulas"]
    summary.append(
        (
            "verify digits (formulas)",
            f"{d['wall']:.1f} s, {d['rss_mb']:.0f} MB",
            "<= 30 s, <= 500 MB",
        )
    )
    if million is not None:
        r = results[MILLION[0]]["formulas"]
        summary.append(
            (
                "verify 1,000,000 steps (formulas)",
                f"{r['wall']:.0f} s, {r['rss_mb']:.0f} MB, exit {r['rc']}",
                "<= 300 s, <= 1.5 GB",
            )
        )
    return summary


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())
