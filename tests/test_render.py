"""What a learner sees: every sheet of every template, rendered by LibreOffice to PDF, shows
every text the workbook wrote in full, no `###`, and nothing drawn over anything else.

pdftotext (poppler-utils) reads the PDF back with each word's box:
- a word of `###` is a number too wide for its column;
- a text the plan wrote whose words are not all on the page, whole, was cut by its
  neighbour; a label that should read on one line and does not, was cut or squeezed;
- two words whose boxes overlap were drawn over each other: a wrapped header spilling out
  of a row too short for it, or a chart covering cells.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import needs_soffice
from openpyxl import load_workbook

from excelbp.build import make_spec
from excelbp.layout.inputs import inputs_sheet
from excelbp.layout.steps import step_layout
from excelbp.sheets.workbook import workbook_plan
from excelbp.spec import BuildOptions
from excelbp.writer import write

CASES = {
    "linear": dict(template="linear"),
    "neuron": dict(template="neuron", steps=5),
    "linear-2-2-1": dict(template="linear-2-2-1", steps=5),
    "sigmoid-2-3-1": dict(template="sigmoid-2-3-1", steps=5),
    "classifier": dict(template="classifier", steps=8),
    "digits": dict(template="digits", steps=2, batch=4),
    "custom-rows": dict(
        layers=(2, 3, 2), activation="sigmoid", loss="mse", batch=2, steps=4, layout="rows"
    ),
    "custom-blocks": dict(
        layers=(2, 3, 2), activation="tanh", loss="cross_entropy", batch=3, steps=3, layout="blocks"
    ),
    "classifier-zh": dict(template="classifier", steps=5, lang="zh"),
    "regression": dict(template="regression", steps=10),
    "logistic-zh": dict(template="logistic", steps=10, lang="zh"),
    "adam-rows": dict(
        layers=(1, 4, 1), activation="relu,linear", loss="mse", optimizer="adam", batch=2, steps=4
    ),
    "rmsprop-blocks": dict(
        layers=(2, 3, 3),
        activation="tanh",
        loss="cross_entropy",
        optimizer="rmsprop",
        batch=2,
        steps=3,
        layout="blocks",
    ),
    "sigmoid-2-3-1-blocks-zh": dict(template="sigmoid-2-3-1", steps=3, layout="blocks", lang="zh"),
    # the learning-rate sweep: its sheet and one copy per rate
    "sweep-linear-2-2-1": dict(template="linear-2-2-1", steps=5, compare_lr=(0.01, 0.1, 0.5)),
    "sweep-blocks-zh": dict(
        template="sigmoid-2-3-1", steps=3, layout="blocks", lang="zh", compare_lr=(0.1, 1)
    ),
}
WRAPPED = re.compile(r"^header_")  # styles whose text wraps inside its cell
ONE_LINE = 40  # characters of a label that must fit on one printed page
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
OVERLAP = 0.25  # share of the smaller box two words may not cover together


def build(name: str, folder: Path) -> tuple[Path, list[tuple[str, str, bool]]]:
    """The workbook, and every visible text cell its plan wrote: (text, style, whether a
    neighbour on its right could cut it)."""
    spec = make_spec(BuildOptions(**CASES[name]))
    plan = workbook_plan(spec, inputs_sheet(spec), step_layout(spec), None)
    texts = []
    for sheet in plan.sheets:
        rows = list(sheet.rows)
        object.__setattr__(sheet, "rows", rows)  # written as planned, once
        if sheet.hidden:
            continue
        for row in rows:
            for c, cell in enumerate(row):
                if cell is not None and cell.kind == "text" and str(cell.value).strip():
                    right = next(
                        (x for x in row[c + 1 :] if x is not None and x.kind != "blank"), None
                    )
                    texts.append((cell.value, cell.style, right is not None))
    path = folder / f"{name}.xlsx"
    write(plan, path, force=True)
    _big_pages(path)
    return path, texts


def _big_pages(path: Path) -> None:
    """Print on large pages at a small scale, so that a text seldom crosses from one page to
    the next (a page boundary splits a line of text the way a cut does)."""
    wb = load_workbook(path)
    for ws in wb.worksheets:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.scale = (
            "landscape",
            ws.PAPERSIZE_A3,
            25,
        )
    wb.save(path)


def words_of(pdf: Path) -> list[list[tuple[str, tuple[float, float, float, float], int]]]:
    """Per page: (word, box, line number) of every word pdftotext finds."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    out = re.sub(r"<!DOCTYPE[^>]*>", "", out).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    pages = []
    line_no = 0
    for page in ElementTree.fromstring(out).iter("page"):
        words = []
        for line in page.iter("line"):
            line_no += 1
            for w in line.iter("word"):
                box = tuple(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
                words.append((w.text or "", box, line_no))
        pages.append(words)
    return pages


def overlaps(words) -> list[str]:
    found = []
    ordered = sorted(words, key=lambda w: w[1][1])
    for i, (a, (ax0, ay0, ax1, ay1), _) in enumerate(ordered):
        for b, (bx0, by0, bx1, by1), _ in ordered[i + 1 :]:
            if by0 >= ay1:
                break
            w, h = min(ax1, bx1) - max(ax0, bx0), min(ay1, by1) - max(ay0, by0)
            smaller = min((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0)) or 1.0
            if w > 0 and h > 0 and w * h > OVERLAP * smaller:
                found.append(f"{a!r} over {b!r}")
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every case built and converted to PDF in one LibreOffice start."""
    needs_soffice()
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required in CI")
        pytest.skip("pdftotext (poppler-utils) not installed")
    from excelbp.verify.libreoffice import find_soffice

    folder = tmp_path_factory.mktemp("render")
    built = {name: build(name, folder) for name in CASES}
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [
            find_soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "pdf"),
            *(str(p) for p, _ in built.values()),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {
        name: (texts, words_of(folder / "pdf" / f"{name}.pdf"))
        for name, (_, texts) in built.items()
    }


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_every_sheet_renders_whole(rendered, name):
    texts, pages = rendered[name]
    words = {w for page in pages for w, _, _ in page}
    lines: dict[int, list[str]] = {}
    for page in pages:
        for w, _, line in page:
            lines.setdefault(line, []).append(w)
    line_texts = [" ".join(ws) for ws in lines.values()]
    # pdftotext splits Chinese into words of its own choosing: compare without spaces there
    solid = "".join("".join(ws) for ws in lines.values())
    problems = [
        f"### on page {p + 1}"
        for p, page in enumerate(pages)
        if any("###" in w for w, _, _ in page)
    ]
    for text, style, bounded in set(texts):
        text = str(text)
        if CJK.search(text):  # (a long one may cross from one printed page to the next)
            if len(text) <= ONE_LINE and any(token not in solid for token in text.split()):
                problems.append(f"cut: {text!r} ({style})")
            continue
        missing = [w for w in text.split() if w not in words]
        if missing:
            problems.append(f"cut: {text!r} ({style}): {' '.join(missing)!r} not on any page")
        # stopped by a neighbour, a one-line label must read whole (a wide gap may split a
        # line; a longer text may cross from one printed page to the next)
        elif bounded and not WRAPPED.match(style) and len(text) <= ONE_LINE:
            for part in re.split(r"\s{2,}", text):
                if not any(" ".join(part.split()) in line for line in line_texts):
                    problems.append(f"not on one line: {part!r} ({style})")
    for p, page in enumerate(pages):
        problems += [f"page {p + 1}: {o}" for o in overlaps(page)[:3]]
    assert not problems, f"{name}: {len(problems)} problems:\n" + "\n".join(sorted(problems)[:40])
