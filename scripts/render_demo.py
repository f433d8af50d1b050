"""Render workbooks' sheets to PNG pictures through LibreOffice, as a learner would see them.

    python scripts/render_demo.py                 # docs/demo.png: the demo's Inputs sheet
    python scripts/render_demo.py --all OUT/      # the first page of every sheet of every
                                                  # template, both layouts, English and Chinese

Needs LibreOffice (soffice) and pdftoppm (poppler-utils). Each sheet is printed alone (the
others hidden) and its first page turned into a picture.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import load_workbook

from excelbp.build import build, make_spec
from excelbp.spec import BuildOptions
from excelbp.verify.libreoffice import find_soffice

CASES = {
    "linear": dict(template="linear"),
    "neuron": dict(template="neuron"),
    "linear-2-2-1": dict(template="linear-2-2-1"),
    "sigmoid-2-3-1": dict(template="sigmoid-2-3-1"),
    "classifier": dict(template="classifier"),
    "digits": dict(template="digits", steps=10),
    "custom-rows": dict(
        layers=(2, 3, 2), activation="sigmoid", loss="mse", batch=2, steps=10, layout="rows"
    ),
    "custom-blocks": dict(
        layers=(2, 3, 2),
        activation="tanh",
        loss="cross_entropy",
        batch=3,
        steps=10,
        layout="blocks",
    ),
    "classifier-zh": dict(template="classifier", lang="zh"),
    "regression": dict(template="regression"),
    "logistic": dict(template="logistic"),
    "adam-blocks": dict(
        layers=(2, 3, 3),
        activation="tanh",
        loss="cross_entropy",
        optimizer="adam",
        batch=3,
        steps=10,
        layout="blocks",
    ),
    "digits-zh": dict(template="digits", steps=10, lang="zh"),
    "sweep": dict(
        layers=(2, 2, 2),
        activation="sigmoid",
        loss="half_sse",
        batch=8,
        steps=40,
        compare_lr=(0.1, 0.2, 0.5, 0.8, 1, 2),
    ),
    "fashion": dict(template="fashion"),  # the whole run: a 54 MB workbook, minutes in LibreOffice
}
README = [  # (case, sheet index, picture) shown in the README
    ("linear", 0, "demo.png"),
    ("linear", 1, "demo-steps.png"),
    ("digits", 3, "digits-images.png"),
    ("classifier-zh", 0, "classifier-zh.png"),
    ("regression", 0, "regression.png"),
    ("sigmoid-2-3-1", 2, "by-hand.png"),  # Inputs, Steps, By hand, Gradient check
    ("sigmoid-2-3-1", 3, "gradcheck.png"),
    ("sweep", 4, "sweep.png"),  # Inputs, Steps, By hand, Gradient check, LR sweep
    ("fashion", 3, "fashion-images.png"),  # Inputs, Steps, Training, Images
]
# pictures printed smaller and kept whole: the 28 × 28 picture and the drawing under it
WHOLE = {"fashion-images.png": 36}
BIG = 20_000_000  # bytes: a workbook this large is not loaded by openpyxl to hide its other sheets
CROP = (0.9, 0.62)  # the share of a page's width and height a README picture keeps


def render(
    book: Path,
    sheet: int,
    out: Path,
    tmp: Path,
    dpi: int,
    crop: tuple[float, float] = (1.0, 1.0),
    scale: int = 50,
) -> None:
    """The first page of one sheet of `book`, printed alone at `scale` %, as a PNG at `out`."""
    alone = tmp / f"{book.stem}-{sheet}.xlsx"
    if book.stat().st_size > BIG:
        _alone_in_xml(book, sheet, alone, scale)
    else:
        wb = load_workbook(book)
        for k, ws in enumerate(wb.worksheets):
            ws.sheet_state = "visible" if k == sheet else "hidden"
            # a page as wide as a laptop's screen: what a learner sees on opening the sheet
            ws.sheet_properties.pageSetUpPr.fitToPage = False
            ws.page_setup.orientation, ws.page_setup.scale = "landscape", scale
        wb.active = sheet
        wb.save(alone)
    profile = (tmp / "profile").as_uri()
    subprocess.run(
        [
            find_soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp / "pdf"),
            str(alone),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    page = tmp / "page"
    width, height = 11.69 * dpi * crop[0], 8.27 * dpi * crop[1]  # of an A4 page, landscape
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-W",
            str(int(width)),
            "-H",
            str(int(height)),
            "-singlefile",
            str(tmp / "pdf" / f"{alone.stem}.pdf"),
            str(page),
        ],
        check=True,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(page.with_suffix(".png"), out)


def _alone_in_xml(book: Path, sheet: int, alone: Path, scale: int) -> None:
    """A copy of `book` with every sheet but one hidden, made in its workbook.xml (openpyxl
    would take gigabytes to load millions of cells), that sheet printed at `scale` %."""
    import re
    import zipfile

    with zipfile.ZipFile(book) as src, zipfile.ZipFile(alone, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                text, k = data.decode(), iter(range(10**6))

                def state(m, k=k):
                    shown = "visible" if next(k) == sheet else "hidden"
                    return f'<sheet state="{shown}" ' + re.sub(r'state="\w+" ?', "", m.group(1))

                text = re.sub(r"<sheet ([^>]*>)", state, text)
                text = (
                    re.sub(r'activeTab="\d+"', f'activeTab="{sheet}"', text)
                    if "activeTab" in text
                    else text.replace("<workbookView", f'<workbookView activeTab="{sheet}"', 1)
                )
                data = text.encode()
            elif item.filename == f"xl/worksheets/sheet{sheet + 1}.xml":
                data = re.sub(
                    rb'(<pageSetup [^>]*scale=")\d+', rb"\g<1>" + str(scale).encode(), data
                )
            dst.writestr(item, data)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--all", type=Path, metavar="FOLDER", help="every sheet of every case, into FOLDER"
    )
    p.add_argument("--readme", action="store_true", help="the README's pictures, into docs/")
    p.add_argument("--dpi", type=int, default=110)
    args = p.parse_args()
    if find_soffice() is None or shutil.which("pdftoppm") is None:
        raise SystemExit("needs LibreOffice (soffice) and pdftoppm (poppler-utils)")
    wanted = (
        [(case, None, None) for case in CASES]
        if args.all
        else README
        if args.readme
        else README[:1]
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for case in dict.fromkeys(c for c, _, _ in wanted):
            book = tmp / f"{case}.xlsx"
            build(make_spec(BuildOptions(**CASES[case])), book)
            names = [ws.title for ws in load_workbook(book, read_only=True).worksheets]
            for k, name in enumerate(names[:-1]):  # the last is the hidden structure sheet
                pictures = [Path("docs") / pic for c, s, pic in wanted if c == case and s == k]
                if args.all:
                    pictures = [args.all / f"{case}-{k}-{name}.png"]
                for out in pictures:
                    whole = WHOLE.get(out.name)
                    crop = (1.0, 1.0) if args.all or whole else CROP
                    render(book, k, out, tmp, args.dpi, crop, whole or 50)
                    print(f"wrote {out}")


if __name__ == "__main__":
    main()
