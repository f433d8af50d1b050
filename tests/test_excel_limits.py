"""Issue 22, item 4: what Excel 2010 must accept (WORKBOOK.md), checked statically over every
workbook excelbp writes (every template, both layouts, both languages, a learning-rate sweep,
a gradient check), with one small hostile workbook per rule that the check must reject; and
`excelbp verify` refusing a formula past Excel's limits before it evaluates anything. Every
hostile file is made here, at test time, by editing the XML of a small built workbook."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from excelbp.build import build, make_spec
from excelbp.cli import main
from excelbp.spec import BuildOptions
from excelbp.spec.templates import template_names
from excelbp.verify import sheetxml
from excelbp.verify.excel_limits import check_excel

ROOT = Path(__file__).resolve().parents[1]
SLOW_TEMPLATES = {"digits", "fashion"}  # 2.5-5 s each to build and check


def _options(template: str) -> dict:
    if template == "fashion":  # fashion's own network is 30 s a build: its shape, narrowed
        return dict(layers=(784, 3, 10), batch=4, steps=2)
    return dict(steps=2)


def _build(path: Path, template: str, **options) -> Path:
    spec = make_spec(BuildOptions(template=template, **{**_options(template), **options}))
    if template == "fashion":  # a few samples: the sheets keep their shape
        spec = replace(
            spec,
            raw_X=spec.raw_X[:8],
            raw_Y=spec.raw_Y[:8],
            X_test=spec.X_test[:5],
            Y_test=spec.Y_test[:5],
        ).validate()
    build(spec, path, force=True)
    return path


VARIANTS = [
    pytest.param(
        t,
        layout,
        lang,
        marks=[pytest.mark.slow] if t in SLOW_TEMPLATES else [],
        id=f"{t}-{layout}-{lang}",
    )
    for t in template_names()
    for layout in ("rows", "blocks")
    for lang in ("en", "zh")
]


@pytest.mark.parametrize("template, layout, lang", VARIANTS)
def test_every_template_passes(tmp_path, template, layout, lang):
    path = _build(tmp_path / "book.xlsx", template, layout=layout, lang=lang)
    assert check_excel(path) == []


@pytest.mark.parametrize(
    "template, options",
    [
        ("linear", dict(compare_lr=(0.01, 0.1))),
        ("classifier", dict(compare_lr=(0.1, 1.0), layout="blocks", lang="zh")),
        ("classifier", dict(gradcheck=True)),
        ("sigmoid-2-3-1", dict(gradcheck=True, layout="blocks", lang="zh")),
        ("linear", dict(steps=40, lr=1000.0)),  # overflows: its cached values are #NUM!
    ],
    ids=["sweep", "sweep-blocks-zh", "gradcheck", "gradcheck-blocks-zh", "diverged"],
)
def test_a_sweep_a_gradient_check_and_a_diverged_run_pass(tmp_path, template, options):
    path = _build(tmp_path / "book.xlsx", template, **options)
    assert check_excel(path) == []


# --- one hostile workbook per rule --------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """linear, 2 steps: the workbook every hostile file below is edited from."""
    return _build(tmp_path_factory.mktemp("excel_limits") / "small.xlsx", "linear")


def rewrite(src: Path, dst: Path, edits: dict[str, object]) -> Path:
    """A copy of `src` with parts edited: each a function of the part's bytes (b"" if new)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        names = [i.filename for i in zin.infolist()]
        for name in names + [n for n in edits if n not in names]:
            data = zin.read(name) if name in names else b""
            zout.writestr(name, edits[name](data) if name in edits else data)
    return dst


def sheet_part(path: Path, title: str) -> str:
    return {s.title: s.part for s in sheetxml.workbook(path).sheets}[title]


def with_cells(small: Path, dst: Path, cells: bytes, title: str = "How it works") -> Path:
    """A copy with a row of cells (XML) added to a sheet no formula reads."""
    row = b'<row r="900">' + cells + b"</row></sheetData>"
    return rewrite(
        small, dst, {sheet_part(small, title): lambda x: x.replace(b"</sheetData>", row, 1)}
    )


def formula(text: str, array: bool = False) -> bytes:
    attrs = b' t="array" ref="A900"' if array else b""
    return (
        b'<c r="A900"><f'
        + attrs
        + b">"
        + text.replace("&", "&amp;").replace("<", "&lt;").encode()
        + b"</f></c>"
    )


def only(found: list[str], *needles: str) -> str:
    """The one finding, which must hold every needle."""
    assert len(found) == 1 and all(n in found[0] for n in needles), found
    return found[0]


@pytest.mark.parametrize(
    "name",
    ["R", "c", "R1C1", "A1", "XFD1048576", "C1_total", "R2C3x", "1st", "two words", "x" * 256],
)
def test_a_defined_name_excel_refuses(small, tmp_path, name):
    bad = rewrite(
        small,
        tmp_path / "name.xlsx",
        {
            "xl/workbook.xml": lambda x: x.replace(
                b"</definedNames>",
                b'<definedName name="%s">Inputs!$B$7</definedName></definedNames>' % name.encode(),
            )
        },
    )
    only(check_excel(bad), "xl/workbook.xml", "defined name: ")


