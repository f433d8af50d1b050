"""Render the demo workbook as LibreOffice shows it, for the README: docs/demo.png.

    python scripts/render_demo.py [--template NAME] [--out docs/demo.png]

Builds the workbook, has headless LibreOffice print its first sheet to PDF and turns the
first page into a PNG with pdftoppm (Debian: poppler-utils). Nothing is drawn by hand.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from excelbp.build import build, make_spec
from excelbp.spec import BuildOptions
from excelbp.verify.libreoffice import find_soffice


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--template", default="linear")
    p.add_argument("--out", type=Path, default=Path("docs/demo.png"))
    args = p.parse_args()
    soffice, pdftoppm = find_soffice(), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        raise SystemExit("needs LibreOffice (soffice) and pdftoppm (poppler-utils)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = tmp / f"{args.template}.xlsx"
        build(make_spec(BuildOptions(template=args.template)), book)
        profile = (tmp / "profile").as_uri()
        subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}", "--convert-to", "pdf", "--outdir", str(tmp / "pdf"), str(book)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = tmp / "pdf" / f"{args.template}.pdf"
        subprocess.run([pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp / "page")], check=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp / "page.png", args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
