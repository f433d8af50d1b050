"""The package's shape: stages that import only earlier stages, no import cycles (function-
local imports included), small modules, and the private APIs of openpyxl and `formulas`
each used in one fenced module that says clearly when an upgrade breaks it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

try:  # 3.10 has tomli, the same parser (a dependency there)
    import tomllib
except ModuleNotFoundError:
    import tomli as tomllib

PACKAGE = Path(__file__).parent.parent / "excelbp"

# The pipeline, in order: a module may import its own stage and earlier ones only.
STAGES = [
    "errors",
    "spec",
    "engine",
    "words",
    "quantities",
    "layout",
    "sheets",
    "writer",
    "build",
    "verify",
    "cli",
]
# top-level modules that are not a stage of their own
ENTRY = {"__init__": "errors", "progress": "cli", "arguments": "cli", "__main__": "cli"}
MAX_LINES = 300


def modules() -> dict[str, Path]:
    """excelbp.a.b → its file."""
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def stage(module: str) -> int:
    first = module.split(".")[1] if "." in module else "__init__"
    return STAGES.index(ENTRY.get(first, first))


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `module` imports anywhere in its file."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in known:  # `from .x import y`: y may be a name in x
                name = name.rsplit(".", 1)[0] if "." in name else ""
            if name and name != module:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: imports(m, p, set(mods)) for m, p in mods.items()}


def test_every_import_goes_to_the_same_or_an_earlier_stage():
    backward = [
        f"{m} ({STAGES[stage(m)]}) imports {d} ({STAGES[stage(d)]})"
        for m, deps in graph().items()
        for d in deps
        if stage(d) > stage(m)
    ]
    assert not backward, "\n".join(backward)


def test_no_import_cycles():
    deps = graph()
    # a package's __init__ importing its own modules is how it re-exports them, not a cycle
    deps = {m: {d for d in ds if not d.startswith(m + ".")} for m, ds in deps.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(deps[m]):
            if state.get(d) == 1:
                cycles.append(" → ".join(path[path.index(d) :] + [d]))
            elif d not in state:
                visit(d, path + [d])
        state[m] = 2

    for m in sorted(deps):
        if m not in state:
            visit(m, [m])
    assert not cycles, "\n".join(cycles)


def test_modules_are_small():
    big = {
        m: n
        for m, p in modules().items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not big, big


PRIVATE = {
    # what is private, and the one module allowed to touch it
    r"^\s*(from|import) (formulas|schedula)\b": "excelbp/verify/formulas_private.py",
}


@pytest.mark.parametrize("pattern,fence", PRIVATE.items())
def test_private_apis_are_used_in_one_module(pattern, fence):
    users = {
        str(p.relative_to(PACKAGE.parent))
        for p in PACKAGE.rglob("*.py")
        if re.search(pattern, p.read_text(encoding="utf-8"), re.M)
    }
    assert users == {fence}


def test_the_writer_uses_no_openpyxl_internal():
    """The writer owns the sheets' XML and borrows no private name of openpyxl's (which one
    differs with lxml installed): only public objects and the parts openpyxl saves."""
    users = {}
    for p in (PACKAGE / "writer").glob("*.py"):
        text = p.read_text(encoding="utf-8")
        found = [
            f"{a}.{b}"
            for a, b in re.findall(r"(\w+)\.(_[a-z]\w*)", text)
            if a not in ("self", "cls")
        ]
        if found:
            users[p.name] = found
    assert users == {}


def test_the_fences_hold_for_the_installed_versions():
    """Each fence writes or evaluates a tiny case through the internals it relies on and
    raises one clear line when an upgrade moved them."""
    from excelbp import writer
    from excelbp.verify import formulas_private

    writer.check()
    formulas_private.check()


def test_the_wheel_takes_every_package():
    """pyproject lists the packages one by one (the templates come from a folder of their
    own): a new folder under excelbp/ that is not listed is missing from the wheel, and every
    command fails there at import (as excelbp.spec.optimizers did)."""
    listed = set(
        tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(p.parent.relative_to(PACKAGE.parent).parts) for p in PACKAGE.rglob("__init__.py")
    }
    assert found - listed == set()


def test_pyproject_bounds_the_libraries_whose_internals_we_use():
    deps = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["project"]["dependencies"]
    for name in ("openpyxl", "formulas"):
        [spec] = [d for d in deps if d.startswith(name)]
        assert "<" in spec, f"{spec}: no upper bound"
