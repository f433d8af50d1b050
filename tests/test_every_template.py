"""Every template builds and verifies with each optimizer and schedule that came after the
templates were written, in a few steps (the shape of a step is what matters): their cells
are the rule's, in whichever layout the template chooses."""

from __future__ import annotations

import pytest
from conftest import build_options
from test_fashion import small

from excelbp.build import build, make_spec
from excelbp.spec.templates import template_names
from excelbp.verify import verify


# fashion's 784 × 32 first layer still takes a minute or so: with the slow tests
TEMPLATES = [pytest.param(t, marks=pytest.mark.slow) if t == "fashion" else t for t in template_names()]


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


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_with_adagrad(template_workbook, template):
    path = template_workbook(template, optimizer="adagrad", steps=2, weight_decay=0.01)
    report = verify(path)
    assert report.ok, report.lines()
    assert any(name.startswith("optimizer state s") for name in report.stats)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_with_a_cosine_schedule(template_workbook, template):
    path = template_workbook(template, schedule="cosine", steps=3 if template != "fashion" else 2)
    report = verify(path)
    assert report.ok, report.lines()
    assert report.stats["learning rates lr_t"].cells >= 2
