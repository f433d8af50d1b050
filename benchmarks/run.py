"""excelbp benchmark: build, memory, verify and LibreOffice, each as a ratio to a baseline
measured in the same run (issue 6).

    python benchmarks/run.py    # N = 1,000 / 10,000 / 100,000 steps, --steps 1000000 (~15 min)
    python benchmarks/run.py --quick    # N = 100 / 1,000 / 10,000, under a minute
    python benchmarks/run.py --templates  # only the template workbooks: digits, fashion (~10 min)
    python benchmarks/run.py --verify   # each verify engine on four workbooks (verify_table.py)

Builds, floors, verify and ExcelModel run in fresh child processes (this script with --child),
so each peak RSS belongs to that run alone and no run warms the next one up. Times are the best
of --repeat rounds for build and floor (the machine may be shared), taken inside the child
(interpreter start-up and imports left out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path


def child(kind: str, n: int, path: str) -> None:
    """One build, floor, verify or ExcelModel run, in this fresh process; prints JSON."""
    if kind in ("verify", "excelmodel"):  # cold, as a user runs them: both pay formulas' first-use
        return check_child(kind, Path(path))  # import of every function module (scipy.stats …)
    from excelbp.build import build, make_spec
    from excelbp.layout.rows import rows_layout
    from excelbp.spec import BuildOptions

    spec = make_spec(BuildOptions(steps=n))
    table = rows_layout(spec)
    cols, cells = len(table.columns), len(table.columns) * n
    t = time.perf_counter()
    if kind == "build":
        build(spec, Path(path), force=True)
    else:  # the floor: the same rows × columns of plain formula cells, openpyxl write-only
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Steps")
        for row in floor_rows(cols, table.first_row, n):
            ws.append(row)
        wb.save(path)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - t,
                "cells": cells,
                "cols": cols,
                "first_row": table.first_row,
            }
        )
    )


def check_child(kind: str, path: Path) -> None:
    import formulas

    from excelbp.verify import verify

    # formulas loads all its function modules on first use (scipy.stats among them,
    # about 0.5 s); both sides pay it, so it is timed apart from load+calculate
    t = time.perf_counter()
    formulas.get_functions()
    library = time.perf_counter() - t
    t = time.perf_counter()
    if kind == "excelmodel":
        values = excelmodel_values(path)
        out = {"seconds": time.perf_counter() - t, "library": library}
        path.with_suffix(".json").write_text(json.dumps(values))  # for the parent to compare
    else:
        ok = verify(path).ok
        out = {"seconds": time.perf_counter() - t, "ok": ok, "library": library}
        t = time.perf_counter()
        verify(path)
        out["warm"] = time.perf_counter() - t  # the same again, formulas' functions loaded
    print(json.dumps(out))


def excelmodel_values(path: Path) -> dict[str, object]:
    """The `formulas` package's own ExcelModel over the whole workbook: the slow reference,
    its values keyed "Sheet!A1" and made plain as verify's are."""
    import formulas
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    sheets = {ws.title.upper(): ws.title for ws in wb.worksheets}
    wb.close()
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, ranges in solution.items():
        if "!" not in key or ":" in key:
            continue
        book_sheet, cell = key.rsplit("!", 1)
        sheet = sheets.get(book_sheet.strip("'").split("]", 1)[-1])
        if sheet is None:
            continue
        v = ranges.value[0, 0]
        out[f"{sheet}!{cell}"] = (
            str(v) if type(v).__name__ == "XlError" else (v.item() if hasattr(v, "item") else v)
        )
    return out