@pytest.mark.parametrize(
    "title, needle",
    [
        ("x" * 32, "32 characters"),
        ("a[1]", "[ ] : * ? / \\"),
        ("'quoted", "apostrophe"),
        ("quoted'", "apostrophe"),
        ("History", "reserved"),
        ("steps", "another sheet"),
    ],
)
def test_a_sheet_name_excel_refuses(small, tmp_path, title, needle):
    bad = rewrite(
        small,
        tmp_path / "sheet.xlsx",
        {
            "xl/workbook.xml": lambda x: x.replace(
                b'name="How it works"', b'name="%s"' % title.replace("'", "&apos;").encode()
            )
        },
    )
    only(check_excel(bad), "sheet name: ", needle)


def test_a_sheet_name_unquoted_where_it_must_be_quoted(small, tmp_path):
    renamed = rewrite(
        small,
        tmp_path / "r1c1.xlsx",
        {"xl/workbook.xml": lambda x: x.replace(b'name="How it works"', b'name="R1C1"')},
    )
    assert check_excel(renamed) == []  # a sheet may be called R1C1 ...
    bad = with_cells(renamed, tmp_path / "unquoted.xlsx", formula("R1C1!A1+'R1C1'!A2"), "Inputs")
    only(check_excel(bad), "Inputs!A900", "must be quoted")  # ... but is quoted where it is named


@pytest.mark.parametrize(
    "text, needle",
    [
        ("1" + "+1" * 4096, "formula length: 8,193 characters"),
        ("(" * 65 + "1" + ")" * 65, "nesting: 65 levels"),
        ("SUM(" + ",".join(["1"] * 256) + ")", "arguments: SUM with 256"),
        ("STDEV.S(Steps!A4:A5)", "must be stored _xlfn.STDEV.S"),
        ("_xlfn.FILTER(Steps!A4:A5,Steps!B4:B5)", "not an Excel 2010 function"),
        ("LET(x,1,x)", "not an Excel 2010 function"),
        ("_xlfn.SUM(1)", "an Excel 2007 function, stored without _xlfn."),
        ("SUM(Steps!A4:C4*Steps!A5:C5)", "array evaluation"),
        ("Steps!A4:A6+1", "array evaluation"),
        ("Steps!A4:A6", "result is a range"),
        ("SUMPRODUCT(IF(Steps!A4:A6>0,1,0))", "array evaluation"),
        ("NotASheet!A1", "names no sheet"),
        ("Steps!XFE1", "past XFD1048576"),
        ("Steps!A1048577", "past XFD1048576"),
        ("SUM(1", "syntax"),
    ],
)
def test_a_formula_excel_refuses(small, tmp_path, text, needle):
    only(
        check_excel(with_cells(small, tmp_path / "f.xlsx", formula(text))),
        "How it works!A900",
        needle,
    )


def test_what_excel_accepts_is_not_flagged(small, tmp_path):
    """The same shapes, written as Excel takes them."""
    fine = [
        "_xlfn.STDEV.S(Steps!A4:A5)",
        "SUMPRODUCT(Steps!A4:C4*Steps!A5:C5)",
        "SUM(Steps!A4:C4)*2",
        'IF(Steps!A4>0,"a(",Steps!B4)',
        "SUM({1,2,3})",
        "(" * 64 + "1" + ")" * 64,
        "SUM(A:A)",
    ]
    cells = b"".join(
        formula(t).replace(b"A900", b"%s900" % c.encode()) for t, c in zip(fine, "ABCDEFG")
    )
    array = formula("MMULT(Steps!A4:B5,Steps!A4:B5)", array=True).replace(b"A900", b"H900")
    assert check_excel(with_cells(small, tmp_path / "fine.xlsx", cells + array)) == []


@pytest.mark.parametrize(
    "cell, needle",
    [
        (b'<c r="A900"><v>NaN</v></c>', "NaN is not a finite number"),
        (b'<c r="A900"><v>inf</v></c>', "inf is not a finite number"),
        (b'<c r="A900"><v>1e999</v></c>', "1e999 is not a finite number"),
        (b'<c r="A900"><f>1/0</f><v>-Infinity</v></c>', "not a finite number"),
        (b'<c r="A900" t="e"><v>#OOPS!</v></c>', "not an Excel error value"),
        (b'<c r="A900" t="s"><v>99999</v></c>', "shared string 99999 is not in the table of"),
        (b'<c r="A900" t="d"><v>2026-12-04</v></c>', 'cell type t="d"'),
    ],
)
def test_a_cached_value_excel_refuses(small, tmp_path, cell, needle):
    only(
        check_excel(with_cells(small, tmp_path / "v.xlsx", cell)),
        "How it works!A900",
        "cached value: ",
        needle,
    )


