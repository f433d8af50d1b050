"""pyproject's lower bounds are tested bounds: .ci/matrix installs the versions that
.ci/lower-bounds.txt pins and runs the fast tests with them, so the two files must not drift."""

from __future__ import annotations

import re
from pathlib import Path

try:  # 3.10 has tomli, the same parser (a dependency there)
    import tomllib
except ModuleNotFoundError:
    import tomli as tomllib

ROOT = Path(__file__).parent.parent
# the torch extra only feeds tests/test_engine.py's cross-check, which skips without it; CI
# installs the one build this machine has on disk (.ci/run), not the extra's lower bound; the
# lint extra is pinned exactly (a formatter's output changes between versions) and CI runs it
UNPINNED_EXTRAS = {"torch", "lint"}


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _version(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))  # 1.24 == 1.24.0


def declared_lower_bounds() -> dict[str, tuple[str, str]]:
    """{name: (version, marker)} of every `>=` in the dependencies and the tested extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra, deps in project["optional-dependencies"].items():
        if extra not in UNPINNED_EXTRAS:
            specs += deps
    out = {}
    for spec in specs:
        requirement, _, marker = spec.partition(";")
        name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)
        low = re.search(r">=\s*([0-9][0-9.]*)", requirement)
        assert low, f"{spec}: no lower bound"
        out[_name(name)] = (low.group(1), marker.strip())
    return out


def pinned() -> dict[str, tuple[str, str]]:
    out = {}
    for line in (ROOT / ".ci" / "lower-bounds.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement, _, marker = line.partition(";")
            name, version = requirement.split("==")
            out[_name(name.strip())] = (version.strip(), marker.strip())
    return out


def test_every_lower_bound_is_the_pinned_version():
    declared, pins = declared_lower_bounds(), pinned()
    assert sorted(declared) == sorted(pins)
    for name, (low, _) in declared.items():
        assert _version(low) == _version(pins[name][0]), (
            f"{name}: pyproject says >={low}, .ci/lower-bounds.txt pins {pins[name][0]}"
        )


def test_a_pin_applies_where_its_requirement_does():
    """tomli is for Python < 3.11 only, in both files (quotes aside)."""
    declared, pins = declared_lower_bounds(), pinned()
    for name, (_, marker) in declared.items():
        assert marker.replace("'", '"') == pins[name][1].replace("'", '"'), name