def floor_rows(cols: int, first_row: int, n: int):
    """Plain formulas of about our length, each reading the row above: =(C8+1)*C8."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c + 1) for c in range(cols)]
    for r in range(first_row, first_row + n):
        yield [f"=({c}{r - 1}+1)*{c}{r - 1}" for c in letters]


# Linux carries a process's peak RSS across fork and exec: a child spawned straight from this
# (by then large) process reports at least this process's peak. So every command starts from a
# small launcher that forks it and reports the grandchild's own ru_maxrss (floor: ~10 MB).
LAUNCHER = """import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run(cmd: list[str]) -> dict:
    """Run cmd; wall time, exit code, output and its own peak RSS (MB)."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r") as rss,
    ):
        t = time.perf_counter()
        p = subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, rss.name, *cmd],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - t
        out.seek(0), err.seek(0)
        return {
            "rc": p.returncode,
            "wall": wall,
            "out": out.read(),
            "err": err.read(),
            "rss_mb": int(rss.read() or 0) / 1024,
        }


def measure(kind: str, n: int, path: Path) -> dict:
    r = run([sys.executable, __file__, "--child", kind, str(n), str(path)])
    if r["rc"]:
        sys.exit(f"{kind} {n}: exit {r['rc']}\n{r['err']}")
    return {**json.loads(r["out"]), "rss_mb": r["rss_mb"], "size": path.stat().st_size}


def mean_formula_length(path: Path, sheet: str = "Steps") -> float:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    lens = [
        len(v)
        for row in wb[sheet].iter_rows(values_only=True)
        for v in row
        if isinstance(v, str) and v.startswith("=")
    ]
    wb.close()
    return sum(lens) / len(lens)


def formula_cells(path: Path) -> tuple[int, int]:
    """(formula cells, all cells) of an xlsx, counted in its sheets' XML as it inflates."""
    import re
    import zipfile

    cells = formulas = 0
    with zipfile.ZipFile(path) as z:
        for part in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
            with z.open(part) as f:
                tail = b""
                while chunk := f.read(1 << 22):
                    text = tail + chunk
                    cut = text.rfind(b"<") if len(text) > 64 else 0  # never count a tag cut in two
                    counted, tail = text[:cut], text[cut:]
                    cells += len(re.findall(rb"<c ", counted))
                    formulas += len(re.findall(rb"<f[ >/]", counted))
                cells += tail.count(b"<c ")
                formulas += len(re.findall(rb"<f[ >/]", tail))
    return formulas, cells


def template_run(
    extra: list[str], tmp: Path
) -> tuple[float, int, float | None, float, dict | None]:
    """Build a template with the CLI (fresh process), then recalculate it in LibreOffice: (build
    seconds with start-up, file bytes, soffice --convert-to seconds or None, peak RSS MB, the
    seconds of LibreOffice's phases from lo_phases.py or None)."""
    from excelbp.verify.libreoffice import find_soffice, recalculate

    out = tmp / "template.xlsx"
    r = run(
        [sys.executable, "-m", "excelbp", "build", *extra, "-o", str(out), "--force", "--quiet"]
    )
    size, (formulas, cells) = out.stat().st_size, formula_cells(out)
    lo = None
    if find_soffice() is not None:
        t = time.perf_counter()
        recalculate([out], tmp / "lo")
        lo = time.perf_counter() - t
        (tmp / "lo" / out.name).unlink()
    lo_text = f", LibreOffice convert round trip {lo:.1f} s" if lo is not None else ""
    print(
        f"   {' '.join(extra)}: exit {r['rc']}, build {r['wall']:.1f} s (with start-up), peak RSS"
        f" {r['rss_mb']:.0f} MB, file {mb(size)}, {formulas:,} formula cells of {cells:,}{lo_text} "
        f" [load {os.getloadavg()[0]:.1f}]"
    )
    phases = lo_phases(out) if lo is not None else None
    out.unlink()
    return r["wall"], size, lo, r["rss_mb"], phases


def uno_python() -> str | None:
    """A Python that can import LibreOffice's `uno` (python3-uno: the system's, not a venv's)."""
    for candidate in ("/usr/bin/python3", shutil.which("python3"), sys.executable):
        if (
            candidate
            and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0
        ):
            return candidate
    return None


