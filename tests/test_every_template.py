"""Every template builds and verifies, in both layouts, with each optimizer and schedule that
came after the templates were written, in a few steps (the shape of a step is what matters):
their cells are the rule's wherever the layout puts them."""

from __future__ import annotations

import pytest
from conftest import build_options
from test_fashion import small

from excelbp.build import build, make_spec
from excelbp.spec.templates import template_names
from excelbp.verify import verify

# fashion fits only the blocks layout (784 inputs × 32 units), and its first layer still takes
# seconds in it; digits and regression take a few each: with the slow tests
SLOW = {"fashion", "digits", "regression"}
CASES = [
    pytest.param(template, layout, marks=[pytest.mark.slow] if template in SLOW else [])
    for template in template_names()
    for layout in ("rows", "blocks")
    if not (template == "fashion" and layout == "rows")
]
NEW = {  # what came after the templates: each with a check that its cells are there
    "adagrad": (dict(optimizer="adagrad", weight_decay=0.01), "optimizer state s"),
    "step": (
        dict(schedule="step", step_size=1, gamma=0.5, optimizer="momentum"),
        "learning rates lr_t",
    ),
    "cosine": (
        dict(schedule="cosine", optimizer="adamw", weight_decay=0.01),
        "learning rates lr_t",
    ),
}


@pytest.fixture
def template_workbook(tmp_path):
    """template_workbook(template, **options) → a built workbook; fashion's with only 64 of its
    training and 5 of its held-out images (two steps read no more), so it takes seconds."""

    def make(template: str, **options):
        spec = make_spec(build_options(template=template, **options))
        if template == "fashion":
            spec = small(spec, 64, 5)
        path = tmp_path / f"{template}.xlsx"
        build(spec, path, force=True)
        return path

    return make


@pytest.mark.parametrize("new", sorted(NEW))
@pytest.mark.parametrize("template, layout", CASES)
def test_every_template_in_both_layouts(template_workbook, template, layout, new):
    options, group = NEW[new]
    path = template_workbook(template, layout=layout, steps=2, **options)
    report = verify(path)
    assert report.ok, report.lines()
    assert report.stats[group].cells >= 2