def test_shared_strings_are_read_as_well_as_inline_ones(small, tmp_path):
    """excelbp writes its texts to a shared-strings table: a t="s" cell indexes it."""
    with zipfile.ZipFile(small) as z:
        n = len(sheetxml.shared_strings(small, sheetxml.check_strings(small)))
        assert b"<sst" in z.read("xl/sharedStrings.xml") and n > 0
    cell = b'<c r="A900" t="s"><v>%d</v></c>'
    assert check_excel(with_cells(small, tmp_path / "ok.xlsx", cell % (n - 1))) == []
    only(
        check_excel(with_cells(small, tmp_path / "bad.xlsx", cell % n)), f"not in the table of {n}"
    )


def test_too_many_cell_styles(small, tmp_path):
    def styles(xml: bytes) -> bytes:
        start, end = xml.index(b"<cellXfs"), xml.index(b"</cellXfs>")
        return (
            xml[:start]
            + b'<cellXfs count="64001">'
            + b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * 64001
            + xml[end:]
        )

    only(
        check_excel(rewrite(small, tmp_path / "styles.xlsx", {"xl/styles.xml": styles})),
        "xl/styles.xml",
        "64,001 cell formats",
    )


@pytest.mark.parametrize("new", [rb"\1$\2$4:$\2$1048577<", rb"\1$XFE$4:$XFE$5<"])
def test_a_chart_reference_past_the_sheet(small, tmp_path, new):
    """The loss chart's values, a column of 'Steps'!…4:…5, made to end past the last row or
    column."""
    loss = re.compile(rb"(<f>'Steps'!)\$([A-Z]+)\$4:\$\2\$5<")
    with zipfile.ZipFile(small) as z:
        chart = next(
            n for n in z.namelist() if n.startswith("xl/charts/") and loss.search(z.read(n))
        )
    bad = rewrite(small, tmp_path / "chart.xlsx", {chart: lambda x: loss.sub(new, x, count=1)})
    only(check_excel(bad), chart, "past XFD1048576")


def test_a_data_validation_list_over_255_characters(small, tmp_path):
    def validations(items: str):
        dv = (
            b'<dataValidations count="1"><dataValidation type="list" sqref="A1">'
            b'<formula1>"%s"</formula1></dataValidation></dataValidations>'
        )
        return lambda x: re.sub(
            rb"(</sheetData>)", lambda m: m[1] + dv % items.encode(), x, count=1
        )

    part = sheet_part(small, "How it works")
    ok = rewrite(
        small, tmp_path / "ok.xlsx", {part: validations(",".join(["abc"] * 63))}
    )  # 251 characters
    assert check_excel(ok) == []
    bad = rewrite(small, tmp_path / "dv.xlsx", {part: validations(",".join(["abc"] * 65))})
    only(check_excel(bad), "data validation: a list of 259 characters")


# --- verify applies the formula limits before it evaluates anything -------------------------


def test_verify_refuses_a_formula_past_the_limits(small, tmp_path, capsys):
    for text, needle in [
        ("(" * 65 + "1" + ")" * 65, "nesting: 65 levels"),
        ("SUM(" + ",".join(["1"] * 256) + ")", "256 arguments"),
        ("1" + "+1" * 4096, "8,193 characters"),
    ]:
        bad = with_cells(small, tmp_path / "limit.xlsx", formula(text), "Inputs")
        for engine in ("formulas", "libreoffice"):  # refused before LibreOffice would start
            assert main(["verify", str(bad), "--quiet", "--engine", engine]) == 2
            err = capsys.readouterr().err.strip()
            assert len(err.splitlines()) == 1 and "Inputs!A900" in err, err
            assert needle in err and "(refused)" in err, err


def test_verify_refuses_deep_nesting_in_a_second_and_little_memory(small, tmp_path):
    """The issue's file: a formula nested 20,000 deep (a 20 KB file) was evaluated, using 829
    MB, and reported as a mismatch. Now refused in one line, exit 2; measured in a child
    process (its own peak RSS, and the time from its `main` call: the interpreter's start is
    not the formula's cost)."""
    bad = with_cells(
        small, tmp_path / "deep.xlsx", formula("(" * 20_000 + "1" + ")" * 20_000), "Inputs"
    )
    assert bad.stat().st_size < 40_000
    child = (
        "import re, sys, time\n"
        "from excelbp.cli import main\n"
        "t = time.perf_counter(); status = main(['verify', sys.argv[1], '--quiet'])\n"
        # VmHWM: this process's own peak; ru_maxrss also keeps the forked parent's (pytest's)
        "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read())\n"
        "print(status, time.perf_counter() - t, int(hwm[1]) * 1024)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", child, str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TQDM_DISABLE": "1"},
    )
    status, seconds, peak = r.stdout.split()
    assert int(status) == 2 and "Traceback" not in r.stderr, r.stderr
    [line] = r.stderr.strip().splitlines()
    assert "Inputs!A900" in line and "nesting: 20,000 levels" in line and "(refused)" in line, line
    assert float(seconds) < 1.0 and int(peak) < 200_000_000, (seconds, peak)