def lo_phases(path: Path) -> dict | None:
    """LibreOffice's open, recalculate and edit-lr seconds on the workbook
    (benchmarks/lo_phases.py), or None without a Python that has `uno`."""
    python = uno_python()
    if python is None:
        print(
            "   (no Python with LibreOffice's uno module: apt-get install python3-uno for open /"
            " recalculate times)"
        )
        return None
    r = subprocess.run(
        [python, str(Path(__file__).with_name("lo_phases.py")), str(path)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if r.returncode:
        print(f"   lo_phases.py failed: {r.stderr.strip().splitlines()[-1:]}")
        return None
    out = json.loads(r.stdout)
    print(
        "   LibreOffice, phase by phase: "
        + ", ".join(f"{k.replace('_', ' ')} {v:.1f} s" for k, v in out.items())
        + f"  [load {os.getloadavg()[0]:.1f}]"
    )
    return out


def mb(b: float) -> str:
    return f"{b / 1e6:.1f} MB"


def template_sections(quick: bool, tmp: Path, summary: list) -> None:
    # 6: the digits template (issue 7's budget: 60 s, 60 s, 50 MB), in its blocks layout against
    # the rows layout of the same network, and seed 002's own setting; 7: fashion (issue 15)
    print("\n6. the digits template (64 → 16 → 10, batch 32, 100 steps)")
    seed_steps = 3 if quick else 10
    cases = [
        ("digits (blocks layout, the default)", ["--template", "digits"]),
        ("digits, --layout rows (baseline)", ["--template", "digits", "--layout", "rows"]),
        (
            f"seed 002's setting: sigmoid, sse, no bias, full batch of 1,000, {seed_steps} steps",
            [
                "--template",
                "digits",
                "--activation",
                "sigmoid",
                "--loss",
                "sse",
                "--no-bias",
                "--batch",
                "1000",
                "--lr",
                "4",
                "--steps",
                str(seed_steps),
            ],
        ),
    ]
    measured = {name: template_run(extra, tmp) for name, extra in cases}
    (build, size, lo, _, phases), (build0, size0, lo0, _, _) = (
        measured[cases[0][0]],
        measured[cases[1][0]],
    )
    summary.append(
        (
            "digits: build (blocks / rows layout)",
            f"{build:.1f} s ({build / build0:.2f}×)",
            "<= 60 s",
        )
    )
    summary.append(
        (
            "digits: file size (blocks / rows layout)",
            f"{mb(size)} ({size / size0:.2f}×)",
            "<= 50 MB",
        )
    )
    if lo is not None:
        summary.append(
            (
                "digits: LibreOffice round trip (blocks / rows)",
                f"{lo:.1f} s ({lo / lo0:.2f}×)",
                "<= 60 s",
            )
        )

    print(
        "\n7. the fashion template (784 → 32 → 10, batch 32, 100 steps, 3,200 images), beside"
        " digits"
    )
    build1, size1, lo1, rss1, phases1 = template_run(["--template", "fashion"], tmp)
    summary.append(
        ("fashion: build (× digits)", f"{build1:.1f} s ({build1 / build:.1f}×)", "<= 60 s")
    )
    summary.append(("fashion: build peak RSS", f"{rss1:.0f} MB", "<= 500 MB"))
    summary.append(
        ("fashion: file size (× digits)", f"{mb(size1)} ({size1 / size:.1f}×)", "<= 60 MB")
    )
    if lo1 is not None:
        summary.append(
            (
                "fashion: LibreOffice round trip (× digits)",
                f"{lo1:.1f} s ({lo1 / lo:.1f}×)",
                "(open, recalculate, save)",
            )
        )
    if phases1 is not None:
        ratio = f" ({phases1['recalculate'] / phases['recalculate']:.1f}×)" if phases else ""
        summary.append(
            (
                "fashion: LibreOffice recalculation (× digits)",
                f"{phases1['recalculate']:.1f} s{ratio}",
                "<= 60 s",
            )
        )
        summary.append(
            ("fashion: LibreOffice, after editing lr", f"{phases1['edit_lr']:.1f} s", "<= 60 s")
        )
        summary.append(("fashion: LibreOffice opening the file", f"{phases1['open']:.1f} s", ""))


def finish(summary: list, quick: bool, tmp: Path) -> None:
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    print("\nsummary" + (" (quick: small N, not the acceptance sizes)" if quick else ""))
    for what, got, want in summary:
        print(f"   {what:<48} {got:>30}   {want}")
    shutil.rmtree(tmp)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller N, under a minute")
    ap.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="rounds of each build and floor, best kept (default 2)",
    )
    ap.add_argument(
        "--templates",
        action="store_true",
        help="only the template workbooks (6 and 7): digits and fashion",
    )
    ap.add_argument(
        "--verify",
        action="store_true",
        help=(
            "only the verify table (8): each engine on the demo at 300 / 3,000 / 30,000 steps and"
            " digits (~10 min)"
        ),
    )
    ap.add_argument(
        "--million",
        type=Path,
        metavar="PATH",
        help=(
            "with --verify, the 1,000,000-step demo too, built at PATH unless it exists (~5 min to"
            " build)"
        ),
    )
    ap.add_argument("--child", nargs=3, metavar=("KIND", "N", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child[0], int(args.child[1]), args.child[2])
    args.repeat = args.repeat or 2
    os.environ.setdefault("TQDM_DISABLE", "1")
    from excelbp.build import build, make_spec
    from excelbp.spec import BuildOptions
    from excelbp.verify import reader as xlsx_reader
    from excelbp.verify.libreoffice import find_soffice, recalculate

    sizes = [100, 1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    tmp = Path(tempfile.mkdtemp(prefix="excelbp-bench-"))
    summary = []
    cpu = next(
        (
            l.split(":", 1)[1].strip()
            for l in Path("/proc/cpuinfo").read_text().splitlines()
            if l.startswith("model name")
        ),
        "?",
    )
    print(f"machine: {len(os.sched_getaffinity(0))} CPUs ({cpu}), {platform.platform()}")
    print(
        f"Python {platform.python_version()}, numpy {version('numpy')}, openpyxl"
        f" {version('openpyxl')}, formulas {version('formulas')}"
    )
    print(
        f"mode: {'quick' if args.quick else 'full'}; load average {os.getloadavg()[0]:.1f} (another"
        f" job on the machine skews times); work folder {tmp}\n"
    )

    if args.templates:
        template_sections(args.quick, tmp, summary)
        return finish(summary, args.quick, tmp)
    if args.verify:  # 8 alone
        from verify_table import verify_table

        summary += verify_table(run, tmp, million=args.million, repeat=1)
        return finish(summary, args.quick, tmp)

    # 1 + 2: build against the write-only floor, each in a fresh process
    print(
        "1. build (default template) vs floor (openpyxl write-only, same rows × columns of plain"
        " formulas)"
    )
    print(
        f"{'steps':>8} {'cells':>10} {'build s':>8} {'cells/s':>9} {'floor s':>8} {'cells/s':>9}"
        f" {'ratio':>6} {'build file':>11} {'floor file':>11} {'build RSS':>10} {'floor RSS':>10}"
    )
    builds = {}
    for n in sizes:
        runs = [
            (measure("build", n, tmp / f"b{n}.xlsx"), measure("floor", n, tmp / f"f{n}.xlsx"))
            for _ in range(args.repeat)
        ]
        b = min(
            (r[0] for r in runs), key=lambda r: r["seconds"]
        )  # best of the rounds: the machine may be shared
        f = min((r[1] for r in runs), key=lambda r: r["seconds"])
        b["floor"] = f["seconds"]
        builds[n] = b
        print(
            f"{n:>8,} {b['cells']:>10,} {b['seconds']:>8.2f} {b['cells'] / b['seconds']:>9,.0f}"
            f" {f['seconds']:>8.2f} {f['cells'] / f['seconds']:>9,.0f}"
            f" {b['seconds'] / f['seconds']:>6.2f} {mb(b['size']):>11} {mb(f['size']):>11}"
            f" {b['rss_mb']:>7.0f} MB {f['rss_mb']:>7.0f} MB"
        )
        (tmp / f"f{n}.xlsx").unlink()
    big, small = sizes[-1], sizes[-1] // 100
    n = sizes[1]
    floor_len = [
        len(f) for row in floor_rows(builds[n]["cols"], builds[n]["first_row"], n) for f in row
    ]
    print(
        f"   mean formula length at {n:,} steps: build"
        f" {mean_formula_length(tmp / f'b{n}.xlsx'):.1f} chars, floor"
        f" {sum(floor_len) / len(floor_len):.1f} chars"
    )
    ratio = builds[big]["seconds"] / builds[big]["floor"]
    summary.append(
        (f"build / floor, {big:,} steps (best of {args.repeat})", f"{ratio:.2f}x", "<= 1.5x")
    )

    print(
        f"\n2. peak RSS of a build, fresh process: {builds[big]['rss_mb']:.0f} MB at {big:,} steps,"
        f" {builds[small]['rss_mb']:.0f} MB at {small:,} steps"
    )
    mem = builds[big]["rss_mb"] / builds[small]["rss_mb"]
    print(f"   ratio {mem:.2f}")
    summary.append((f"peak RSS {big:,} / {small:,} steps", f"{mem:.2f}x", "<= 1.5x"))

    # 3: verify against ExcelModel on the same 300-step workbook
    path = tmp / "v300.xlsx"
    build(make_spec(BuildOptions(steps=300)), path, force=True)
    v, m = measure("verify", 300, path), measure("excelmodel", 300, path)
    result = xlsx_reader.recalculate(xlsx_reader.open_book(path))
    ours = {k: result.values[k] for k in result.formulas}
    theirs = json.loads(path.with_suffix(".json").read_text())
    missing = [k for k in ours if k not in theirs]
    differ = [k for k in ours if k in theirs and ours[k] != theirs[k]]
    print(
        f"\n3. verify vs ExcelModel on a 300-step workbook ({len(ours):,} formula cells), each in a"
        " fresh process;"
    )
    print(
        f"   formulas' function table is loaded first and timed apart ({v['library']:.2f} s /"
        f" {m['library']:.2f} s), as both pay it"
    )
    print(
        f"   excelbp verify (formulas engine): {v['seconds']:6.2f} s  peak RSS {v['rss_mb']:5.0f}"
        f" MB  report.ok={v['ok']}  (called again warm: {v['warm']:.2f} s)"
    )
    print(
        f"   ExcelModel load+calculate:        {m['seconds']:6.2f} s  peak RSS {m['rss_mb']:5.0f}"
        f" MB  ({m['seconds'] / len(ours) * 1e3:.2f} ms a formula cell)"
    )
    cold = (m["seconds"] + m["library"]) / (v["seconds"] + v["library"])
    print(
        f"   ratio ExcelModel / verify: {m['seconds'] / v['seconds']:.1f}x  (with the function"
        f" table in both: {cold:.1f}x; verify again warm: {v['warm']:.2f} s)"
    )
    same = v["ok"] and not missing and not differ
    print(
        f"   values: {len(ours) - len(missing) - len(differ):,} of {len(ours):,} equal exactly,"
        f" {len(differ)} differ, {len(missing)} missing in ExcelModel"
        + (f" (first: {differ[0]}: {ours[differ[0]]!r} vs {theirs[differ[0]]!r})" if differ else "")
    )
    summary.append(
        ("ExcelModel / verify, 300 steps", f"{m['seconds'] / v['seconds']:.1f}x", ">= 10x")
    )
    summary.append(("same verdict as ExcelModel", "yes" if same else "NO", "yes"))

    # 4: LibreOffice
    print("\n4. LibreOffice headless recalculation (soffice --convert-to xlsx, fresh profile each)")
    if find_soffice() is None:
        print("   soffice not found: skipped")
    else:
        tiny = tmp / "tiny.xlsx"
        build(make_spec(BuildOptions(steps=1)), tiny, force=True)
        recalculate([tiny], tmp / "lo")  # warm-up: soffice's first start reads its files from disk
        times = {}
        for name, p in [("tiny (1 step): start-up", tiny)] + [
            (f"{n:,} steps", tmp / f"b{n}.xlsx") for n in sizes[1:]
        ]:
            t = time.perf_counter()
            recalculate([p], tmp / "lo")
            times[name] = time.perf_counter() - t
        start = times.pop("tiny (1 step): start-up")
        print(f"   start-up (1-step workbook, after a warm-up run): {start:.2f} s")
        for (name, s), n in zip(times.items(), sizes[1:]):
            cells = builds[n]["cells"]
            rate = (
                f"{cells / (s - start):>9,.0f} cells/s"
                if s - start > 0.2
                else "(start-up dominates)"
            )
            print(f"   {name:>14}: {s:6.2f} s, {s - start:6.2f} s past start-up, {rate}")
        summary.append(
            (f"LibreOffice {sizes[-1]:,} steps (start-up {start:.1f} s)", f"{s:.1f} s", "")
        )

    # 5: the CLI past the sizes above
    print("\n5. the CLI at the sheet's limit")
    steps = [2_000_000] if args.quick else [1_000_000, 2_000_000]
    for n in steps:
        out = tmp / f"cli{n}.xlsx"
        r = run(
            [sys.executable, "-m", "excelbp", "build", "--steps", str(n), "-o", str(out), "--force"]
        )
        lines = [l for l in r["err"].splitlines() if l.strip()]
        crash = lines and lines[0].startswith("Traceback")
        err = (
            f"CRASH: {lines[-1].strip()}"
            if crash
            else (lines[0].strip()[:300] if lines else "(none)")
        )
        if len(lines) > 1 and not crash:
            err += f"  [+{len(lines) - 1} more stderr lines, e.g. {lines[-1].strip()[:80]!r}]"
        made = f"workbook {mb(out.stat().st_size)}" if out.exists() else "no file"
        print(
            f"   --steps {n:,}: exit {r['rc']}, {r['wall']:.1f} s, peak RSS {r['rss_mb']:.0f} MB,"
            f" {made}; stderr: {err}"
        )
        summary.append(
            (
                f"CLI --steps {n:,}",
                f"exit {r['rc']} after {r['wall']:.0f} s, {made}" + (", CRASH" if crash else ""),
                "error or workbook",
            )
        )
        out.unlink(missing_ok=True)
    if args.quick:
        print("   (--steps 1000000 builds a ~21M-cell workbook for minutes: full mode only)")

    template_sections(args.quick, tmp, summary)
    if not args.quick:  # 8: verify by each engine, whole processes (benchmarks/verify_table.py)
        from verify_table import verify_table

        print()
        summary += verify_table(run, tmp, million=args.million, repeat=1)
    finish(summary, args.quick, tmp)


if __name__ == "__main__":
    main()
