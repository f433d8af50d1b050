"""The files as Excel will see them: the same bytes whichever XML library openpyxl picked, and
no finding of the Open XML SDK's rules (openxml-audit) in any variant of any template.

Each variant is built once a session, at a few steps: the shape of a step is what matters.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from excelbp.cli import main

TEMPLATES = [
    "linear",
    "neuron",
    "linear-2-2-1",
    "sigmoid-2-3-1",
    "classifier",
    "logistic",
    "regression",
    "digits",
]
# every template in both layouts and both languages, a learning-rate sweep and the gradient check
VARIANTS = {
    f"{t}-{layout}-{lang}": ["--template", t, "--steps", "2", "--layout", layout, "--lang", lang]
    for t in TEMPLATES
    for layout in ("rows", "blocks")
    for lang in ("en", "zh")
} | {
    "sweep-rows": ["--template", "classifier", "--steps", "3", "--compare-lr", "0.1,0.5,2"],
    "sweep-blocks-zh": [
        "--template",
        "neuron",
        "--steps",
        "3",
        "--layout",
        "blocks",
        "--lang",
        "zh",
        "--compare-lr",
        "0.1,1",
    ],
    "gradcheck-adam": [
        "--layers",
        "2,5,3",
        "--activation",
        "tanh,softmax",
        "--loss",
        "cross_entropy",
        "--optimizer",
        "adam",
        "--gradcheck",
        "--steps",
        "2",
    ],
}


@pytest.fixture(scope="session")
def variants(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("variants")
    out = {}
    for name, args in VARIANTS.items():
        out[name] = folder / f"{name}.xlsx"
        assert main(["build", *args, "-o", str(out[name]), "--quiet"]) == 0, name
    return out


def test_every_template_but_fashion_is_a_variant_in_each_layout_and_language():
    """fashion takes only the blocks layout; its narrowed build is audited apart."""
    from excelbp.spec.templates import template_names

    assert set(template_names()) - set(TEMPLATES) == {"fashion"}
    for t in TEMPLATES:
        assert {
            f"{t}-{layout}-{lang}" for layout in ("rows", "blocks") for lang in ("en", "zh")
        } <= set(VARIANTS)


def _needs(module: str) -> None:
    """Skip without `module`, except in CI where its absence is a failure."""
    try:
        __import__(module)
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{module} is required in CI")
        pytest.skip(f"{module} not installed")


# --- the same bytes with and without lxml ------------------------------------------------

_BUILD_ALL = """
import sys, openpyxl.xml
from excelbp.cli import main
assert openpyxl.xml.LXML == (sys.argv[1] == "True"), "openpyxl did not take the library asked for"
for pair in sys.argv[2:]:
    out, args = pair.split("=", 1)
    assert main(["build", *args.split(), "-o", out, "--quiet", "--force"]) == 0, out
"""


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # its times differ


LXML_VARIANTS = {
    **{
        f"{t}-{layout}": VARIANTS[f"{t}-{layout}-{'zh' if i % 2 else 'en'}"]
        for i, t in enumerate(TEMPLATES)
        for layout in ("blocks",)
    },
    "linear-rows": VARIANTS["linear-rows-en"],
    "sweep": VARIANTS["sweep-blocks-zh"],
    "gradcheck": VARIANTS["gradcheck-adam"],
    "fashion": ["--template", "fashion", "--steps", "1"],
}


@pytest.mark.slow
def test_parts_are_the_same_with_and_without_lxml(tmp_path):
    """openpyxl serialises through lxml when it can: every template's file, and a sweep's and
    a gradient check's, is the same part for part either way (docProps/core.xml holds the
    build's time)."""
    _needs("lxml")
    names = list(LXML_VARIANTS)
    made = {}
    for lxml in ("True", "False"):
        folder = tmp_path / f"lxml-{lxml}"
        folder.mkdir()
        pairs = [f"{folder / n}.xlsx={' '.join(LXML_VARIANTS[n])}" for n in names]
        env = {**os.environ, "OPENPYXL_LXML": lxml}
        r = subprocess.run(
            [sys.executable, "-c", _BUILD_ALL, lxml, *pairs],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r.returncode == 0, r.stderr[-2000:]
        made[lxml] = {n: _parts(folder / f"{n}.xlsx") for n in names}
    for n in names:
        with_lxml, without = made["True"][n], made["False"][n]
        assert sorted(with_lxml) == sorted(without), n
        differ = [part for part in with_lxml if with_lxml[part] != without[part]]
        assert differ == [], (n, differ)


# --- openxml-audit: what Excel would repair ----------------------------------------------


def _audit(folder: Path, fmt: str) -> list[dict]:
    exe = shutil.which("openxml-audit") or str(Path(sys.executable).with_name("openxml-audit"))
    r = subprocess.run(
        [exe, "-f", fmt, "-o", "json", "-m", "0", "-r", str(folder)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert r.stdout.strip(), r.stderr[-2000:]
    return json.loads(r.stdout)


# Excel 2010's rules take every variant; Microsoft 365's, which only admit more, take each
# template once a layout in one language (en and zh differ in their strings alone) and the
# three others: the audits are minutes of CI's half hour
_M365 = {
    f"{t}-{layout}-{'zh' if (i + k) % 2 else 'en'}"
    for i, t in enumerate(TEMPLATES)
    for k, layout in enumerate(("rows", "blocks"))
} | {"sweep-rows", "sweep-blocks-zh", "gradcheck-adam"}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["office2010", "microsoft365"])
def test_openxml_audit_finds_nothing_in_any_variant(variants, fmt, tmp_path):
    _needs("openxml_audit")
    folder = next(iter(variants.values())).parent
    if fmt == "microsoft365":
        folder = tmp_path
        variants = {n: shutil.copy(p, folder) for n, p in variants.items() if n in _M365}
    results = _audit(folder, fmt)
    assert sorted(Path(r["file"]).name for r in results) == sorted(
        Path(p).name for p in variants.values()
    )
    findings = {
        Path(r["file"]).name: [
            (e.get("part_uri"), e.get("description")) for e in r.get("errors", [])
        ][:5]
        for r in results
        if r["error_count"] or r["warning_count"]
    }
    assert findings == {}
    assert all(r["verdict"]["prediction"] == "opens-clean" for r in results)


@pytest.mark.slow
def test_openxml_audit_finds_nothing_in_fashions_layout(tmp_path):
    """fashion's layout (the first layer read in place, MMULT array formulas over a range,
    shared formulas, 28×28 pictures) on a narrowed network: the full template's 2.5 million
    cells of X take openxml-audit many minutes, and each is one shared formula's follower."""
    _needs("openxml_audit")
    from test_fashion import small

    from excelbp.build import build, make_spec
    from excelbp.spec import BuildOptions

    for lang in ("en", "zh"):
        spec = make_spec(
            BuildOptions(template="fashion", layers=(784, 3, 10), batch=4, steps=3, lang=lang)
        )
        build(small(spec, 8, 5), tmp_path / f"fashion-{lang}.xlsx")
    for fmt in ("office2010", "microsoft365"):
        results = _audit(tmp_path, fmt)
        assert len(results) == 2
        for result in results:
            assert (result["error_count"], result["warning_count"]) == (0, 0), result.get(
                "errors", []
            )[:5]
