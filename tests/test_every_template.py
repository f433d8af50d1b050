"""Every template builds and verifies with each optimizer and schedule that came after the
templates were written, in a few steps (the shape of a step is what matters): their cells
are the rule's, in whichever layout the template chooses."""

from __future__ import annotations

import pytest

from excelbp.spec.templates import template_names
from excelbp.verify import verify

# fashion's 784 × 32 first layer takes minutes to build and verify: with the slow tests
TEMPLATES = [pytest.param(t, marks=pytest.mark.slow) if t == "fashion" else t for t in template_names()]


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_with_adagrad(make_workbook, template):
    path = make_workbook(template=template, optimizer="adagrad", steps=2, weight_decay=0.01)
    report = verify(path)
    assert report.ok, report.lines()
    assert any(name.startswith("optimizer state s") for name in report.stats)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_with_a_cosine_schedule(make_workbook, template):
    path = make_workbook(template=template, schedule="cosine", steps=3)
    report = verify(path)
    assert report.ok, report.lines()
    assert report.stats["learning rates lr_t"].cells >= 3
