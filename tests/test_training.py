"""A build's chunked run gives exactly the values of one whole run."""

from __future__ import annotations

import numpy as np

from excelbp.expected import step_value
from excelbp.layout import step_table
from excelbp.options import BuildOptions, make_spec
from excelbp.training import TrainingRun, train


def test_chunks_equal_the_whole_run():
    spec = make_spec(BuildOptions(template="classifier", steps=30, batch=2))
    whole = train(spec)
    keys = [c.key for c in step_table(spec).columns]
    chunked = [
        [step_value(chunk.trace, k, i, spec, chunk.hits_before) for k in keys]
        for chunk in TrainingRun(spec, chunk_steps=4)  # epoch is 6 steps: windows cross chunks
        for i in range(len(chunk.trace.loss))
    ]
    expected = [[step_value(whole, k, s, spec) for k in keys] for s in range(spec.steps)]
    np.testing.assert_array_equal(np.array(chunked), np.array(expected))


def test_run_reports_the_first_overflowing_step():
    run = TrainingRun(make_spec(BuildOptions(lr=5.0, steps=60)), chunk_steps=5)
    for _ in run:
        pass
    whole = train(make_spec(BuildOptions(lr=5.0, steps=60)))
    first_bad = int(np.argmax(~np.isfinite(whole.loss) | ~np.isfinite(whole.W[0][1:]).all(axis=(1, 2)))) + 1
    assert run.diverged_at == first_bad
